import { BEFORE_FIRST, type EventEnvelope, type EventStore } from './event-store';
import { PgliteSqlClient } from './postgres/pglite-sql-client';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { appendedChannel } from './postgres/schema';
import { UpcastingEventStore } from '../upcasting/upcasting-event-store';

export interface LogTailOptions {
  readAll(after: bigint, batchSize: number): Promise<EventEnvelope[]>;
  /** Early wake-up when events are committed; returns an unsubscribe. */
  onAppended?(wake: () => void): () => void;
  /** Events per read of the store; default 2,000. */
  readBatchSize?: number;
  /** Most events kept for readers that are behind; default 20,000. */
  cacheLimit?: number;
  /**
   * How long a caught-up reader waits before looking again without a wake-up (events of
   * other writers, a lost signal): default 1,000 ms with an append signal, 100 ms without.
   */
  pollIntervalMs?: number;
  /**
   * Least time between two looks past the end of what was read, so that under a stream of
   * appends one read takes in many of them instead of one read per append; default 20 ms.
   */
  minLookIntervalMs?: number;
  /**
   * Longest a reader ahead of the others waits for the slowest, rather than read on and push
   * out of the kept events what the slowest has not read yet (which it would then read from
   * the store again); default 1,000 ms, after which a reader that is stuck or backing off
   * after a failure no longer holds the others back.
   */
  maxHoldMs?: number;
}

/** What a projection or consumer reads the log through. */
export interface LogReader {
  readAll(after: bigint, batchSize: number): Promise<EventEnvelope[]>;
  /** Calls `wake` whenever new events may have been committed; returns an unsubscribe. */
  onAppended(wake: () => void): () => void;
  /** How long to wait between looks once caught up. */
  readonly pollIntervalMs: number;
  /** Frees what the tail keeps for this reader. */
  close(): void;
}

interface PendingRead {
  size: number;
  events: Promise<EventEnvelope[]>;
}

/**
 * One shared tail of the event log for every projection and consumer of a process: each
 * keeps its own position, checkpoint and failure handling, but the rows come from one read
 * of the store, kept while some reader still needs them, instead of one read per reader.
 * A reader that is caught up waits for the store's append signal, not a short timer.
 *
 * What `readAll(after, n)` returned is final: no event can later appear at a position
 * between `after` and the last one returned (see the store's visibility rule), so a range
 * read once can be served again from memory.
 */
export class LogTail {
  readonly pollIntervalMs: number;
  private readonly readBatchSize: number;
  private readonly cacheLimit: number;
  /** Every event of the log in (from, to], in order, when `known`. */
  private events: EventEnvelope[] = [];
  private from = BEFORE_FIRST;
  private to = BEFORE_FIRST;
  private known = false;
  /** Bumped by every append signal. */
  private generation = 0;
  /** The generation and time at which the store had nothing after `to`. */
  private emptyAt: { generation: number; time: number } | null = null;
  private readonly pending = new Map<bigint, PendingRead>();
  private readonly listeners = new Set<() => void>();
  private readonly positions = new Map<object, bigint>();
  private readonly unsubscribe: (() => void) | undefined;
  private readonly minLookIntervalMs: number;
  /** When the store was last asked for what follows the kept end. */
  private lookedAt = 0;
  private readonly maxHoldMs: number;
  /** Readers held back, woken whenever some reader moves on. */
  private readonly held = new Set<() => void>();

  constructor(private readonly options: LogTailOptions) {
    this.readBatchSize = options.readBatchSize ?? 2_000;
    this.cacheLimit = options.cacheLimit ?? 20_000;
    this.pollIntervalMs = options.pollIntervalMs ?? (options.onAppended ? 1_000 : 100);
    this.minLookIntervalMs = options.minLookIntervalMs ?? 20;
    this.maxHoldMs = options.maxHoldMs ?? 1_000;
    this.unsubscribe = options.onAppended?.(() => this.appended());
  }

  /** The tail of a store, woken by its append notifications where it has them. */
  static of(store: EventStore, options: Omit<LogTailOptions, 'readAll' | 'onAppended'> = {}) {
    return new LogTail({
      ...options,
      readAll: (after, batchSize) => store.readAll(after, batchSize),
      onAppended: appendSignalOf(store),
    });
  }

  /** New events may have been committed: wake the readers waiting for them. */
  appended(): void {
    this.generation += 1;
    for (const listener of [...this.listeners]) listener();
  }

  reader(): LogReader {
    const key = {};
    this.positions.set(key, BEFORE_FIRST);
    return {
      pollIntervalMs: this.pollIntervalMs,
      readAll: (after, batchSize) => {
        this.positions.set(key, after);
        for (const wake of [...this.held]) wake();
        return this.read(after, batchSize);
      },
      onAppended: (wake) => {
        this.listeners.add(wake);
        return () => this.listeners.delete(wake);
      },
      close: () => {
        this.positions.delete(key);
        for (const wake of [...this.held]) wake();
      },
    };
  }

