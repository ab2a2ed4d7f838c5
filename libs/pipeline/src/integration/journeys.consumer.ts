import { Inject, Injectable } from '@nestjs/common';
import {
  BidsOpenedEvent,
  BuyersGroupFormedEvent,
  BuyersGroupJoinedEvent,
  ConsultationOpenedEvent,
  ConsultationResponseSubmittedEvent,
  DeploymentDecidedEvent,
  NeedPrioritisedEvent,
  NeedRecordedEvent,
  NeedRejectedEvent,
  NeedValidatedEvent,
  NeedWithdrawnEvent,
  PhaseCompletedEvent,
  PhaseContractsAwardedEvent,
  PilotCompletedEvent,
  PilotPlannedEvent,
  PilotStartedEvent,
  PriorInformationNoticePublishedEvent,
  ProcurementRouteDecidedEvent,
  SuppliersDownSelectedEvent,
  TenderCancelledEvent,
  TenderDraftedEvent,
  TrlAssessedEvent,
  consultationsEvents,
  needsEvents,
  pilotsEvents,
  tendersEvents,
  type IntegrationEventDefinition,
} from '@pcp/contracts';
import { DOCUMENT_STORE, ProjectionView, type DocumentStore, type Filter } from '@pcp/documents';
import {
  on,
  type HandlerBinding,
  type IntegrationConsumer,
  type IntegrationMessage,
} from '@pcp/messaging';
import { advance, newJourney, type Journey, type JourneyStep, type Links } from '../domain';
import {
  BUYERS_GROUPS,
  CONSULTATIONS,
  INNOVATIONS,
  NEEDS,
  TENDERS,
  TIMELINE_EVENTS,
  type KnownBuyersGroup,
  type KnownConsultation,
  type KnownTender,
  type NeedJourney,
  type NeedStage,
  type TimelineEntry,
} from './collections';

type Message = IntegrationMessage<Record<string, unknown>>;
type Reaction = (message: Message) => Promise<void>;

const uniq = (values: (string | null | undefined)[]): string[] =>
  [...new Set(values.filter((v): v is string => typeof v === 'string'))].sort();

/**
 * Follows every context's integration events (Kafka distributed, the log embedded) and keeps
 * the journeys of innovations and needs, and one timeline entry per event. Idempotent: each
 * document remembers the revision of every source stream it reflects.
 */
@Injectable()
export class JourneysConsumer implements IntegrationConsumer {
  readonly name = 'pipeline.journeys';
  readonly handlers: HandlerBinding[];

  constructor(@Inject(DOCUMENT_STORE) private readonly documents: DocumentStore) {
    const reactions = new Map<string, Reaction>(
      this.reactions().map((b) => [b.definition.type, b.handle as Reaction]),
    );
    const all: IntegrationEventDefinition[] = [
      ...needsEvents,
      ...consultationsEvents,
      ...tendersEvents,
      ...pilotsEvents,
    ];
    this.handlers = all.map((definition) =>
      on(definition, async (m) => {
        const message = m as Message;
        await this.record(message);
        await reactions.get(definition.type)?.(message);
      }),
    );
  }

