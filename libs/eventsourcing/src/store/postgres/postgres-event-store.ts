import { join } from 'node:path';
import { GENESIS_HASH } from '../../integrity/hash-chain';
import {
  ANY,
  BEFORE_FIRST,
  type AppendResult,
  ConcurrencyError,
  type EventEnvelope,
  type EventHandler,
  EventIdConflictError,
  type EventStore,
  type ExpectedRevision,
  InvalidAppendError,
  type NewEvent,
  NO_STREAM,
  type ReadStreamOptions,
  STREAM_EXISTS,
  type StreamHead,
  type SubscribeOptions,
  type Subscription,
} from '../event-store';
import { prepareEventsWithJson } from '../new-events';
import { type GroupLimits, type QueuedAppend, takeCommitGroup } from './commit-groups';
import { type CheckpointStore, pollingSubscription } from '../polling-subscription';
import { PgSqlClient } from './pg-sql-client';
import { PgliteSqlClient } from './pglite-sql-client';
import { type KnownHead, KnownHeadAttempts, KnownHeads } from './known-heads';
import { chainForStorage, StoredColumns } from './stored-chain';
import { appendedChannel, assertSchemaName, migrate, streamLockSpace } from './schema';
import {
  type SqlClient,
  type SqlQueryable,
  type SqlRow,
  sqlState,
  UNIQUE_VIOLATION,
} from './sql-client';

export interface PostgresEventStoreOptions {
  /** Schema holding the store's tables; default `eventstore`. */
  schema?: string;
  /** Wake subscribers with LISTEN/NOTIFY as well as polling; default true. */
  notify?: boolean;
  /** Close the client with the store; default true. */
  ownsClient?: boolean;
  /**
   * Commit groups written at the same time, each in its own transaction; a second one only
   * while at least 100 events wait. Default 4 on a server, 2 embedded (PGlite runs one
   * transaction at a time).
   */
  groupsInFlight?: number;
  /** Most appends in one commit group; default 256. */
  groupAppends?: number;
  /**
   * Most events in one commit group (a larger append goes alone); default 200 on a server,
   * 1,000 embedded.
   */
  groupEvents?: number;
}

/**
 * The columns an envelope is read from (see `toEnvelope`). The instants come as the ISO text
 * the envelope holds (they are stored to the millisecond): no Date to parse and write again
 * for every event read.
 */
export const COLUMNS = `global_position, stream_id, revision, id::text AS id, type, schema_version,
  ${isoText('occurred_at')} AS occurred_at, ${isoText('recorded_at')} AS recorded_at,
  actor, reason, correlation_id, causation_id, data, prev_hash, hash`;

