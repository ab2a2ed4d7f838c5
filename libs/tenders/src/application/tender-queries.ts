import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import {
  DOCUMENT_STORE,
  InvalidCursorError,
  InvalidQueryError,
  type DocumentStore,
  type Filter,
} from '@pcp/documents';
import {
  EVENT_STORE,
  InvalidStateError,
  NotFoundError,
  PERSONAL_DATA_VAULT,
  type DisclosedPersonalData,
  type EventEnvelope,
  type EventStore,
  type PersonalDataVault,
  type SealedPersonalData,
} from '@pcp/eventsourcing';
import {
  RequestValidationError,
  pageOf,
  toHistoryItem,
  type HistoryItem,
  type ListPage,
  type PageQuery,
} from '@pcp/http';
import {
  WITHHELD_ACTOR_EVENTS,
  currentRanking,
  rankingVisibleTo,
  scoresVisibleTo,
  tenderDecider,
  type SealedBidState,
  type TenderEvent,
  type TenderState,
  type Viewer,
} from '../domain';
import { ocdsReleasePackage, withContactPoints, type OcdsReleasePackage } from '../ocds';
import { BIDS_COLLECTION, type BidDocument } from '../read-models/bids.projection';
import { disclosureOf } from '../read-models/tender-history';
import { seesEverything, tenderViewFor, type TenderView } from '../read-models/tender-view';
import { TENDERS_COLLECTION, type TenderDocument } from '../read-models/tenders.projection';
import { SealedBidStore } from './sealed-bid-store';
import { BID_SEALING_KEY } from './settings';
import { bidStream, tenderStream } from './streams';

export interface TenderListQuery {
  status?: string;
  procedure?: string;
  region?: string;
  org?: string;
  limit?: number;
  cursor?: string;
}

export interface BidView {
  bidId: string;
  tenderId: string;
  supplierOrg: string;
  innovationId: string;
  priceEur: number;
  technicalProposal: string;
  declaredTrl: number;
  lotId: string | null;
  /** Sealed as stored; disclosed (name and e-mail, or erased) in every answer. */
  contact: SealedPersonalData | DisclosedPersonalData | null;
  status: 'SEALED' | 'WITHDRAWN' | 'OPENED' | 'REJECTED';
  rejection?: string | null;
  /** Placed before a material amendment of the call and not replaced since. */
  reconfirmationPending: boolean;
}

const SEALED_TYPES = new Set<string>(WITHHELD_ACTOR_EVENTS);
const SCORE_TYPES = new Set(['BidScored', 'ConflictDeclared']);

