import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  ANCHOR_STORE,
  ANCHOR_ID,
  buildAuditBundlePart,
  EVENT_SEARCH,
  EVENT_STORE,
  findChainBreak,
  UpcastingEventStore,
  verifyEventStore,
  type Anchor,
  type AnchorStore,
  type AuditBundlePart,
  type EventEnvelope,
  type EventSearch,
  type EventStore,
} from '@pcp/eventsourcing';
import {
  SealedBids,
  isBidStream,
  type OpenedBidStream,
  type SealedEventOpener,
} from './sealed-bids';

/** The name this service's store goes by in an aggregated audit: the service's name. */
export const AUDIT_SOURCE_NAME = Symbol('AUDIT_SOURCE_NAME');

export interface AuditEventFilters {
  actor?: string;
  org?: string;
  type?: string;
  streamId?: string;
  /** Occurred at or after (ISO 8601). */
  from?: string;
  /** Occurred at or before (ISO 8601). */
  to?: string;
}

export interface AuditEvent {
  eventId: string;
  type: string;
  /** The context whose stream it is (the stream id's first part). */
  context: string;
  streamId: string;
  revision: number;
  /** Decimal position in the store that holds it. */
  globalPosition: string;
  occurredAt: string;
  recordedAt: string;
  actor: EventEnvelope['actor'] | null;
  reason: string | null;
  correlationId: string;
  causationId: string | null;
  prevHash: string;
  hash: string;
  data: unknown;
  /** True when a sealed bid's content and bidder are withheld until its tender's opening. */
  sealed: boolean;
}

/** A page of one store's events; the cursor is a decimal position of that store. */
export interface StoreEventPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

export interface IntegrityBreakJson {
  streamId: string;
  revision: number;
  problem: string;
}

export interface AnchorRef {
  id: string;
  root: string;
  createdAt: string;
}

export interface StoreVerification {
  source: string;
  ok: boolean;
  checkedStreams: number;
  checkedEvents: number;
  firstBroken?: IntegrityBreakJson;
  anchor: AnchorRef | null;
}

export interface AnchorJson extends AnchorRef {
  streamCount: number;
  eventCount: number;
  heads: { streamId: string; revision: number; hash: string }[];
}

/** A page of one store's anchors, newest first; the cursor is the last anchor's id. */
export interface StoreAnchorPage {
  source: string;
  items: AnchorJson[];
  nextCursor: string | null;
}

/** One store's share of an audit bundle, and what it left out. */
export interface StoreBundlePart extends AuditBundlePart {
  /** Asked for but not in this store. */
  missing: string[];
  /** Sealed bids whose tender has not opened bids. */
  withheld: string[];
  /**
   * Bids of opened tenders sealed at rest, opened by the tenders context beside their stored
   * events (which the proofs cover); absent from stores that hold no such bid.
   */
  openedBids?: OpenedBidStream[];
}

const DECIMAL = /^[0-9]{1,19}$/;
export const MAX_BUNDLE_STREAMS = 200;

const anchorRef = (a: { id: string; root: string; createdAt: string } | null): AnchorRef | null =>
  a ? { id: a.id, root: a.root, createdAt: a.createdAt } : null;

function anchorJson(anchor: Anchor): AnchorJson {
  return {
    id: anchor.id,
    createdAt: anchor.createdAt,
    root: anchor.root,
    streamCount: anchor.streamCount,
    eventCount: Number(anchor.eventCount),
    heads: anchor.heads.map((h) => ({
      streamId: h.streamId,
      revision: Number(h.revision),
      hash: h.hash,
    })),
  };
}

function shownBy(event: AuditEvent, filters: AuditEventFilters): boolean {
  return (
    (filters.actor === undefined || event.actor?.userId === filters.actor) &&
    (filters.org === undefined || event.actor?.org === filters.org)
  );
}

function timeOf(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new BadRequestException(`${field} must be an ISO 8601 time`);
  return t;
}

/**
 * The audit of the event store this service holds: its events as an auditor may see them,
 * the verification of its hash chains against its latest anchor, its anchors, and its share
 * of an audit bundle. Embedded, the one store is every context's; distributed, each service
 * answers for its own and the pipeline puts the answers together.
 */
