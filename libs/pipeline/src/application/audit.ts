import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  ANCHOR_STORE,
  EVENT_STORE,
  UpcastingEventStore,
  findChainBreak,
  verifyEventStore,
  type AnchorStore,
  type EventEnvelope,
  type EventStore,
} from '@pcp/eventsourcing';

export interface AuditFilters {
  actor?: string;
  org?: string;
  type?: string;
  streamId?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface AuditEvent {
  eventId: string;
  type: string;
  context: string;
  streamId: string;
  revision: number;
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

export interface VerifyOutcome {
  ok: boolean;
  checkedStreams: number;
  checkedEvents: number;
  firstBroken?: { streamId: string; revision: number; problem: string };
  anchor: { id: string; root: string; createdAt: string } | null;
}

/** A sealed bid's own stream: its content and bidder stay secret until the tender opens bids. */
const SEALED_BID_STREAM = /^tenders-bid-/;
const tenderStreamOf = (tenderId: string) => `tenders-tender-${tenderId}`;
const DECIMAL = /^[0-9]{1,19}$/;
const SCAN_BATCH = 500;

/**
 * The audit of the event log this service holds. Embedded, every context appends to one
 * shared log, so this covers them all; a distributed pipeline service holds only its own
 * store (other services' logs are theirs to verify).
 */
@Injectable()
export class AuditTrail {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ANCHOR_STORE) private readonly anchorStore: AnchorStore,
  ) {}

  async events(filters: AuditFilters): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
    if (filters.cursor !== undefined && !DECIMAL.test(filters.cursor))
      throw new BadRequestException('cursor is not one this list returned');
    const from = timeOf(filters.from, 'from');
    const to = timeOf(filters.to, 'to');
    const limit = filters.limit ?? 50;
    const opened = new Map<string, boolean>();
    const items: AuditEvent[] = [];
    let after = filters.cursor !== undefined ? BigInt(filters.cursor) : -1n;
    for (;;) {
      const batch = await this.store.readAll(after, SCAN_BATCH);
      for (const envelope of batch) {
        after = envelope.globalPosition;
        const event = await this.shown(envelope, opened);
        if (!matches(event, filters, from, to)) continue;
        items.push(event);
        if (items.length === limit) return { items, nextCursor: after.toString() };
      }
      if (batch.length < SCAN_BATCH) return { items, nextCursor: null };
    }
  }

  async verify(streamId?: string): Promise<VerifyOutcome> {
    const anchorOf = (a: { id: string; root: string; createdAt: string } | null) =>
      a ? { id: a.id, root: a.root, createdAt: a.createdAt } : null;
    if (streamId === undefined) {
      const report = await verifyEventStore(this.store, this.anchorStore);
      return {
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
        anchor: anchorOf(report.anchor),
      };
    }
    // Hashes cover the stored form, so read beneath any upcasting.
    const source = this.store instanceof UpcastingEventStore ? this.store.stored : this.store;
    const events = await source.readStream(streamId);
    if (events.length === 0) throw new NotFoundException(`No stream ${streamId} in the log`);
    const broken = findChainBreak(streamId, events);
    return {
      ok: broken === null,
      checkedStreams: 1,
      checkedEvents: events.length,
      ...(broken
        ? { firstBroken: { streamId, revision: Number(broken.revision), problem: broken.problem } }
        : {}),
      anchor: anchorOf(await this.anchorStore.latestAnchor()),
    };
  }

  async anchors(): Promise<{ items: unknown[]; nextCursor: null }> {
    const latest = await this.anchorStore.latestAnchor();
    if (!latest) return { items: [], nextCursor: null };
    return {
      items: [
        {
          id: latest.id,
          createdAt: latest.createdAt,
          root: latest.root,
          streamCount: latest.streamCount,
          eventCount: Number(latest.eventCount),
          heads: latest.heads.map((h) => ({
            streamId: h.streamId,
            revision: Number(h.revision),
            hash: h.hash,
          })),
        },
      ],
      nextCursor: null,
    };
  }

  /** The event as an auditor may see it: a sealed bid's data and actor are withheld before opening. */
  private async shown(envelope: EventEnvelope, opened: Map<string, boolean>): Promise<AuditEvent> {
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
    if (!SEALED_BID_STREAM.test(envelope.streamId)) return event;
    const tenderId = (envelope.data as { tenderId?: unknown } | null)?.tenderId;
    if (typeof tenderId === 'string' && (await this.isOpened(tenderId, opened))) return event;
    return { ...event, actor: null, reason: null, data: null, sealed: true };
  }

  private async isOpened(tenderId: string, known: Map<string, boolean>): Promise<boolean> {
    const cached = known.get(tenderId);
    if (cached !== undefined) return cached;
    const events = await this.store.readStream(tenderStreamOf(tenderId));
    const opened = events.some((e) => e.type === 'BidsOpened');
    known.set(tenderId, opened);
    return opened;
  }
}

function timeOf(value: string | undefined, field: string): number | null {
  if (value === undefined) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new BadRequestException(`${field} must be an ISO 8601 time`);
  return t;
}

/** Filters apply to what is shown: a sealed bid's withheld actor never matches. */
function matches(
  event: AuditEvent,
  f: AuditFilters,
  from: number | null,
  to: number | null,
): boolean {
  if (f.type !== undefined && event.type !== f.type) return false;
  if (f.streamId !== undefined && event.streamId !== f.streamId) return false;
  if (f.actor !== undefined && event.actor?.userId !== f.actor) return false;
  if (f.org !== undefined && event.actor?.org !== f.org) return false;
  const at = Date.parse(event.occurredAt);
  if (from !== null && at < from) return false;
  if (to !== null && at > to) return false;
  return true;
}