  private reactions(): HandlerBinding[] {
    return [
      on(NeedRecordedEvent, async (m) => {
        await this.needOrgLate(m, m.data.needId, m.data.org);
        await this.need(m, m.data.needId, (n) =>
          staged(
            {
              ...n,
              org: m.data.org,
              region: m.data.region,
              title: m.data.title,
              status: n.status ?? 'RECORDED',
            },
            'NEED',
            m,
          ),
        );
      }),
      on(NeedValidatedEvent, (m) =>
        this.need(m, m.data.needId, (n) => ({
          ...n,
          org: m.data.org,
          region: m.data.region,
          status: 'VALIDATED',
        })),
      ),
      on(NeedPrioritisedEvent, (m) =>
        this.need(m, m.data.needId, (n) => ({ ...n, priority: m.data.score })),
      ),
      on(NeedRejectedEvent, (m) =>
        this.need(m, m.data.needId, (n) => staged({ ...n, status: 'REJECTED' }, 'DROPPED', m)),
      ),
      on(NeedWithdrawnEvent, (m) =>
        this.need(m, m.data.needId, (n) => staged({ ...n, status: 'WITHDRAWN' }, 'DROPPED', m)),
      ),
      on(BuyersGroupFormedEvent, async (m) => {
        const d = m.data;
        const orgs = await this.needOrgs(d.needIds);
        await view(this.documents, m).update<KnownBuyersGroup>(
          BUYERS_GROUPS,
          d.buyersGroupId,
          () => ({
            id: d.buyersGroupId,
            leadOrg: d.leadOrg,
            orgs: uniq([d.leadOrg, ...orgs]),
            needIds: uniq(d.needIds),
            regions: uniq(d.regions),
          }),
        );
        for (const needId of d.needIds)
          await this.need(m, needId, (n) => ({ ...n, buyersGroupId: d.buyersGroupId }));
      }),
      on(BuyersGroupJoinedEvent, async (m) => {
        const d = m.data;
        await view(this.documents, m).update<KnownBuyersGroup>(
          BUYERS_GROUPS,
          d.buyersGroupId,
          (g) =>
            g
              ? {
                  ...g,
                  orgs: uniq([...g.orgs, d.org]),
                  needIds: uniq([...g.needIds, d.needId]),
                  regions: uniq([...g.regions, d.region]),
                }
              : {
                  id: d.buyersGroupId,
                  leadOrg: d.org,
                  orgs: [d.org],
                  needIds: [d.needId],
                  regions: [d.region],
                },
        );
        const late = await this.joinedLate(m, d.buyersGroupId, d.needId, d.region, d.org);
        // One update per document and event (revision guards): the join, and the group's
        // consultations heard of before it, dated by their opening as if heard of after.
        await this.need(m, d.needId, (n) =>
          late.reduce<NeedJourney>(
            (need, c) =>
              staged(
                { ...need, consultationIds: uniq([...need.consultationIds, c.id]) },
                'CONSULTATION',
                { time: c.openedAt, type: 'ConsultationOpened' },
              ),
            { ...n, buyersGroupId: d.buyersGroupId },
          ),
        );
      }),
      on(ConsultationOpenedEvent, async (m) => {
        const d = m.data;
        const group = d.buyersGroupId
          ? await this.get<KnownBuyersGroup>(BUYERS_GROUPS, d.buyersGroupId)
          : null;
        const needIds = uniq([d.needId, ...(group?.needIds ?? [])]);
        const orgs = await this.needOrgs(needIds);
        // The group as the pipeline knows it: the consultations context may have opened the
        // consultation before it heard of the latest join (distributed, events lag).
        const regions = uniq([...d.regions, ...(group?.regions ?? [])]);
        await view(this.documents, m).update<KnownConsultation>(
          CONSULTATIONS,
          d.consultationId,
          () => ({
            id: d.consultationId,
            org: d.org,
            needId: d.needId,
            buyersGroupId: d.buyersGroupId,
            needIds,
            regions,
            procurerOrgs: uniq([d.org, ...orgs, ...(group?.orgs ?? [])]),
            route: null,
            openedAt: m.time,
          }),
        );
        const procurerOrgs = uniq([d.org, ...orgs, ...(group?.orgs ?? [])]);
        // Over Kafka, the innovations' own events and the consultation's tenders may have come
        // first (topics are not ordered together): they take the consultation's links now.
        const tenders = await this.all<KnownTender>(TENDERS, { consultationId: d.consultationId });
        for (const tender of tenders)
          await view(this.documents, m).update<KnownTender>(TENDERS, tender.id, (t) =>
            t ? { ...t, procurerOrgs: uniq([...t.procurerOrgs, ...procurerOrgs]) } : undefined,
          );
        const innovations = new Map<string, Journey>();
        for (const filter of [
          { consultationId: d.consultationId },
          ...tenders.map((t) => ({ tenderId: t.id })),
        ])
          for (const [id, journey] of await this.innovations(filter)) innovations.set(id, journey);
        for (const id of innovations.keys())
          await this.innovation(m, id, [
            {
              kind: 'Linked',
              links: {
                consultationId: d.consultationId,
                needId: d.needId,
                buyersGroupId: d.buyersGroupId,
                needIds,
                regions,
                procurerOrgs,
              },
            },
          ]);
        for (const needId of needIds)
          await this.need(m, needId, (n) =>
            tenders.reduce(
              (need, t) =>
                staged({ ...need, tenderIds: uniq([...need.tenderIds, t.id]) }, 'TENDER', {
                  time: t.draftedAt ?? m.time,
                  type: 'TenderDrafted',
                }),
              staged(
                { ...n, consultationIds: uniq([...n.consultationIds, d.consultationId]) },
                'CONSULTATION',
                m,
              ),
            ),
          );
      }),
      on(PriorInformationNoticePublishedEvent, async (m) => {
        const d = m.data;
        await view(this.documents, m).update<KnownConsultation>(
          CONSULTATIONS,
          d.consultationId,
          (c) =>
            c ? { ...c, leadTimeDays: d.leadTimeDays, shortLeadTime: d.shortLeadTime } : undefined,
        );
      }),
      on(ProcurementRouteDecidedEvent, async (m) => {
        const d = m.data;
        const consultation = await this.get<KnownConsultation>(CONSULTATIONS, d.consultationId);
        await view(this.documents, m).update<KnownConsultation>(
          CONSULTATIONS,
          d.consultationId,
          (c) => (c ? { ...c, route: d.route } : undefined),
        );
        for (const needId of consultation?.needIds ?? uniq([d.needId]))
          await this.need(m, needId, (n) => ({ ...n, route: d.route }));
      }),
      on(ConsultationResponseSubmittedEvent, async (m) => {
        const d = m.data;
        const consultation = await this.get<KnownConsultation>(CONSULTATIONS, d.consultationId);
        const needIds = consultation?.needIds ?? uniq([d.needId]);
        await this.innovation(m, d.innovationId, [
          {
            kind: 'Responded',
            at: m.time,
            supplierOrg: d.supplierOrg,
            solutionName: d.solutionName,
            declaredTrl: d.declaredTrl,
            by: m.actor?.userId ?? null,
            links: {
              needId: d.needId,
              buyersGroupId: d.buyersGroupId,
              needIds,
              consultationId: d.consultationId,
              regions: consultation?.regions ?? [],
              procurerOrgs: consultation?.procurerOrgs ?? [],
            },
          },
        ]);
        for (const needId of needIds)
          await this.need(m, needId, (n) => ({
            ...n,
            innovationIds: uniq([...n.innovationIds, d.innovationId]),
          }));
      }),
      on(TenderDraftedEvent, async (m) => {
        const d = m.data;
        const consultation = await this.get<KnownConsultation>(CONSULTATIONS, d.consultationId);
        await view(this.documents, m).update<KnownTender>(TENDERS, d.tenderId, (t) => ({
          id: d.tenderId,
          org: d.org,
          consultationId: d.consultationId,
          procedure: d.procedure,
          regions: uniq(d.regions),
          procurerOrgs: uniq([d.org, ...(consultation?.procurerOrgs ?? [])]),
          opened: t?.opened ?? false,
          draftedAt: m.time,
        }));
        for (const needId of consultation?.needIds ?? [])
          await this.need(m, needId, (n) =>
            staged({ ...n, tenderIds: uniq([...n.tenderIds, d.tenderId]) }, 'TENDER', m),
          );
      }),
      on(BidsOpenedEvent, async (m) => {
        const d = m.data;
        await view(this.documents, m).update<KnownTender>(TENDERS, d.tenderId, (t) =>
          t ? { ...t, opened: true } : undefined,
        );
        const links = await this.tenderLinks(d.tenderId);
        for (const bid of d.bids)
          await this.innovation(m, bid.innovationId, [
            {
              kind: 'BidOpened',
              at: m.time,
              bidId: bid.bidId,
              supplierOrg: bid.supplierOrg,
              sme: bid.sme ?? null,
              declaredTrl: bid.declaredTrl,
              links,
            },
          ]);
      }),
      on(PhaseContractsAwardedEvent, async (m) => {
        const d = m.data;
        const awarded = new Set(d.contracts.map((c) => c.innovationId));
        for (const c of d.contracts)
          await this.innovation(m, c.innovationId, [
            {
              kind: 'ContractAwarded',
              at: m.time,
              eventType: m.type,
              contractId: c.contractId,
              tenderId: d.tenderId,
              procedure: d.procedure,
              phase: d.phase,
              supplierOrg: c.supplierOrg,
              sme: c.sme ?? null,
            },
          ]);
        await this.eachInnovation(
          { tenderId: d.tenderId, stage: 'TENDER' },
          (id) =>
            awarded.has(id) ? null : [{ kind: 'NotAwarded', at: m.time, eventType: m.type }],
          m,
        );
      }),
      on(SuppliersDownSelectedEvent, async (m) => {
        const d = m.data;
        const tender = await this.get<KnownTender>(TENDERS, d.tenderId);
        for (const c of d.continued)
          await this.innovation(m, c.innovationId, [
            {
              kind: 'ContractAwarded',
              at: m.time,
              eventType: m.type,
              contractId: c.contractId,
              previousContractId: c.previousContractId,
              tenderId: d.tenderId,
              procedure: tender?.procedure ?? 'PCP',
              phase: d.toPhase,
              supplierOrg: c.supplierOrg,
            },
          ]);
        for (const c of d.dropped)
          await this.innovation(m, c.innovationId, [
            {
              kind: 'ContractEnded',
              at: m.time,
              eventType: m.type,
              contractId: c.contractId,
              passed: false,
            },
          ]);
      }),
      on(PhaseCompletedEvent, async (m) => {
        const d = m.data;
        const tender = await this.get<KnownTender>(TENDERS, d.tenderId);
        const steps = new Map<string, JourneyStep[]>();
        for (const r of d.results)
          steps.set(r.innovationId, [
            ...(steps.get(r.innovationId) ?? []),
            {
              kind: 'TrlAssessed',
              at: m.time,
              trl: r.assessedTrl,
              by: m.actor?.userId ?? tender?.org ?? null,
              source: `tender ${d.tenderId} phase ${d.phase}`,
            },
            {
              kind: 'ContractEnded',
              at: m.time,
              eventType: m.type,
              contractId: r.contractId,
              passed: r.passed,
            },
          ]);
        for (const [innovationId, list] of steps) await this.innovation(m, innovationId, list);
      }),
      on(TenderCancelledEvent, (m) =>
        this.eachInnovation(
          { tenderId: m.data.tenderId },
          (_id, journey) =>
            journey.stage === 'TENDER' ||
            journey.stage === 'PCP_PHASE' ||
            journey.stage === 'PPI_CONTRACT'
              ? [{ kind: 'Dropped', at: m.time, eventType: m.type }]
              : null,
          m,
        ),
      ),
      on(PilotPlannedEvent, (m) =>
        this.innovation(m, m.data.innovationId, [
          { kind: 'PilotPlanned', at: m.time, pilotId: m.data.pilotId },
        ]),
      ),
      on(PilotStartedEvent, (m) =>
        this.innovation(m, m.data.innovationId, [
          { kind: 'PilotStarted', at: m.time, pilotId: m.data.pilotId },
        ]),
      ),
      on(TrlAssessedEvent, (m) =>
        this.innovation(m, m.data.innovationId, [
          {
            kind: 'TrlAssessed',
            at: m.time,
            trl: m.data.trl,
            by: m.data.assessedBy,
            source: `pilot ${m.data.pilotId}`,
          },
        ]),
      ),
      on(PilotCompletedEvent, (m) =>
        this.innovation(m, m.data.innovationId, [
          { kind: 'PilotCompleted', at: m.time, pilotId: m.data.pilotId, outcome: m.data.outcome },
        ]),
      ),
      on(DeploymentDecidedEvent, (m) =>
        this.innovation(m, m.data.innovationId, [
          { kind: 'DeploymentDecided', at: m.time, deploy: m.data.deploy, sites: m.data.sites },
        ]),
      ),
    ];
  }