/** Reads tenders as the caller may see them: single ones from the stream, lists from the read model. */
@Injectable()
export class TenderQueries {
  /** Bid streams, opened with the context's key only where the caller may read the bid. */
  private readonly bidLog: SealedBidStore;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(BID_SEALING_KEY) sealingKey: Buffer,
  ) {
    this.bidLog = new SealedBidStore(store, sealingKey);
  }

  async tender(id: string, viewer: Viewer, asOf?: Date): Promise<TenderView> {
    const { state, revision } = await this.state(id, asOf, viewer);
    return tenderViewFor(state, revision, viewer);
  }

  async list(query: TenderListQuery, viewer: Viewer): Promise<ListPage<TenderView>> {
    const filter: Filter = {};
    if (query.status !== undefined) filter['status'] = query.status;
    if (query.procedure !== undefined) filter['procedure'] = query.procedure;
    if (query.region !== undefined) filter['regions'] = query.region;
    if (query.org !== undefined) filter['org'] = query.org;
    // A draft is the contracting organisation's own until it is published.
    const draftsVisible =
      viewer.roles.includes('auditor') ||
      (viewer.roles.includes('procurer') && query.org === viewer.org);
    if (!draftsVisible) {
      if (query.status === 'DRAFT') return { items: [], nextCursor: null };
      if (query.status === undefined) filter['status'] = { $ne: 'DRAFT' };
    }
    try {
      const page = await this.documents.collection<TenderDocument>(TENDERS_COLLECTION).find({
        filter,
        limit: query.limit,
        cursor: query.cursor,
        sort: { field: 'createdAt', direction: 'asc' },
      });
      return {
        items: page.items.map((d) => tenderViewFor(d.data.state, d.data.revision, viewer)),
        nextCursor: page.nextCursor,
      };
    } catch (error) {
      if (error instanceof InvalidCursorError || error instanceof InvalidQueryError) {
        throw new RequestValidationError([
          { field: 'cursor', constraints: { isCursor: error.message } },
        ]);
      }
      throw error;
    }
  }

  /** Published tenders whose deadline has passed, for the deadline scheduler. */
  async pastDeadline(now: Date): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.documents.collection<TenderDocument>(TENDERS_COLLECTION).find({
        filter: { status: 'PUBLISHED', deadlineMs: { $lte: now.getTime() } },
        limit: 500,
        cursor,
      });
      ids.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return ids;
  }

  /**
   * The tender's events. Before opening, a bid event shows its content (id, digest, count)
   * only to the bidder, and an amendment lists only the viewer's own bids to reconfirm;
   * evaluators see other evaluators' declarations and scores only once the evaluation is
   * complete; suppliers never see them. After opening, what other organisations' bids,
   * rankings, deliverables and assessments say stays as hidden as elsewhere (disclosureOf).
   */
  async history(id: string, viewer: Viewer): Promise<{ streamId: string; items: HistoryItem[] }> {
    const streamId = tenderStream(id);
    const events = await this.store.readStream(streamId);
    const state = fold(events);
    if (state.status === 'NONE' || !mayRead(state, viewer)) throw notFound(id);
    const ownBidIds = await this.ownBidIds(state, viewer.org);
    const opened = state.openedBids.length > 0;
    const full = seesEverything(state, viewer);
    const scores = scoresVisibleTo(state, viewer);
    const reader = {
      viewer,
      evaluator: state.evaluation.evaluators.includes(viewer.userId),
      ownBidIds,
    };
    const items = events.map((e) => {
      if (SEALED_TYPES.has(e.type) && !opened) {
        const bidId = (e.data as { bidId?: string }).bidId;
        const mine = bidId !== undefined && ownBidIds.has(bidId);
        return toHistoryItem(e, mine ? undefined : () => ({ tenderId: id, sealed: true }));
      }
      if (e.type === 'TenderAmended' && !opened) {
        // Which bids an amendment flags is each bidder's own business until the opening.
        const data = e.data as { bidsToReconfirm?: string[] };
        const own = (data.bidsToReconfirm ?? []).filter((bidId) => ownBidIds.has(bidId));
        return toHistoryItem(e, () => ({ ...data, bidsToReconfirm: own }));
      }
      if (SCORE_TYPES.has(e.type) && !full) {
        const { evaluatorId } = e.data as { evaluatorId: string };
        const visible = scores === 'ALL' || (scores === 'OWN' && evaluatorId === viewer.userId);
        if (!visible) return toHistoryItem(e, () => ({ tenderId: id, withheld: true }));
      }
      if (!full) {
        const shown = disclosureOf(e.type, e.data, state, reader);
        if (shown.show === 'withheld') {
          // The reason of a rejection or an assessment is part of what is withheld.
          return { ...toHistoryItem(e, () => ({ tenderId: id, withheld: true })), reason: null };
        }
        if (shown.show === 'part') return toHistoryItem(e, () => shown.data);
      }
      return toHistoryItem(e);
    });
    // Evaluators' names are sealed personal data: opened here, erased marker once erased.
    return { streamId, items: await this.vault.reveal(items) };
  }

  /**
   * Bids: before opening the owning procurer gets the count and a supplier its own bids;
   * after opening the owning procurer, assigned evaluators and auditors read them all.
   */
  async bids(id: string, viewer: Viewer): Promise<{ count?: number; items?: BidView[] }> {
    const { state } = await this.state(id, undefined, viewer);
    const opened = state.openedBids.length > 0;
    const evaluator = state.evaluation.evaluators.includes(viewer.userId);
    if (opened && (seesEverything(state, viewer) || evaluator)) {
      const items: BidView[] = [];
      for (const b of state.openedBids) {
        const sealed = await this.sealed(state, b.bidId);
        items.push({
          ...bidViewOf(sealed, id, b.reconfirmationPending ?? false),
          status: b.rejection === null ? 'OPENED' : 'REJECTED',
          rejection: b.rejection,
        });
      }
      return { count: items.length, items: await this.vault.reveal(items) };
    }
    if (!opened && seesEverything(state, viewer) && !viewer.roles.includes('supplier')) {
      return { count: state.sealedBids.length };
    }
    if (viewer.roles.includes('supplier')) {
      const own = await this.ownBidIds(state, viewer.org);
      const items: BidView[] = [];
      for (const bidId of own) {
        const sealed = await this.sealed(state, bidId);
        const openedBid = state.openedBids.find((b) => b.bidId === bidId);
        // A withdrawn bid is no longer standing: nothing to reconfirm.
        const pending =
          openedBid?.reconfirmationPending ??
          state.sealedBids.find((b) => b.bidId === bidId)?.reconfirmationPending ??
          false;
        const view = bidViewOf(sealed, id, pending);
        items.push(
          openedBid
            ? {
                ...view,
                status: openedBid.rejection === null ? 'OPENED' : 'REJECTED',
                rejection: openedBid.rejection,
              }
            : view,
        );
      }
      return { items: await this.vault.reveal(items) };
    }
    throw new ForbiddenException(
      opened
        ? "A tender's bids are read by its procurers, its assigned evaluators and auditors"
        : 'Bids are sealed until opening: the procurer sees how many arrived, a supplier its own',
    );
  }

  /** One bid, for whoever reads it in the list of bids; 404 for a bid the viewer does not see. */
  async bid(id: string, bidId: string, viewer: Viewer): Promise<BidView> {
    const { items } = await this.bids(id, viewer);
    if (items === undefined) {
      throw new ForbiddenException(
        'Bids are sealed until opening: the procurer sees how many arrived, a supplier its own',
      );
    }
    const bid = items.find((b) => b.bidId === bidId);
    if (!bid) throw new NotFoundError(`The tender ${id} has no bid ${bidId} that you can read`);
    return bid;
  }

  /**
   * One deliverable, for whoever sees the contract's deliverables in the tender: its
   * procurers, auditors and the contract holder.
   */
  async deliverable(id: string, contractId: string, deliverableId: string, viewer: Viewer) {
    const { state, revision } = await this.state(id, undefined, viewer);
    const contract = tenderViewFor(state, revision, viewer).contracts.find(
      (c) => c.contractId === contractId,
    );
    if (!contract) throw new NotFoundError(`The tender ${id} has no contract ${contractId}`);
    if (contract.deliverables === undefined) {
      throw new ForbiddenException(
        "A contract's deliverables are read by the tender's procurers, auditors and the contract holder",
      );
    }
    const deliverable = contract.deliverables.find((d) => d.deliverableId === deliverableId);
    if (!deliverable) {
      throw new NotFoundError(`The contract ${contractId} has no deliverable ${deliverableId}`);
    }
    return {
      id: deliverable.deliverableId,
      tenderId: id,
      contractId,
      title: deliverable.title,
      accepted: deliverable.accepted,
      revision,
    };
  }

  async ranking(id: string, viewer: Viewer) {
    const { state } = await this.state(id, undefined, viewer);
    if (state.openedBids.length === 0 && seesEverything(state, viewer)) {
      throw new InvalidStateError(
        'There is no ranking before the bids are opened',
        'BIDS_NOT_OPENED',
        { status: state.status },
      );
    }
    if (!rankingVisibleTo(state, viewer)) {
      throw new ForbiddenException(
        "The ranking is read by the tender's procurers and auditors, and by its evaluators once all have scored",
      );
    }
    return { tenderId: id, complete: state.ranking !== null, items: currentRanking(state) };
  }

  /**
   * The caller's organisation's tenders: bids, contracts per phase, deliverables, next
   * deadline; in pages by tender id, each tender read only for its page.
   */
  async participations(viewer: Viewer, page: PageQuery = {}) {
    const tenderIds = new Set<string>();
    // Bids sealed at rest are found by the organisation's keyed digest; older ones by its id.
    const filters: Filter[] = [{ bidderKey: this.bidLog.bidderKey(viewer.org) }];
    if (viewer.org) filters.push({ supplierOrg: viewer.org });
    for (const filter of filters) {
      let cursor: string | null = null;
      do {
        const page = await this.documents.collection<BidDocument>(BIDS_COLLECTION).find({
          filter,
          limit: 500,
          cursor,
        });
        for (const d of page.items) tenderIds.add(d.data.tenderId);
        cursor = page.nextCursor;
      } while (cursor !== null);
    }
    const { items: pageIds, nextCursor } = pageOf(
      [...tenderIds].sort(),
      page,
      (tenderId) => tenderId,
    );
    const items = [];
    for (const tenderId of pageIds) {
      const { state, revision, events } = await this.state(tenderId);
      const view = tenderViewFor(state, revision, viewer);
      const bids = (await this.bids(tenderId, viewer)).items ?? [];
      const contracts = view.contracts.filter((c) => c.supplierOrg === viewer.org);
      const running = contracts.filter((c) => c.status === 'RUNNING');
      const phasePlan = state.phase !== null ? state.terms?.phases[state.phase - 1] : undefined;
      items.push({
        tenderId,
        title: view.title,
        procedure: view.procedure,
        status: view.status,
        phase: view.phase,
        bids: bids.map((b) => ({ bidId: b.bidId, status: b.status, priceEur: b.priceEur })),
        contracts,
        deliverablesDue: running
          .filter((c) => !(c.deliverables ?? []).some((d) => d.accepted))
          .map((c) => ({ contractId: c.contractId, phase: c.phase })),
        nextDeadline:
          view.status === 'PUBLISHED'
            ? { kind: 'SUBMISSION', at: view.submissionDeadline }
            : running.length > 0 && phasePlan
              ? {
                  kind: 'PHASE_END',
                  phase: state.phase,
                  at: phaseEnd(events, phasePlan.durationMonths),
                  durationMonths: phasePlan.durationMonths,
                }
              : null,
      });
    }
    return { items, nextCursor };
  }

  async ocds(id: string): Promise<OcdsReleasePackage> {
    const events = await this.store.readStream(tenderStream(id));
    if (events.length === 0) throw notFound(id);
    const pack = ocdsReleasePackage(events);
    if (!pack) throw new NotFoundError(`The tender ${id} is not published`, 'NOT_PUBLISHED');
    return withContactPoints(pack, await this.supplierContacts(fold(events)));
  }

  /**
   * The contact person of each awarded supplier's bid, opened now: an erased person's contact
   * point is left out of the export, never shown.
   */
  private async supplierContacts(
    state: TenderState,
  ): Promise<Map<string, { name: string; email: string }>> {
    const sealedContacts: Array<{ org: string; contact: SealedPersonalData }> = [];
    for (const bid of state.openedBids) {
      const contact = (await this.sealed(state, bid.bidId)).bid?.contact;
      if (contact) sealedContacts.push({ org: bid.supplierOrg, contact });
    }
    const contacts = new Map<string, { name: string; email: string }>();
    for (const { org, contact } of await this.vault.reveal(sealedContacts)) {
      const opened = contact as unknown as DisclosedPersonalData;
      if (opened.erased || contacts.has(org)) continue;
      contacts.set(org, { name: String(opened['name']), email: String(opened['email']) });
    }
    return contacts;
  }

  /** The organisation's bids here, read from the sealed bids themselves (never behind a write). */
  private async ownBidIds(state: TenderState, org: string): Promise<Set<string>> {
    const own = new Set<string>();
    for (const bidId of state.knownBidIds) {
      // Told from the clear part: someone else's bid is not opened to find out.
      if (await this.bidLog.isBidOf(bidStream(bidId), org)) own.add(bidId);
    }
    return own;
  }

  private sealed(state: TenderState, bidId: string): Promise<SealedBidState> {
    const digest = state.sealedBids.find((b) => b.bidId === bidId)?.sealedDigest ?? null;
    return this.bidLog.recordedBid(bidStream(bidId), digest);
  }

  private async state(
    id: string,
    asOf?: Date,
    viewer?: Viewer,
  ): Promise<{ state: TenderState; revision: number; events: EventEnvelope[] }> {
    const all = await this.store.readStream(tenderStream(id));
    const events = asOf ? all.filter((e) => Date.parse(e.occurredAt) <= asOf.getTime()) : all;
    const state = fold(events);
    if (state.status === 'NONE') throw notFound(id, asOf);
    if (viewer && !mayRead(state, viewer)) throw notFound(id);
    return { state, revision: Number(events[events.length - 1].revision), events };
  }
}

