import type { EventEnvelope, EventStore } from '@pcp/eventsourcing';

/**
 * The sealed-bid rule of DOMAIN.md as every audit read applies it: a bid's own stream holds
 * its content and bidder, and stays withheld until its tender's stream records the opening.
 * Both streams are the tenders context's (`tenders-bid-<id>`, `tenders-tender-<id>`), so the
 * store that holds a bid also holds what says whether it is open.
 */
const SEALED_BID_STREAM = /^tenders-bid-/;
const tenderStreamOf = (tenderId: string) => `tenders-tender-${tenderId}`;
const OPENING = 'BidsOpened';

export const isBidStream = (streamId: string): boolean => SEALED_BID_STREAM.test(streamId);

/** What an audit read may show of a store's bids; one per read, caching what it learns. */
export class SealedBids {
  private readonly opened = new Map<string, boolean>();

  constructor(private readonly store: EventStore) {}

  /** Whether the event is of a bid whose tender has not opened bids (or is unknown). */
  async sealed(event: EventEnvelope): Promise<boolean> {
    if (!isBidStream(event.streamId)) return false;
    const tenderId = (event.data as { tenderId?: unknown } | null)?.tenderId;
    return typeof tenderId !== 'string' || !(await this.isOpened(tenderId));
  }

  /** Whether a whole stream must be withheld: a bid stream whose tender has not opened bids. */
  async streamSealed(events: EventEnvelope[]): Promise<boolean> {
    if (events.length === 0 || !isBidStream(events[0].streamId)) return false;
    for (const event of events) if (await this.sealed(event)) return true;
    return false;
  }

  private async isOpened(tenderId: string): Promise<boolean> {
    const known = this.opened.get(tenderId);
    if (known !== undefined) return known;
    const events = await this.store.readStream(tenderStreamOf(tenderId));
    const opened = events.some((e) => e.type === OPENING);
    this.opened.set(tenderId, opened);
    return opened;
  }
}

/**
 * How the context that sealed a bid at rest opens one of its stored events (actor, reason and
 * data as the bidder made them). Audit reads ask it only for bids whose tender has opened.
 */
export interface SealedEventOpener {
  open(envelope: EventEnvelope): EventEnvelope;
}

/** A bid's events as opened beside the stored (sealed) ones; the hashes cover the stored form. */
export interface OpenedBidStream {
  streamId: string;
  events: {
    revision: string;
    type: string;
    actor: EventEnvelope['actor'];
    reason: string | null;
    data: unknown;
  }[];
}
