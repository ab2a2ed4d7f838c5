/**
 * The event store port: what every context's write side and every subscriber relies on.
 * Adapters: PostgreSQL (pg on a server, PGlite embedded) and EventStoreDB. One contract
 * suite proves each of them.
 *
 * Revisions and positions are bigint in code; wherever they leave the process (JSON, HTTP,
 * Kafka) they are decimal strings, so nothing loses precision.
 */

/** Who caused an event: a person acting for an organisation, or the system itself. */
export interface Actor {
  userId: string;
  /** Organisation id; null for the system. */
  org: string | null;
  roles: string[];
}

export const systemActor = (name: string): Actor => ({
  userId: `system:${name}`,
  org: null,
  roles: ['system'],
});

/** A stored event with its metadata and integrity fields. */
export interface EventEnvelope<T = unknown> {
  /** UUID; the idempotency key of the append. */
  id: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  /** Position in its stream, from 0. */
  revision: bigint;
  /** Store-wide order, strictly increasing in commit-visibility order. */
  globalPosition: bigint;
  /** When it happened in the domain (ISO 8601). */
  occurredAt: string;
  /**
   * When the store recorded it (ISO 8601), never before the stream's previous event. PostgreSQL:
   * the database's clock, or the writing process's where that is not ahead of it.
   */
  recordedAt: string;
  actor: Actor;
  reason: string | null;
  correlationId: string;
  causationId: string | null;
  data: T;
  /** Hash of the previous event of the same stream; 64 zeros for revision 0. */
  prevHash: string;
  /**
   * SHA-256(prevHash || canonical JSON of the envelope without hash and globalPosition).
   * The position is left out because some stores assign it only after the write.
   */
  hash: string;
}

/** What a caller hands to `append`; the store fills in the rest. */
export interface NewEvent<T = unknown> {
  id?: string;
  type: string;
  schemaVersion?: number;
  data: T;
  occurredAt?: string;
  actor: Actor;
  reason?: string | null;
  correlationId: string;
  causationId?: string | null;
}

export const NO_STREAM = 'NO_STREAM' as const;
export const STREAM_EXISTS = 'STREAM_EXISTS' as const;
export const ANY = 'ANY' as const;
/** An exact revision (the revision of the stream's last event), or one of the states. */
export type ExpectedRevision = bigint | typeof NO_STREAM | typeof STREAM_EXISTS | typeof ANY;

export interface AppendResult {
  /**
   * Revision of the last event of this append; for an idempotent repeat, the revision the
   * repeated events were first stored at.
   */
  lastRevision: bigint;
  /** Global position of the last event of this append (or of its first storing). */
  lastPosition: bigint;
  /** The envelopes written; empty when the append was an idempotent repeat. */
  appended: EventEnvelope[];
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). */
  from?: bigint;
  /** Last revision to return (inclusive). */
  to?: bigint;
  /** Only events recorded at or before this instant (ISO 8601 or Date). */
  asOf?: string | Date;
}

export interface StreamHead {
  streamId: string;
  revision: bigint;
  hash: string;
}

export type EventHandler = (event: EventEnvelope) => Promise<void> | void;

export interface SubscribeOptions {
  /** Events per read; default 500. */
  batchSize?: number;
  /** Wait between polls when caught up, in ms; default 100 (adapters may push instead). */
  pollIntervalMs?: number;
  /** Only these event types reach the handler (the checkpoint still moves past others). */
  eventTypes?: string[];
}

export interface Subscription {
  readonly name: string;
  /** Stops after the event in hand; resolves once stopped and the checkpoint is stored. */
  stop(): Promise<void>;
  /** Resolves when the subscription ends; rejects with the handler's error if it failed. */
  readonly done: Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically after checking `expected`; a mismatch throws ConcurrencyError.
   * Idempotent retries: when every event id of the batch is already in the stream nothing
   * is written and the first storing's result comes back (`appended` empty), whatever
   * `expected` says; when only some are, EventIdConflictError. An empty batch or a
   * malformed event throws InvalidAppendError.
   */
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** The stream's events in revision order; empty when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<EventEnvelope[]>;
  /** Events with globalPosition > `after`, in global order, at most `batchSize`. */
  readAll(after: bigint, batchSize: number): Promise<EventEnvelope[]>;
  /**
   * Catch-up subscription: every committed event exactly once, in global order, resuming
   * after the durable checkpoint stored under `name`.
   */
  subscribe(name: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
  /** The stored checkpoint of a subscription, or null when it has none. */
  readCheckpoint(name: string): Promise<bigint | null>;
  /**
   * Sets a subscription's checkpoint; `BEFORE_FIRST` makes it start over (read models kept
   * in memory are rebuilt from the log at start).
   */
  writeCheckpoint(name: string, position: bigint): Promise<void>;
  /**
   * Global position of the last event a subscriber can read now (`BEFORE_FIRST` when none):
   * what "caught up" means for projections and consumers.
   */
  headPosition(): Promise<bigint>;
  /** Every stream's last revision and hash (for anchors and verification). */
  streamHeads(): Promise<StreamHead[]>;
  close(): Promise<void>;
}

/** A position before every stored event: `readAll(BEFORE_FIRST, n)` reads from the start. */
export const BEFORE_FIRST = -1n;

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision; null when the stream does not exist. */
    readonly actual: bigint | null,
  ) {
    super(
      `Stream ${streamId}: expected ${String(expected)}, but the stream is at ${
        actual === null ? 'NO_STREAM' : actual.toString()
      }`,
    );
    this.name = 'ConcurrencyError';
  }
}

/**
 * Some, but not all, of the appended event ids are already in the stream: neither a
 * retry of an earlier append (which would repeat all of them) nor a new one.
 */
export class EventIdConflictError extends Error {
  constructor(
    readonly streamId: string,
    /** Ids of the batch that the stream already holds. */
    readonly repeatedIds: string[],
  ) {
    super(
      `Stream ${streamId}: events ${repeatedIds.join(', ')} were appended before, the rest of the batch was not`,
    );
    this.name = 'EventIdConflictError';
  }
}

/** The append itself is malformed (no events, a bad id or date, data without a JSON form). */
export class InvalidAppendError extends Error {
  constructor(
    readonly streamId: string,
    message: string,
  ) {
    super(`Stream ${streamId}: ${message}`);
    this.name = 'InvalidAppendError';
  }
}