function isoText(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

export interface EventRow extends SqlRow {
  global_position: string | bigint;
  stream_id: string;
  revision: string | bigint;
  id: string;
  type: string;
  schema_version: number;
  occurred_at: Date | string;
  recorded_at: Date | string;
  actor: EventEnvelope['actor'];
  reason: string | null;
  correlation_id: string;
  causation_id: string | null;
  data: unknown;
  prev_hash: string;
  hash: string;
}

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** An instant as `toISOString` writes it; text already in that form is taken as it is. */
const iso = (value: Date | string): string =>
  typeof value === 'string' && ISO_INSTANT.test(value)
    ? value
    : (value instanceof Date ? value : new Date(value)).toISOString();

export function toEnvelope(row: EventRow): EventEnvelope {
  return {
    id: row.id,
    type: row.type,
    schemaVersion: Number(row.schema_version),
    streamId: row.stream_id,
    // pg returns bigint columns as strings, PGlite as bigint.
    revision: BigInt(row.revision),
    globalPosition: BigInt(row.global_position),
    occurredAt: iso(row.occurred_at),
    recordedAt: iso(row.recorded_at),
    actor: row.actor,
    reason: row.reason,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    data: row.data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Where the embedded store keeps its files inside the service's DATA_DIR (default ./.data),
 * apart from the other files kept there.
 */
export function embeddedStoreDir(dataDir = process.env.DATA_DIR ?? './.data'): string {
  return join(dataDir, 'eventstore');
}

/** Events waiting that justify a commit group beside the one in flight. */
const PARALLEL_GROUP_EVENTS = 100;

/** What one append of a commit group comes to. */
type GroupOutcome = { result: AppendResult } | { error: unknown };

/** Thrown inside a group's transaction to roll it back when none of its appends writes. */
class GroupSettled {
  constructor(readonly outcomes: GroupOutcome[]) {}
}

/** An id of the batch that the stream already holds, where begin_append_group found it. */
interface RepeatedId {
  id: string;
  revision: string;
  position: string;
}

/** The answer to a repeat: the first storing's result when the whole batch is stored, else a conflict. */
function repeatOutcome(append: QueuedAppend, stored: RepeatedId[]): GroupOutcome {
  if (stored.length < append.prepared.length) {
    return {
      error: new EventIdConflictError(
        append.streamId,
        stored.map((row) => row.id),
      ),
    };
  }
  const last = stored[stored.length - 1];
  return {
    result: {
      lastRevision: BigInt(last.revision),
      lastPosition: BigInt(last.position),
      appended: [],
    },
  };
}

const headOf = (event: EventEnvelope): KnownHead => ({
  revision: event.revision,
  hash: event.hash,
  recordedAt: event.recordedAt,
});

/** Errors of what a statement was given (data, constraints), not of the connection or server. */
function rejectsOneAppend(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

export function assertExpectedRevision(streamId: string, expected: ExpectedRevision): void {
  if (expected === ANY || expected === NO_STREAM || expected === STREAM_EXISTS) return;
  if (typeof expected !== 'bigint' || expected < 0n) {
    throw new InvalidAppendError(
      streamId,
      `expected revision ${String(expected)} is neither a revision nor a state`,
    );
  }
}

/** Whether a stream at `current` (null: no stream) satisfies `expected`. */
export function meetsExpectation(expected: ExpectedRevision, current: bigint | null): boolean {
  if (expected === ANY) return true;
  if (expected === NO_STREAM) return current === null;
  if (expected === STREAM_EXISTS) return current !== null;
  return current === expected;
}

/**
 * The event store on PostgreSQL, on a server through pg or embedded through PGlite: one
 * SQL implementation behind SqlClient.
 */
export class PostgresEventStore implements EventStore, CheckpointStore {
  readonly schema: string;
  private readonly notify: boolean;
  private readonly ownsClient: boolean;
  private readonly streamLockSpace: number;
  private readonly queue: QueuedAppend[] = [];
  private readonly busyStreams = new Set<string>();
  private groupsInFlight = 0;
  private groupsScheduled = false;
  private readonly maxGroupsInFlight: number;
  private readonly groupLimits: GroupLimits;
  private readonly heads = new KnownHeads();
  private readonly attempts = new KnownHeadAttempts();

  private constructor(
    readonly client: SqlClient,
    options: PostgresEventStoreOptions,
  ) {
    this.schema = options.schema ?? 'eventstore';
    assertSchemaName(this.schema);
    this.notify = options.notify ?? true;
    this.ownsClient = options.ownsClient ?? true;
    this.streamLockSpace = streamLockSpace(this.schema);
    // A server writes groups side by side on their own connections and cores: large appends
    // are spread over several backends rather than queued behind one (four at most, leaving
    // most of a default pool of ten to readers). Embedded, transactions run one at a time, so
    // the fewer and larger the groups, the fewer the flushes.
    const serial = client instanceof PgliteSqlClient;
    this.maxGroupsInFlight = options.groupsInFlight ?? (serial ? 2 : 4);
    this.groupLimits = {
      appends: options.groupAppends ?? 256,
      events: options.groupEvents ?? (serial ? 1_000 : 200),
    };
  }

  /** Opens the store on `client`, creating or upgrading its schema. */
  static async open(
    client: SqlClient,
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(client, options);
    await migrate(client, store.schema);
    return store;
  }

  /** On a PostgreSQL server. */
  static async connect(
    connectionString: string,
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const client = new PgSqlClient(connectionString);
    try {
      return await PostgresEventStore.open(client, options);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  /** Embedded on PGlite, with its files in `dataDir` (see `embeddedStoreDir`). */
  static async embedded(
    dataDir: string,
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const client = await PgliteSqlClient.open(dataDir);
    try {
      return await PostgresEventStore.open(client, options);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  async append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    // Bad input rejects (async), as every adapter does.
    const { events: prepared, json } = prepareEventsWithJson(streamId, events);
    assertExpectedRevision(streamId, expected);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, prepared, json, expected, resolve, reject });
      this.scheduleGroups();
    });
  }

  /**
   * Groups start on the next turn of the event loop, not at once: writers answered together
   * come back with their next appends a few promise turns apart, and starting on the first
   * of them would send it alone, the others queued behind it (groups of 1 and 15 in turn
   * with 16 writers, instead of 16).
   */
  private scheduleGroups(): void {
    if (this.groupsScheduled) return;
    this.groupsScheduled = true;
    setImmediate(() => {
      this.groupsScheduled = false;
      this.startGroups();
    });
  }

  /**
   * Group commit: appends that arrive while a group is being written wait and go together in
   * the next one, so that many writers share one transaction (and one flush to disk). An
   * append alone starts its group on the next turn of the event loop.
   */
  private startGroups(): void {
    while (this.groupsInFlight < this.maxGroupsInFlight && this.queue.length > 0) {
      // Small appends gain nothing from a second connection: a group's cost is its round
      // trips. Large ones share their per-event work (hashing here, indexing there) out.
      if (this.groupsInFlight > 0 && this.queuedEvents() < PARALLEL_GROUP_EVENTS) return;
      const group = takeCommitGroup(this.queue, this.busyStreams, this.groupLimits);
      if (group.length === 0) return;
      this.groupsInFlight += 1;
      for (const append of group) this.busyStreams.add(append.streamId);
      void this.commitGroup(group).finally(() => {
        this.groupsInFlight -= 1;
        for (const append of group) this.busyStreams.delete(append.streamId);
        this.scheduleGroups();
      });
    }
  }

  private queuedEvents(): number {
    let events = 0;
    for (const append of this.queue) events += append.prepared.length;
    return events;
  }

  private async commitGroup(group: QueuedAppend[]): Promise<void> {
    const known = this.attempts.worthTrying() ? this.knownHeadsOf(group) : null;
    if (known) {
      let written: GroupOutcome[] | null;
      try {
        written = await this.writeAtKnownHeads(group, known);
      } catch (error) {
        // A repeated id or bad data: the two statements below tell which append it concerns.
        // Anything else (a lost connection) fails the group, as it would there.
        if (!rejectsOneAppend(error)) {
          this.settle(
            group,
            group.map(() => ({ error })),
          );
          return;
        }
        written = null;
      }
      this.attempts.record(written !== null);
      if (written) {
        this.settle(group, written);
        return;
      }
      // A head had moved on: nothing was written.
      for (const append of group) this.heads.forget(append.streamId);
    }
    let outcomes: GroupOutcome[];
    try {
      outcomes = await this.client.transaction((tx) => this.writeGroup(tx, group));
    } catch (error) {
      if (error instanceof GroupSettled) {
        outcomes = error.outcomes;
      } else if (group.length > 1 && rejectsOneAppend(error)) {
        // One append's bad data or a unique key must not fail the others: each goes alone.
        for (const append of group) await this.commitGroup([append]);
        return;
      } else if (sqlState(error) === UNIQUE_VIOLATION) {
        // The stream locks make this unreachable in normal operation; never let it surface as a 500.
        const [append] = group;
        outcomes = await this.currentRevision(append.streamId).then(
          (actual) => [{ error: new ConcurrencyError(append.streamId, append.expected, actual) }],
          (readError: unknown) => [{ error: readError }],
        );
      } else {
        for (const append of group) append.reject(error);
        return;
      }
    }
    this.settle(group, outcomes);
  }

  /** Answers each append of a committed group, and keeps the heads it leaves. */
  private settle(group: QueuedAppend[], outcomes: GroupOutcome[]): void {
    group.forEach((append, index) => {
      const outcome = outcomes[index];
      if ('result' in outcome) {
        const last = outcome.result.appended[outcome.result.appended.length - 1];
        if (last) this.heads.set(append.streamId, headOf(last));
        append.resolve(outcome.result);
      } else {
        this.heads.forget(append.streamId);
        append.reject(outcome.error);
      }
    });
  }

  /**
   * Each append's head as this process last saw it (null: a stream not begun), when every
   * append of the group expects what its known head allows; else null.
   */
  private knownHeadsOf(group: QueuedAppend[]): (KnownHead | null)[] | null {
    const heads: (KnownHead | null)[] = [];
    for (const append of group) {
      const head = this.heads.get(append.streamId);
      if (append.expected === NO_STREAM && !head) heads.push(null);
      else if (head && meetsExpectation(append.expected, head.revision)) heads.push(head);
      else return null;
    }
    return heads;
  }

  /**
   * The group's events chained on the known heads, and the statement's parameters, built apart
   * from the call that waits for the statement: only the envelopes and the parameters need to
   * outlive it (a group's events are most of what survives a young-generation collection).
   */
  private atKnownHeads(
    group: QueuedAppend[],
    known: (KnownHead | null)[],
  ): { chains: EventEnvelope[][]; parameters: unknown[] } {
    let recordedAt = new Date().toISOString();
    // Never before the stream's last event (ISO instants of one form order as text).
    for (const head of known)
      if (head && head.recordedAt > recordedAt) recordedAt = head.recordedAt;
    const columns = new StoredColumns();
    const chains: EventEnvelope[][] = [];
    let offset = 0n;
    group.forEach((append, index) => {
      const chained = chainForStorage(
        append.streamId,
        append.prepared,
        known[index] ?? { revision: -1n, hash: GENESIS_HASH },
        recordedAt,
        offset,
        append.json,
      );
      offset += BigInt(chained.envelopes.length);
      columns.add(chained);
      chains.push(chained.envelopes);
    });
    const expected = group.map((append, index) => ({
      s: append.streamId,
      r: known[index]?.revision.toString() ?? null,
      h: known[index]?.hash ?? null,
    }));
    const heads = chains.map((envelopes) => {
      const last = envelopes[envelopes.length - 1];
      return { stream_id: last.streamId, revision: last.revision.toString(), hash: last.hash };
    });
    const parameters = [
      JSON.stringify(expected),
      this.streamLockSpace,
      ...columns.parameters(),
      recordedAt,
      JSON.stringify(heads),
      this.notify ? appendedChannel(this.schema) : null,
    ];
    return { chains, parameters };
  }

  /**
   * The whole group in one statement (append_at_known_heads, see schema.ts), its events
   * chained on the known heads and recorded at this process's time. Null when a head was not
   * the stored one: nothing was written.
   */
  private async writeAtKnownHeads(
    group: QueuedAppend[],
    known: (KnownHead | null)[],
  ): Promise<GroupOutcome[] | null> {
    const { chains, parameters } = this.atKnownHeads(group, known);
    const s = this.schema;
    const [row] = await this.client.query<{ first: string | bigint | null }>(
      `SELECT ${s}.append_at_known_heads($1::jsonb, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
        $12, $13, $14, $15, $16, $17, $18::jsonb, $19) AS first`,
      parameters,
    );
    if (row?.first === null || row?.first === undefined) return null;
    const first = BigInt(row.first);
    return chains.map((appended) => {
      // The envelopes are this call's own: their offsets become positions in place.
      for (const event of appended) event.globalPosition += first;
      const last = appended[appended.length - 1];
      return {
        result: { lastRevision: last.revision, lastPosition: last.globalPosition, appended },
      };
    });
  }

  /**
   * The way of a group whose heads are not all known here, or were not the stored ones: two
   * round trips inside a transaction, begin_append_group (stream locks, positions, heads,
   * repeated ids), then finish_append_columns (every written event and head; see schema.ts).
   */
  private async writeGroup(tx: SqlQueryable, group: QueuedAppend[]): Promise<GroupOutcome[]> {
    const s = this.schema;
    const total = group.reduce((sum, append) => sum + append.prepared.length, 0);
    const begun = await tx.query<{
      group_stream: string;
      first_position: string | bigint;
      group_recorded_at: Date | string;
      head_revision: string | bigint;
      head_hash: string;
      repeated: RepeatedId[] | string;
    }>(`SELECT * FROM ${s}.begin_append_group($1::jsonb, $2, $3, $4)`, [
      JSON.stringify(
        group.map((append) => ({
          s: append.streamId,
          ids: append.prepared.map((event) => event.id),
        })),
      ),
      this.streamLockSpace,
      total,
      GENESIS_HASH,
    ]);
    if (begun.length !== group.length) {
      throw new Error(`begin_append_group answered ${begun.length} heads for ${group.length}`);
    }
    const recordedAt = iso(begun[0].group_recorded_at);
    let next = BigInt(begun[0].first_position);
    const outcomes: GroupOutcome[] = [];
    const columns = new StoredColumns();
    const heads: { stream_id: string; revision: string; hash: string }[] = [];
    group.forEach((append, index) => {
      const head = begun[index];
      const current = BigInt(head.head_revision);
      const repeated: RepeatedId[] =
        typeof head.repeated === 'string' ? JSON.parse(head.repeated) : head.repeated;
      const actual = current >= 0n ? current : null;
      let outcome: GroupOutcome;
      if (repeated.length > 0) {
        outcome = repeatOutcome(append, repeated);
      } else if (!meetsExpectation(append.expected, actual)) {
        outcome = { error: new ConcurrencyError(append.streamId, append.expected, actual) };
      } else {
        const chained = chainForStorage(
          append.streamId,
          append.prepared,
          { revision: current, hash: head.head_hash },
          recordedAt,
          next,
          append.json,
        );
        const appended = chained.envelopes;
        next += BigInt(appended.length);
        columns.add(chained);
        const last = appended[appended.length - 1];
        heads.push({
          stream_id: append.streamId,
          revision: last.revision.toString(),
          hash: last.hash,
        });
        outcome = {
          result: { lastRevision: last.revision, lastPosition: last.globalPosition, appended },
        };
      }
      outcomes.push(outcome);
    });
    // Nothing to write: roll back.
    if (columns.length === 0) throw new GroupSettled(outcomes);
    await tx.query(
      `SELECT ${s}.finish_append_columns($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
        $14, $15, $16::jsonb, $17)`,
      [
        ...columns.parameters(),
        recordedAt,
        JSON.stringify(heads),
        this.notify ? appendedChannel(s) : null,
      ],
    );
    return outcomes;
  }

  private async currentRevision(streamId: string): Promise<bigint | null> {
    const [row] = await this.client.query<{ revision: string | bigint }>(
      `SELECT revision FROM ${this.schema}.streams WHERE stream_id = $1 AND revision >= 0`,
      [streamId],
    );
    return row ? BigInt(row.revision) : null;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<EventEnvelope[]> {
    const params: unknown[] = [streamId];
    const where = ['stream_id = $1'];
    if (options.from !== undefined) {
      params.push(options.from.toString());
      where.push(`revision >= $${params.length}`);
    }
    if (options.to !== undefined) {
      params.push(options.to.toString());
      where.push(`revision <= $${params.length}`);
    }
    if (options.asOf !== undefined) {
      const asOf = new Date(options.asOf);
      if (Number.isNaN(asOf.getTime()))
        throw new RangeError(`asOf "${String(options.asOf)}" is not an instant`);
      params.push(asOf.toISOString());
      where.push(`recorded_at <= $${params.length}`);
    }
    const rows = await this.client.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events WHERE ${where.join(' AND ')} ORDER BY revision`,
      params,
    );
    const envelopes = rows.map(toEnvelope);
    // Read to its end: the head a command on the stream is about to append after.
    const last = envelopes[envelopes.length - 1];
    if (last && options.to === undefined && options.asOf === undefined)
      this.heads.set(streamId, headOf(last));
    return envelopes;
  }

  async readAll(after: bigint, batchSize: number): Promise<EventEnvelope[]> {
    // Only transactions older than every running one: their rows can no longer be joined
    // by a smaller position (see reserve_positions).
    const rows = await this.client.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events
       WHERE global_position > $1 AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY global_position LIMIT $2`,
      [after.toString(), batchSize],
    );
    return rows.map(toEnvelope);
  }

  subscribe(name: string, handler: EventHandler, options?: SubscribeOptions): Subscription {
    const listen = this.notify ? this.client.listen?.bind(this.client) : undefined;
    return pollingSubscription(
      {
        readAll: (after, batch) => this.readAll(after, batch),
        readCheckpoint: (checkpoint) => this.readCheckpoint(checkpoint),
        writeCheckpoint: (checkpoint, position) => this.writeCheckpoint(checkpoint, position),
        onAppended: listen
          ? (wake) => {
              const stop = listen(appendedChannel(this.schema), wake);
              return () => void stop.then((unlisten) => unlisten()).catch(() => undefined);
            }
          : undefined,
      },
      name,
      handler,
      options,
    );
  }

  async readCheckpoint(name: string): Promise<bigint | null> {
    const [row] = await this.client.query<{ position: string | bigint }>(
      `SELECT position FROM ${this.schema}.subscription_checkpoints WHERE name = $1`,
      [name],
    );
    return row ? BigInt(row.position) : null;
  }

  async writeCheckpoint(name: string, position: bigint): Promise<void> {
    await this.client.query(
      `INSERT INTO ${this.schema}.subscription_checkpoints (name, position) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
      [name, position.toString()],
    );
  }

  async headPosition(): Promise<bigint> {
    // The same visibility as readAll: what a subscriber can read now.
    const [row] = await this.client.query<{ position: string | bigint | null }>(
      `SELECT max(global_position) AS position FROM ${this.schema}.events
       WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())`,
    );
    return row?.position === null || row?.position === undefined
      ? BEFORE_FIRST
      : BigInt(row.position);
  }

  async streamHeads(): Promise<StreamHead[]> {
    const rows = await this.client.query<{
      stream_id: string;
      revision: string | bigint;
      hash: string;
    }>(
      `SELECT stream_id, revision, hash FROM ${this.schema}.streams WHERE revision >= 0 ORDER BY stream_id COLLATE "C"`,
    );
    return rows.map((row) => ({
      streamId: row.stream_id,
      revision: BigInt(row.revision),
      hash: row.hash,
    }));
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }
}