/** When the running phase ends: its contracts' start (award or down-selection) plus its duration. */
function phaseEnd(events: readonly EventEnvelope[], durationMonths: number): string | null {
  const start = [...events]
    .reverse()
    .find((e) => e.type === 'PhaseContractsAwarded' || e.type === 'SuppliersDownSelected');
  if (!start) return null;
  const end = new Date(start.occurredAt);
  end.setUTCMonth(end.getUTCMonth() + durationMonths);
  return end.toISOString();
}

/** A draft is not public: outside its organisation (and audit), it does not exist yet. */
function mayRead(state: TenderState, viewer: Viewer): boolean {
  return state.status !== 'DRAFT' || seesEverything(state, viewer);
}

function fold(events: readonly EventEnvelope[]): TenderState {
  return events.reduce(
    (s, e) => tenderDecider.evolve(s, { type: e.type, data: e.data } as TenderEvent),
    tenderDecider.initialState(),
  );
}

function bidViewOf(
  sealed: SealedBidState,
  tenderId: string,
  reconfirmationPending: boolean,
): BidView {
  const bid = sealed.bid;
  if (!bid || bid.tenderId !== tenderId) throw new Error(`bid of tender ${tenderId} not found`);
  return {
    bidId: bid.bidId,
    tenderId,
    supplierOrg: bid.supplierOrg,
    innovationId: bid.innovationId,
    priceEur: bid.priceEur,
    technicalProposal: bid.technicalProposal,
    declaredTrl: bid.declaredTrl,
    lotId: bid.lotId,
    contact: bid.contact ?? null,
    status: sealed.status === 'WITHDRAWN' ? 'WITHDRAWN' : 'SEALED',
    reconfirmationPending,
  };
}

function notFound(id: string, asOf?: Date): NotFoundError {
  return asOf
    ? new NotFoundError(`The tender ${id} did not exist yet at ${asOf.toISOString()}`)
    : new NotFoundError(`There is no tender with the id ${id}`);
}