  /**
   * A need joined a group whose consultations the pipeline already knows (the join may
   * arrive after them, or come after they opened): their needs, regions and procurers, and
   * the innovations answering them, take the joined need in. Returns those consultations.
   */
  private async joinedLate(
    m: IntegrationMessage,
    buyersGroupId: string,
    needId: string,
    region: string,
    org: string,
  ): Promise<KnownConsultation[]> {
    const consultations: KnownConsultation[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.documents
        .collection<KnownConsultation>(CONSULTATIONS)
        .find({ filter: { buyersGroupId }, limit: 500, cursor });
      consultations.push(...page.items.map((doc) => doc.data));
      cursor = page.nextCursor;
    } while (cursor !== null);
    for (const known of consultations) {
      await view(this.documents, m).update<KnownConsultation>(CONSULTATIONS, known.id, (c) =>
        c
          ? {
              ...c,
              needIds: uniq([...c.needIds, needId]),
              regions: uniq([...c.regions, region]),
              procurerOrgs: uniq([...c.procurerOrgs, org]),
            }
          : undefined,
      );
    }
    if (consultations.length > 0)
      await this.eachInnovation(
        { buyersGroupId },
        () => [
          { kind: 'Linked', links: { needIds: [needId], regions: [region], procurerOrgs: [org] } },
        ],
        m,
      );
    return consultations;
  }

