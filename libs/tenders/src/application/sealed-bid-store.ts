import {
  DelegatingEventStore,
  systemActor,
  type Actor,
  type AppendResult,
  type EventEnvelope,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadStreamOptions,
} from '@pcp/eventsourcing';
import { standingBid, type SealedBidEvent, type SealedBidState } from '../domain';
import { bidderKey, openBid, sealBid, type SealedBox } from './bid-sealing';

/** Events of bid streams are stored (envelope and data) under this actor: the bidder is sealed. */
export const SEALED_BID_ACTOR = systemActor('sealed-bid');

/** Bid events stored sealed; schema version 1 was plain JSON and is still read as it is. */
export const SEALED_BID_SCHEMA_VERSION = 2;

/** What a sealed bid event stores in clear: enough to place it, nothing of the bid. */
export interface StoredSealedBidData {
  tenderId: string;
  bidId: string;
  /** On the first event only: the bidder's keyed digest, for the bids-by-organisation view. */
  bidderKey?: string;
  sealed: SealedBox;
}

/** Inside the seal: the event as the bidder made it. */
interface SealedContent {
  data: Record<string, unknown>;
  actor: Actor;
  reason: string | null;
}

export function isSealedBidData(data: unknown): data is StoredSealedBidData {
  const d = data as Partial<StoredSealedBidData> | null;
  return (
    typeof d?.tenderId === 'string' &&
    typeof d.bidId === 'string' &&
    typeof d.sealed === 'object' &&
    d.sealed !== null
  );
}

/**
 * The event store as the tenders context sees its bid streams: appends are sealed with the
 * bid's key under the sealed-bid actor, reads open them again. Only this context holds the
 * key; every other reader (audit, bundles, the integrity verifier) sees what is stored.
 */
export class SealedBidStore extends DelegatingEventStore {
  constructor(
    stored: EventStore,
    private readonly masterKey: Buffer,
  ) {
    super(stored);
  }

  /** The keyed digest of an organisation, as sealed bids and the bids-by-organisation view carry it. */
  bidderKey(org: string): string {
    return bidderKey(this.masterKey, org);
  }

  /** Whether the bid's first event names this organisation as bidder, without opening the bid. */
  async isBidOf(streamId: string, org: string): Promise<boolean> {
    const [first] = await this.stored.readStream(streamId, { to: 0n });
    if (!first) return false;
    if (isSealedBidData(first.data)) return first.data.bidderKey === this.bidderKey(org);
    return (first.data as { supplierOrg?: unknown }).supplierOrg === org;
  }

  /**
   * The bid in `streamId` as its tender recorded it (`digest`, the tender's SealedBidEntry):
   * never a replacement the tender refused (standingBid).
   */
  async recordedBid(streamId: string, digest: string | null): Promise<SealedBidState> {
    const events = await this.readStream(streamId);
    return standingBid(
      events.map((e) => ({ type: e.type, data: e.data }) as SealedBidEvent),
      digest,
    );
  }

  /** The tender a bid belongs to, from its clear part. */
  async tenderOf(streamId: string): Promise<string | null> {
    const [first] = await this.stored.readStream(streamId, { to: 0n });
    const tenderId = (first?.data as { tenderId?: unknown } | undefined)?.tenderId;
    return typeof tenderId === 'string' ? tenderId : null;
  }

  override async append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const result = await this.stored.append(streamId, events.map(this.sealed), expected);
    return { ...result, appended: result.appended.map(this.opened) };
  }

  override async readStream(
    streamId: string,
    options?: ReadStreamOptions,
  ): Promise<EventEnvelope[]> {
    return (await this.stored.readStream(streamId, options)).map(this.opened);
  }

  private readonly sealed = (event: NewEvent): NewEvent => {
    const data = event.data as Record<string, unknown>;
    const { tenderId, bidId, supplierOrg } = data;
    if (typeof tenderId !== 'string' || typeof bidId !== 'string') {
      throw new Error(`a sealed bid event needs its tender and bid ids (${event.type})`);
    }
    const content: SealedContent = { data, actor: event.actor, reason: event.reason ?? null };
    const stored: StoredSealedBidData = {
      tenderId,
      bidId,
      ...(typeof supplierOrg === 'string' ? { bidderKey: this.bidderKey(supplierOrg) } : {}),
      sealed: sealBid(this.masterKey, tenderId, bidId, content),
    };
    return {
      ...event,
      schemaVersion: SEALED_BID_SCHEMA_VERSION,
      actor: SEALED_BID_ACTOR,
      reason: null,
      data: stored,
    };
  };

  /** A sealed event as the bidder made it; a plain one (schema version 1) as it is. */
  readonly opened = (envelope: EventEnvelope): EventEnvelope => {
    if (envelope.schemaVersion < SEALED_BID_SCHEMA_VERSION || !isSealedBidData(envelope.data)) {
      return envelope;
    }
    const { tenderId, bidId, sealed } = envelope.data;
    const content = openBid<SealedContent>(this.masterKey, tenderId, bidId, sealed);
    return { ...envelope, data: content.data, actor: content.actor, reason: content.reason };
  };
}
