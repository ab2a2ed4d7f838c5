import type { EventStore, StreamHead } from '../store/event-store';
import { merkleRoot, sortHeads } from './merkle';

/** A recorded Merkle root over every stream head at one moment. */
export interface Anchor {
  id: string;
  createdAt: string;
  root: string;
  streamCount: number;
  eventCount: bigint;
  /** The heads the root was computed over, sorted by streamId. */
  heads: StreamHead[];
}

export type NewAnchor = Omit<Anchor, 'id' | 'createdAt'>;

export interface ListAnchorsOptions {
  /** At most this many; default 50. */
  limit?: number;
  /** Only anchors recorded before the one with this id (the previous page's last id). */
  before?: string;
}

/** Where anchors are kept; each event store adapter has one. */
export interface AnchorStore {
  recordAnchor(anchor: NewAnchor): Promise<Anchor>;
  latestAnchor(): Promise<Anchor | null>;
  /** Anchors newest first; ids are decimal and rise with each anchor. */
  listAnchors(options?: ListAnchorsOptions): Promise<Anchor[]>;
}

/** An anchor id as anchor stores give them: a decimal number. */
export const ANCHOR_ID = /^[0-9]{1,19}$/;

/** The page size asked for, checked: 1 to 1000. */
export function anchorPageSize(options: ListAnchorsOptions = {}): number {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new RangeError(`An anchor page holds 1 to 1000 anchors, not ${String(limit)}`);
  if (options.before !== undefined && !ANCHOR_ID.test(options.before))
    throw new RangeError(`"${options.before}" is not an anchor id`);
  return limit;
}

/** Computes the anchor of the store as it is now. */
export async function computeAnchor(store: EventStore): Promise<NewAnchor> {
  const heads = sortHeads(await store.streamHeads());
  return {
    root: merkleRoot(heads),
    streamCount: heads.length,
    eventCount: heads.reduce((sum, head) => sum + head.revision + 1n, 0n),
    heads,
  };
}

/** Records an anchor of the store as it is now. */
export async function anchorNow(store: EventStore, anchors: AnchorStore): Promise<Anchor> {
  return anchors.recordAnchor(await computeAnchor(store));
}

export interface AnchorSchedulerOptions {
  intervalMs: number;
  /** Told about a failed anchoring; the schedule goes on. */
  onError?: (error: unknown) => void;
  /** Told about each recorded anchor. */
  onAnchor?: (anchor: Anchor) => void;
}

/** Records an anchor every `intervalMs`, skipping a tick while the previous one still runs. */
export class AnchorScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly anchors: AnchorStore,
    private readonly options: AnchorSchedulerOptions,
  ) {
    if (!(options.intervalMs > 0))
      throw new RangeError('AnchorScheduler needs a positive intervalMs');
  }

  get started(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = null));
    }, this.options.intervalMs);
    // A pending anchor must not keep the process alive on shutdown.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const anchor = await anchorNow(this.store, this.anchors);
      this.options.onAnchor?.(anchor);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Stops the schedule and waits for an anchoring in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