  /**
   * A need heard of after consultations on it (topics are not ordered together): its
   * organisation joins their procurers, their tenders' and their innovations', as it would
   * have had the need come first.
   */
  private async needOrgLate(m: IntegrationMessage, needId: string, org: string): Promise<void> {
    const consultations = await this.all<KnownConsultation>(CONSULTATIONS, { needIds: needId });
    for (const known of consultations) {
      await view(this.documents, m).update<KnownConsultation>(CONSULTATIONS, known.id, (c) =>
        c ? { ...c, procurerOrgs: uniq([...c.procurerOrgs, org]) } : undefined,
      );
      for (const tender of await this.all<KnownTender>(TENDERS, { consultationId: known.id }))
        await view(this.documents, m).update<KnownTender>(TENDERS, tender.id, (t) =>
          t ? { ...t, procurerOrgs: uniq([...t.procurerOrgs, org]) } : undefined,
        );
    }
    if (consultations.length > 0)
      await this.eachInnovation(
        { needIds: needId },
        () => [{ kind: 'Linked', links: { procurerOrgs: [org] } }],
        m,
      );
  }

  /** The timeline entry of any event, with the ids it links on. */
  private async record(m: Message): Promise<void> {
    const d = m.data;
    const str = (key: string): string | null =>
      typeof d[key] === 'string' ? (d[key] as string) : null;
    const list = (key: string, field: string): string[] =>
      Array.isArray(d[key])
        ? (d[key] as Record<string, unknown>[]).map((x) => x[field] as string)
        : [];
    const innovationIds = uniq([
      str('innovationId'),
      ...list('bids', 'innovationId'),
      ...list('contracts', 'innovationId'),
      ...list('results', 'innovationId'),
      ...list('continued', 'innovationId'),
      ...list('dropped', 'innovationId'),
    ]);
    const needIds = uniq([
      str('needId'),
      ...(Array.isArray(d.needIds) ? (d.needIds as string[]) : []),
    ]);
    const entry: TimelineEntry = {
      eventId: m.id,
      type: m.type,
      context: m.context,
      streamId: m.subject,
      revision: Number(m.streamRevision),
      globalPosition: Number(m.globalPosition),
      occurredAt: m.time,
      actor: m.actor
        ? { userId: m.actor.userId, org: m.actor.org, roles: [...m.actor.roles] }
        : null,
      // Messages carry no envelope reason; the decisions that need one publish it in their data.
      reason: str('reason') ?? str('justification') ?? str('rationale'),
      hash: m.eventHash,
      needIds: m.context === 'needs' ? needIds : [],
      buyersGroupId: m.context === 'needs' ? str('buyersGroupId') : null,
      consultationId: m.context === 'consultations' ? str('consultationId') : null,
      tenderId: m.context === 'tenders' ? str('tenderId') : null,
      // A sealed bid names no bidder; only the bid id, linked to an innovation once opened.
      bidId: m.type === 'BidSubmitted' ? str('bidId') : null,
      pilotId: str('pilotId'),
      innovationIds,
    };
    await view(this.documents, m).update<TimelineEntry>(TIMELINE_EVENTS, m.id, () => entry);
  }

