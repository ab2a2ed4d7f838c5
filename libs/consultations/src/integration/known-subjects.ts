import { Inject, Injectable } from '@nestjs/common';
import {
  BuyersGroupFormedEvent,
  BuyersGroupJoinedEvent,
  NeedRecordedEvent,
  NeedRejectedEvent,
  NeedValidatedEvent,
  NeedWithdrawnEvent,
} from '@pcp/contracts';
import { DOCUMENT_STORE, ProjectionView, type DocumentStore } from '@pcp/documents';
import {
  on,
  type HandlerBinding,
  type IntegrationConsumer,
  type IntegrationMessage,
} from '@pcp/messaging';
import type { BuyersGroupFacts, NeedFacts } from '../domain';
import { CONSULTATION_SETTINGS, type ConsultationSettings } from '../application/settings';

/** What consultations knows of the needs context's needs: its own copy, fed by events. */
export const KNOWN_NEEDS = 'consultations_known_needs';
export const KNOWN_BUYERS_GROUPS = 'consultations_known_buyers_groups';

type KnownNeed = {
  id: string;
  org: string;
  /** Null when only a rejection or withdrawal was heard of, which carries no region. */
  region: string | null;
  status: NeedFacts['status'];
};

type KnownBuyersGroup = {
  id: string;
  leadOrg: string;
  memberOrgs: string[];
  needIds: string[];
  regions: string[];
};

/**
 * Learns needs and buyers groups from `pcp.needs.events` (or, embedded, the same events
 * from the log). Idempotent: each document remembers the revision of the need's or group's
 * stream it reflects, so a redelivered or replayed event changes nothing.
 */
@Injectable()
export class NeedsEventsConsumer implements IntegrationConsumer {
  readonly name = 'consultations.needs';
  readonly handlers: HandlerBinding[];

  constructor(@Inject(DOCUMENT_STORE) private readonly documents: DocumentStore) {
    this.handlers = [
      on(NeedRecordedEvent, (m) =>
        this.need(
          m,
          (known) =>
            known ?? {
              id: m.data.needId,
              org: m.data.org,
              region: m.data.region,
              status: 'RECORDED',
            },
        ),
      ),
      on(NeedValidatedEvent, (m) =>
        this.need(m, () => ({
          id: m.data.needId,
          org: m.data.org,
          region: m.data.region,
          status: 'VALIDATED',
        })),
      ),
      on(NeedRejectedEvent, (m) =>
        this.need(m, (known) => ({
          id: m.data.needId,
          org: m.data.org,
          region: known?.region ?? null,
          status: 'REJECTED',
        })),
      ),
      on(NeedWithdrawnEvent, (m) =>
        this.need(m, (known) => ({
          id: m.data.needId,
          org: m.data.org,
          region: known?.region ?? null,
          status: 'WITHDRAWN',
        })),
      ),
      on(BuyersGroupFormedEvent, (m) =>
        this.group(m, () => ({
          id: m.data.buyersGroupId,
          leadOrg: m.data.leadOrg,
          memberOrgs: [m.data.leadOrg],
          needIds: [...m.data.needIds],
          regions: [...m.data.regions],
        })),
      ),
      on(BuyersGroupJoinedEvent, (m) =>
        this.group(m, (known) =>
          known
            ? {
                ...known,
                memberOrgs: distinct([...known.memberOrgs, m.data.org]),
                needIds: distinct([...known.needIds, m.data.needId]),
                regions: distinct([...known.regions, m.data.region]),
              }
            : undefined,
        ),
      ),
    ];
  }

  private async need(
    message: IntegrationMessage<{ needId: string }>,
    change: (known: KnownNeed | null) => KnownNeed | undefined,
  ): Promise<void> {
    await viewOf(this.documents, message).update<KnownNeed>(
      KNOWN_NEEDS,
      message.data.needId,
      change,
    );
  }

  private async group(
    message: IntegrationMessage<{ buyersGroupId: string }>,
    change: (known: KnownBuyersGroup | null) => KnownBuyersGroup | undefined,
  ): Promise<void> {
    await viewOf(this.documents, message).update<KnownBuyersGroup>(
      KNOWN_BUYERS_GROUPS,
      message.data.buyersGroupId,
      change,
    );
  }
}

function viewOf(documents: DocumentStore, message: IntegrationMessage): ProjectionView {
  return new ProjectionView(documents, {
    id: message.id,
    type: message.type,
    streamId: message.subject,
    revision: message.streamRevision,
    occurredAt: message.time,
    data: message.data,
  });
}

/**
 * Looks needs and buyers groups up in what consultations has learned. The needs context's
 * events arrive a moment after its commands succeed, so a need that is unknown or not yet
 * validated (a group not yet known, or not yet spanning two regions) is looked up again
 * every `consistencyPollMs`, up to `consistencyWaitMs`, before the answer is taken as final.
 */
@Injectable()
export class KnownSubjects {
  constructor(
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
    @Inject(CONSULTATION_SETTINGS) private readonly settings: ConsultationSettings,
  ) {}

  async need(id: string): Promise<NeedFacts | undefined> {
    const known = await this.settled(
      () => this.documents.collection<KnownNeed>(KNOWN_NEEDS).get(id),
      (doc) => doc !== null && doc.data.status !== 'RECORDED',
    );
    if (!known) return undefined;
    const { org, region, status } = known.data;
    return { id, org, region: region ?? '', status };
  }

  async buyersGroup(id: string): Promise<BuyersGroupFacts | undefined> {
    const known = await this.settled(
      () => this.documents.collection<KnownBuyersGroup>(KNOWN_BUYERS_GROUPS).get(id),
      (doc) => doc !== null && doc.data.regions.length >= 2,
    );
    if (!known) return undefined;
    return { id, leadOrg: known.data.leadOrg, regions: [...known.data.regions] };
  }

  private async settled<T>(read: () => Promise<T>, final: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + this.settings.consistencyWaitMs;
    let value = await read();
    while (!final(value) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.settings.consistencyPollMs));
      value = await read();
    }
    return value;
  }
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}