  close(): void {
    this.unsubscribe?.();
    for (const wake of [...this.held]) wake();
    this.listeners.clear();
    this.events = [];
    this.known = false;
  }

  private async read(
    after: bigint,
    batchSize: number,
    holdUntil = Date.now() + this.maxHoldMs,
  ): Promise<EventEnvelope[]> {
    if (this.known && after >= this.from && after < this.to) return this.slice(after, batchSize);
    if (this.known && after === this.to && this.nothingNew()) return [];
    if (this.known && after >= this.to && this.wouldPushOutUnread() && Date.now() < holdUntil) {
      await this.hold(holdUntil - Date.now());
      return this.read(after, batchSize, holdUntil);
    }
    let read = this.pending.get(after);
    if (!read && this.known && after === this.to) {
      const wait = this.lookedAt + this.minLookIntervalMs - Date.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        return this.read(after, batchSize);
      }
      this.lookedAt = Date.now();
    }
    if (!read || read.size < batchSize) {
      const size = Math.max(batchSize, this.readBatchSize);
      const generation = this.generation;
      const time = Date.now();
      const events = this.options.readAll(after, size).then((events) => {
        this.absorb(after, events, size, { generation, time });
        return events;
      });
      read = { size, events };
      this.pending.set(after, read);
      const done = read;
      void events.then(
        () => this.pending.get(after) === done && this.pending.delete(after),
        () => this.pending.get(after) === done && this.pending.delete(after),
      );
    }
    const events = await read.events;
    return events.length > batchSize ? events.slice(0, batchSize) : events;
  }

  /**
   * Reading another batch past the kept end would push out events a slower reader, still
   * within the kept ones, has not read yet.
   */
  private wouldPushOutUnread(): boolean {
    let slowest: bigint | null = null;
    for (const position of this.positions.values())
      if (slowest === null || position < slowest) slowest = position;
    if (slowest === null || slowest < this.from) return false;
    const unread = this.events.length - this.indexAfter(slowest);
    return unread + this.readBatchSize > this.cacheLimit;
  }

  /** Until some reader moves on, or `ms` have passed. */
  private hold(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.held.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.held.add(wake);
    });
  }

  private nothingNew(): boolean {
    const empty = this.emptyAt;
    return (
      empty !== null &&
      empty.generation === this.generation &&
      Date.now() - empty.time < this.pollIntervalMs
    );
  }

  private absorb(
    after: bigint,
    events: EventEnvelope[],
    size: number,
    asked: { generation: number; time: number },
  ): void {
    const last = events.length > 0 ? events[events.length - 1].globalPosition : after;
    if (!this.known || (after > this.to && last > this.to)) {
      // Nothing kept yet, or the readers moved past what was kept: start over here.
      this.events = events.slice();
      this.from = after;
      this.to = last;
      this.known = true;
      this.emptyAt = null;
    } else if (after >= this.from && after <= this.to && last > this.to) {
      for (const event of events) if (event.globalPosition > this.to) this.events.push(event);
      this.to = last;
      this.emptyAt = null;
    }
    // A short read that reached the kept end: the store had nothing more when asked.
    if (events.length < size && last === this.to) this.emptyAt = asked;
    this.trim();
  }

  private trim(): void {
    let slowest: bigint | null = null;
    for (const position of this.positions.values())
      if (slowest === null || position < slowest) slowest = position;
    let drop = slowest === null ? 0 : this.indexAfter(slowest);
    drop = Math.max(drop, this.events.length - this.cacheLimit);
    if (drop <= 0) return;
    this.from = this.events[drop - 1].globalPosition;
    this.events.splice(0, drop);
  }

  /** Index of the first kept event after `position`. */
  private indexAfter(position: bigint): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle].globalPosition <= position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private slice(after: bigint, batchSize: number): EventEnvelope[] {
    const start = this.indexAfter(after);
    return this.events.slice(start, start + batchSize);
  }
}

/**
 * The embedded store's signal of committed appends (in-process, no connection to hold). On a
 * server the tail polls, as each reader did before it.
 */
export function appendSignalOf(store: EventStore): LogTailOptions['onAppended'] {
  if (store instanceof UpcastingEventStore) return appendSignalOf(store.stored);
  if (!(store instanceof PostgresEventStore) || !(store.client instanceof PgliteSqlClient))
    return undefined;
  const listen = store.client.listen?.bind(store.client);
  if (!listen) return undefined;
  return (wake) => {
    const stop = listen(appendedChannel(store.schema), wake);
    return () => void stop.then((unlisten) => unlisten()).catch(() => undefined);
  };
}