  private async get<T extends Record<string, unknown>>(
    collection: string,
    id: string,
  ): Promise<T | null> {
    return (await this.documents.collection<T>(collection).get(id))?.data ?? null;
  }

  private async needOrgs(needIds: string[]): Promise<string[]> {
    const orgs: (string | null)[] = [];
    for (const id of needIds) orgs.push((await this.get<NeedJourney>(NEEDS, id))?.org ?? null);
    return uniq(orgs);
  }

  private async tenderLinks(tenderId: string): Promise<Links> {
    const tender = await this.get<KnownTender>(TENDERS, tenderId);
    const consultation = tender
      ? await this.get<KnownConsultation>(CONSULTATIONS, tender.consultationId)
      : null;
    return {
      tenderId,
      procedure: tender?.procedure ?? null,
      consultationId: tender?.consultationId ?? null,
      needId: consultation?.needId ?? null,
      buyersGroupId: consultation?.buyersGroupId ?? null,
      needIds: consultation?.needIds ?? [],
      regions: uniq([...(tender?.regions ?? []), ...(consultation?.regions ?? [])]),
      procurerOrgs: tender?.procurerOrgs ?? [],
    };
  }

  private async need(
    m: IntegrationMessage,
    id: string,
    change: (n: NeedJourney) => NeedJourney,
  ): Promise<void> {
    await view(this.documents, m).update<NeedJourney>(NEEDS, id, (known) =>
      change(known ?? newNeed(id)),
    );
  }