@Injectable()
export class StoreAudit {
  private readonly stored: EventStore;
  private opener: SealedEventOpener | null = null;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(ANCHOR_STORE) private readonly anchorStore: AnchorStore,
    @Inject(EVENT_SEARCH) private readonly search: EventSearch,
    @Inject(AUDIT_SOURCE_NAME) readonly source: string,
  ) {
    // Hashes cover the stored form, so read beneath any upcasting.
    this.stored = store instanceof UpcastingEventStore ? store.stored : store;
  }

  /** The context that seals bids at rest lets the audit open those of opened tenders. */
  openSealedBidsWith(opener: SealedEventOpener): void {
    this.opener = opener;
  }

  async events(
    filters: AuditEventFilters,
    page: { limit?: number; cursor?: string },
  ): Promise<StoreEventPage> {
    if (page.cursor !== undefined && !DECIMAL.test(page.cursor))
      throw new BadRequestException('cursor is not one this list returned');
    const from = timeOf(filters.from, 'from');
    const to = timeOf(filters.to, 'to');
    const limit = page.limit ?? 50;
    const sealed = new SealedBids(this.stored);
    const items: AuditEvent[] = [];
    let after = page.cursor !== undefined ? BigInt(page.cursor) : undefined;
    // Bids sealed at rest are stored under the system: who made them is known only once opened,
    // so a store that holds such bids matches people on what it shows, not in the query.
    const byShownActor = this.opener !== null && (filters.actor ?? filters.org) !== undefined;
    for (;;) {
      const batch = await this.search.search({
        type: filters.type,
        streamId: filters.streamId,
        actor: byShownActor ? undefined : filters.actor,
        org: byShownActor ? undefined : filters.org,
        from,
        to,
        after,
        limit,
      });
      for (const envelope of batch) {
        after = envelope.globalPosition;
        const event = await this.shown(envelope, sealed);
        // Filters apply to what is shown: a sealed bid's withheld actor never matches.
        if (event.sealed && (filters.actor !== undefined || filters.org !== undefined)) continue;
        if (byShownActor && !shownBy(event, filters)) continue;
        items.push(event);
        if (items.length === limit) return { items, nextCursor: after.toString() };
      }
      if (batch.length < limit) return { items, nextCursor: null };
    }
  }

  async verify(streamId?: string): Promise<StoreVerification> {
    if (streamId === undefined) {
      const report = await verifyEventStore(this.stored, this.anchorStore);
      return {
        source: this.source,
        ok: report.ok,
        checkedStreams: report.checkedStreams,
        checkedEvents: report.checkedEvents,
        ...(report.firstBroken
          ? {
              firstBroken: {
                streamId: report.firstBroken.streamId,
                revision: Number(report.firstBroken.revision),
                problem: report.firstBroken.problem,
              },
            }
          : {}),
        anchor: anchorRef(report.anchor),
      };
    }
    const events = await this.stored.readStream(streamId);
    if (events.length === 0) throw new NotFoundException(`No stream ${streamId} in the log`);
    const broken = findChainBreak(streamId, events);
    return {
      source: this.source,
      ok: broken === null,
      checkedStreams: 1,
      checkedEvents: events.length,
      ...(broken
        ? { firstBroken: { streamId, revision: Number(broken.revision), problem: broken.problem } }
        : {}),
      anchor: anchorRef(await this.anchorStore.latestAnchor()),
    };
  }

  async anchors(page: { limit?: number; cursor?: string }): Promise<StoreAnchorPage> {
    if (page.cursor !== undefined && !ANCHOR_ID.test(page.cursor))
      throw new BadRequestException('cursor is not one this list returned');
    const limit = page.limit ?? 50;
    // One more than asked tells whether a next page exists.
    const found = await this.anchorStore.listAnchors({ limit: limit + 1, before: page.cursor });
    const items = found.slice(0, limit).map(anchorJson);
    return {
      source: this.source,
      items,
      nextCursor: found.length > limit ? items[items.length - 1].id : null,
    };
  }

  /**
   * Whole streams as stored, the latest anchor and each stream's proof to it. The anchor is
   * read first, so every anchored head is among the events read after it.
   */
  async bundlePart(streamIds: string[]): Promise<StoreBundlePart> {
    const unique = [...new Set(streamIds)];
    if (unique.length === 0 || unique.length > MAX_BUNDLE_STREAMS)
      throw new BadRequestException(`Ask for 1 to ${MAX_BUNDLE_STREAMS} streams`);
    const anchor = await this.anchorStore.latestAnchor();
    const sealed = new SealedBids(this.stored);
    const streams: { streamId: string; events: EventEnvelope[] }[] = [];
    const missing: string[] = [];
    const withheld: string[] = [];
    const openedBids: OpenedBidStream[] = [];
    for (const streamId of unique) {
      const events = await this.stored.readStream(streamId);
      if (events.length === 0) missing.push(streamId);
      else if (await sealed.streamSealed(events)) withheld.push(streamId);
      else {
        streams.push({ streamId, events });
        const opened = isBidStream(streamId) ? events.map((e) => this.opened(e)) : [];
        if (opened.some((e, i) => e !== events[i]))
          openedBids.push({
            streamId,
            events: opened.map((e) => ({
              revision: e.revision.toString(),
              type: e.type,
              actor: e.actor,
              reason: e.reason,
              data: e.data,
            })),
          });
      }
    }
    return {
      ...buildAuditBundlePart({ source: this.source, streams, anchor }),
      missing,
      withheld,
      ...(openedBids.length > 0 ? { openedBids } : {}),
    };
  }

  /** An opened tender's bid event as its bidder made it; as stored when it cannot be opened. */
  private opened(envelope: EventEnvelope): EventEnvelope {
    if (!this.opener || !isBidStream(envelope.streamId)) return envelope;
    try {
      return this.opener.open(envelope);
    } catch {
      return envelope;
    }
  }

  /** The event as an auditor may see it: a sealed bid's data and actor are withheld before opening. */
  private async shown(envelope: EventEnvelope, sealed: SealedBids): Promise<AuditEvent> {
    const event: AuditEvent = {
      eventId: envelope.id,
      type: envelope.type,
      context: envelope.streamId.split('-')[0],
      streamId: envelope.streamId,
      revision: Number(envelope.revision),
      globalPosition: envelope.globalPosition.toString(),
      occurredAt: envelope.occurredAt,
      recordedAt: envelope.recordedAt,
      actor: envelope.actor,
      reason: envelope.reason,
      correlationId: envelope.correlationId,
      causationId: envelope.causationId,
      prevHash: envelope.prevHash,
      hash: envelope.hash,
      data: envelope.data,
      sealed: false,
    };
    if (await sealed.sealed(envelope)) {
      return { ...event, actor: null, reason: null, data: null, sealed: true };
    }
    // After opening, a bid sealed at rest shows its bidder and content (the hash covers the stored form).
    const opened = this.opened(envelope);
    return opened === envelope
      ? event
      : { ...event, actor: opened.actor, reason: opened.reason, data: opened.data };
  }
}
