import type { EventEnvelope, EventStore, LogReader } from '@pcp/eventsourcing';
import { DuplicateKeyError, type DocumentStore } from '../document-store';
import { StagedDocuments, StagedWriteConflict } from './staged-documents';
import { type Projection, applyToProjection } from './projection';

/** Where each projection has read the log up to, kept beside its documents. */
export const CHECKPOINT_COLLECTION = 'projection_checkpoints';

interface CheckpointDoc extends Record<string, unknown> {
  /** Decimal global position of the last event handled. */
  position: string;
}

export interface ProjectionRunnerOptions {
  /** The log; a shared tail's reader also wakes the runner when events are appended. */
  events: Pick<EventStore, 'readAll'> & Partial<Pick<LogReader, 'onAppended' | 'pollIntervalMs'>>;
  documents: DocumentStore;
  projection: Projection;
  /** Events per read; default 500. */
  batchSize?: number;
  /** Wait between reads once caught up; default the reader's, else 200 ms. */
  pollIntervalMs?: number;
  /** Backoff after a failure: from `initialMs`, doubling up to `maxMs`. */
  retry?: { initialMs?: number; maxMs?: number };
  onError?: (error: unknown, projection: string) => void;
}

export interface ProjectionStatus {
  name: string;
  running: boolean;
  /** Global position of the last event read (handled or passed by); -1 before any. */
  position: bigint;
  caughtUp: boolean;
  lastError: string | null;
}

const BEFORE_FIRST = -1n;

/**
 * Feeds one projection from the event log: resumes after its checkpoint, applies each event
 * under the revision guard, stores the checkpoint after each batch. A failure is retried with
 * backoff from the checkpoint; already-applied events are skipped by the guard.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  /** An append signal came while the runner was reading: do not wait for the next. */
  private signalled = false;
  private unsubscribe: (() => void) | null = null;
  /** Waiting for new events (not backing off after a failure). */
  private idle = false;
  private position = BEFORE_FIRST;
  private caughtUp = false;
  private lastError: string | null = null;
  private readonly waiters: { target: bigint; resolve: () => void }[] = [];

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? options.events.pollIntervalMs ?? 200;
    this.retryInitialMs = options.retry?.initialMs ?? 200;
    this.retryMaxMs = options.retry?.maxMs ?? 10_000;
  }

  get name(): string {
    return this.options.projection.name;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.unsubscribe =
      this.options.events.onAppended?.(() => {
        if (this.idle) this.wake?.();
        else this.signalled = true;
      }) ?? null;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.loop = null;
  }

  /** Drops the projection's collections and checkpoint, then replays the whole log. */
  async rebuild(): Promise<void> {
    const wasRunning = this.loop !== null;
    await this.stop();
    const { documents, projection } = this.options;
    for (const name of projection.collections) await documents.collection(name).drop();
    await documents.collection(CHECKPOINT_COLLECTION).delete(projection.name);
    this.position = BEFORE_FIRST;
    this.caughtUp = false;
    if (wasRunning) this.start();
  }

  /** Resolves once every event up to `position` has been read (and applied when relevant). */
  waitFor(position: bigint, timeoutMs = 30_000): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.findIndex((w) => w.resolve === done);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new Error(
            `Projection ${this.name} did not reach position ${position} in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ target: position, resolve: done });
    });
  }

  status(): ProjectionStatus {
    return {
      name: this.name,
      running: this.loop !== null && !this.stopping,
      position: this.position,
      caughtUp: this.caughtUp,
      lastError: this.lastError,
    };
  }

  private checkpoints() {
    return this.options.documents.collection<CheckpointDoc>(CHECKPOINT_COLLECTION);
  }

  private async run(): Promise<void> {
    const { events, projection } = this.options;
    let failures = 0;
    let stored: bigint | null = null;
    while (!this.stopping) {
      try {
        if (stored === null) {
          const checkpoint = await this.checkpoints().get(projection.name);
          stored = checkpoint ? BigInt(checkpoint.data.position) : BEFORE_FIRST;
          this.advance(stored);
        }
        this.signalled = false;
        const batch = await events.readAll(this.position, this.batchSize);
        await this.applyBatch(batch);
        if (this.position !== stored) {
          await this.checkpoints().upsert(projection.name, { position: this.position.toString() });
          stored = this.position;
        }
        failures = 0;
        this.lastError = null;
        this.caughtUp = batch.length < this.batchSize;
        if (this.caughtUp && !this.signalled) {
          this.idle = true;
          await this.pause(this.pollIntervalMs).finally(() => (this.idle = false));
        }
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.onError?.(error, projection.name);
        // resume from the stored checkpoint; the guard skips what was already applied
        if (stored !== null) this.position = stored;
        stored = null;
        await this.pause(Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** failures++));
      }
    }
  }

  /**
   * Applies a batch with its documents staged, each changed document written once at the
   * end; should another writer have changed one meanwhile, applies the batch again one event
   * at a time, straight to the store (the guard skips what the first attempt wrote).
   */
  private async applyBatch(batch: EventEnvelope[]): Promise<void> {
    const { documents, projection } = this.options;
    const staged = new StagedDocuments(documents);
    let last: bigint | null = null;
    try {
      for (const event of batch) {
        if (this.stopping) break;
        await applyToProjection(projection, staged, toProjected(event));
        last = event.globalPosition;
      }
      await staged.flush();
    } catch (error) {
      if (!(error instanceof StagedWriteConflict || error instanceof DuplicateKeyError))
        throw error;
      for (const event of batch) {
        if (this.stopping) break;
        await applyToProjection(projection, documents, toProjected(event));
        this.advance(event.globalPosition);
      }
      return;
    }
    if (last !== null) this.advance(last);
  }

  private advance(position: bigint): void {
    this.position = position;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].target <= position) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}

const toProjected = (event: EventEnvelope) => ({
  id: event.id,
  type: event.type,
  streamId: event.streamId,
  revision: event.revision,
  occurredAt: event.occurredAt,
  data: event.data,
});