  private async innovation(m: IntegrationMessage, id: string, steps: JourneyStep[]): Promise<void> {
    await view(this.documents, m).update<Journey>(INNOVATIONS, id, (known) =>
      steps.reduce(advance, known ?? newJourney(id)),
    );
  }

  private async innovations(filter: Filter): Promise<StoredPair[]> {
    const collection = this.documents.collection<Journey>(INNOVATIONS);
    const matches: StoredPair[] = [];
    let cursor: string | null = null;
    do {
      const page = await collection.find({ filter, limit: 500, cursor });
      for (const doc of page.items) matches.push([doc.id, doc.data]);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return matches;
  }

  private async all<T extends Record<string, unknown>>(
    collection: string,
    filter: Filter,
  ): Promise<T[]> {
    const found: T[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.documents
        .collection<T>(collection)
        .find({ filter, limit: 500, cursor });
      found.push(...page.items.map((doc) => doc.data));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return found;
  }

  /** Steps for every innovation matching `filter`; null leaves one as it is. */
  private async eachInnovation(
    filter: Filter,
    steps: (id: string, journey: Journey) => JourneyStep[] | null,
    m: IntegrationMessage,
  ): Promise<void> {
    for (const [id, journey] of await this.innovations(filter)) {
      const list = steps(id, journey);
      if (list) await this.innovation(m, id, list);
    }
  }
}

type StoredPair = [string, Journey];

function newNeed(id: string): NeedJourney {
  return {
    id,
    org: null,
    region: null,
    title: null,
    status: null,
    priority: null,
    buyersGroupId: null,
    consultationIds: [],
    route: null,
    tenderIds: [],
    innovationIds: [],
    stage: 'NEED',
    stageHistory: [],
  };
}

const NEED_ORDER: Record<NeedStage, number> = { NEED: 0, CONSULTATION: 1, TENDER: 2, DROPPED: 3 };

type NeedStageChange = NeedJourney['stageHistory'][number];

/**
 * A need moves forward only; a dropped need stays dropped. `m`: the event that moved it.
 * Contexts' events arrive in no common order, so the history is rebuilt by date: a late
 * earlier move is slotted in, a move overtaken by an earlier one of the same stage gives way.
 */
function staged(
  need: NeedJourney,
  stage: NeedStage,
  m: Pick<IntegrationMessage, 'time' | 'type'>,
): NeedJourney {
  const stageHistory = needHistory([
    ...need.stageHistory,
    { stage, at: m.time, eventType: m.type },
  ]);
  const last = stageHistory[stageHistory.length - 1];
  return { ...need, stageHistory, stage: last?.stage ?? 'NEED' };
}

/** The forward-only history the moves would leave had they arrived in date order. */
function needHistory(moves: NeedStageChange[]): NeedStageChange[] {
  const sorted = [...moves].sort(
    (a, b) =>
      a.at.localeCompare(b.at) ||
      NEED_ORDER[a.stage] - NEED_ORDER[b.stage] ||
      a.eventType.localeCompare(b.eventType),
  );
  const kept: NeedStageChange[] = [];
  for (const move of sorted) {
    const last = kept[kept.length - 1];
    if (last && (last.stage === 'DROPPED' || NEED_ORDER[move.stage] <= NEED_ORDER[last.stage]))
      continue;
    kept.push(move);
  }
  return kept;
}

function view(documents: DocumentStore, m: IntegrationMessage): ProjectionView {
  return new ProjectionView(documents, {
    id: m.id,
    type: m.type,
    streamId: m.subject,
    revision: m.streamRevision,
    occurredAt: m.time,
    data: m.data,
  });
}
