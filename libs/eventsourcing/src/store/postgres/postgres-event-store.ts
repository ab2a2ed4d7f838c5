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
import { stringifyWithBigInts } from '../envelope-json';
import { chainEvents, prepareEvents } from '../new-events';
import { type CheckpointStore, pollingSubscription } from '../polling-subscription';
import { PgSqlClient } from './pg-sql-client';
import { PgliteSqlClient } from './pglite-sql-client';
import { appendedChannel, assertSchemaName, migrate, streamLockSpace } from './schema';
import { type SqlClient, type SqlRow, sqlState, UNIQUE_VIOLATION } from './sql-client';

export interface PostgresEventStoreOptions {
  /** Schema holding the store's tables; default `eventstore`. */
  schema?: string;
  /** Wake subscribers with LISTEN/NOTIFY as well as polling; default true. */
  notify?: boolean;
  /** Close the client with the store; default true. */
  ownsClient?: boolean;
}

/** The columns an envelope is read from (see `toEnvelope`). */
export const COLUMNS = `global_position, stream_id, revision, id::text AS id, type, schema_version, occurred_at,
  recorded_at, actor, reason, correlation_id, causation_id, data, prev_hash, hash`;

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

const iso = (value: Date | string): string =>
  (value instanceof Date ? value : new Date(value)).toISOString();

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

/** Thrown inside the append transaction to roll it back when the batch was stored before. */
class RepeatedAppend {
  constructor(readonly result: AppendResult) {}
}

/** An id of the batch that the stream already holds, where begin_append found it. */
interface RepeatedId {
  id: string;
  revision: string;
  position: string;
}

/** Throws RepeatedAppend when the whole batch is stored, EventIdConflictError when part is. */
function rejectRepeats(streamId: string, ids: string[], stored: RepeatedId[]): never {
  if (stored.length < ids.length) {
    throw new EventIdConflictError(
      streamId,
      stored.map((row) => row.id),
    );
  }
  const last = stored[stored.length - 1];
  throw new RepeatedAppend({
    lastRevision: BigInt(last.revision),
    lastPosition: BigInt(last.position),
    appended: [],
  });
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

  private constructor(
    readonly client: SqlClient,
    options: PostgresEventStoreOptions,
  ) {
    this.schema = options.schema ?? 'eventstore';
    assertSchemaName(this.schema);
    this.notify = options.notify ?? true;
    this.ownsClient = options.ownsClient ?? true;
    this.streamLockSpace = streamLockSpace(this.schema);
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
    const prepared = prepareEvents(streamId, events);
    assertExpectedRevision(streamId, expected);
    const s = this.schema;
    try {
      return await this.client.transaction(async (tx) => {
        // Two round trips inside the transaction: begin_append (stream lock, positions, head,
        // repeated ids; see schema.ts), then the events and the new head in one statement.
        const ids = prepared.map((event) => event.id);
        const [begun] = await tx.query<{
          first_position: string | bigint;
          recorded_at: Date | string;
          revision: string | bigint;
          hash: string;
          repeated: RepeatedId[] | string;
        }>(`SELECT * FROM ${s}.begin_append($1, $2, $3, $4::jsonb, $5)`, [
          streamId,
          this.streamLockSpace,
          prepared.length,
          JSON.stringify(ids),
          GENESIS_HASH,
        ]);
        const current = BigInt(begun.revision);
        const repeated: RepeatedId[] =
          typeof begun.repeated === 'string' ? JSON.parse(begun.repeated) : begun.repeated;
        if (repeated.length > 0) rejectRepeats(streamId, ids, repeated);
        const actual = current >= 0n ? current : null;
        if (!meetsExpectation(expected, actual))
          throw new ConcurrencyError(streamId, expected, actual);

        const first = BigInt(begun.first_position);
        const appended = chainEvents(
          streamId,
          prepared,
          { revision: current, hash: begun.hash },
          iso(begun.recorded_at),
          (index) => first + BigInt(index),
        );
        const last = appended[appended.length - 1];
        await tx.query(
          `WITH appended AS (
             INSERT INTO ${s}.events (global_position, stream_id, revision, id, type, schema_version, occurred_at,
               recorded_at, actor, reason, correlation_id, causation_id, data, prev_hash, hash, transaction_id)
             SELECT e."globalPosition", e."streamId", e.revision, e.id, e.type, e."schemaVersion", e."occurredAt",
               e."recordedAt", e.actor, e.reason, e."correlationId", e."causationId", COALESCE(e.data, 'null'::jsonb),
               e."prevHash", e.hash, pg_current_xact_id()
             FROM jsonb_to_recordset($1::jsonb) AS e("globalPosition" bigint, "streamId" text, revision bigint,
               id uuid, type text, "schemaVersion" integer, "occurredAt" timestamptz, "recordedAt" timestamptz,
               actor jsonb, reason text, "correlationId" text, "causationId" text, data jsonb, "prevHash" text,
               hash text)
             RETURNING 1
           ), head AS (
             UPDATE ${s}.streams SET revision = $3, hash = $4, updated_at = now() WHERE stream_id = $2
             RETURNING 1
           )
           SELECT (SELECT count(*) FROM appended) AS appended, (SELECT count(*) FROM head) AS heads${
             this.notify ? `, pg_notify($5, '')` : ''
           }`,
          [
            stringifyWithBigInts(appended),
            streamId,
            last.revision.toString(),
            last.hash,
            ...(this.notify ? [appendedChannel(s)] : []),
          ],
        );
        return { lastRevision: last.revision, lastPosition: last.globalPosition, appended };
      });
    } catch (error) {
      if (error instanceof RepeatedAppend) return error.result;
      if (sqlState(error) === UNIQUE_VIOLATION) {
        // The head row lock makes this unreachable in normal operation; never let it surface as a 500.
        throw new ConcurrencyError(streamId, expected, await this.currentRevision(streamId));
      }
      throw error;
    }
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
    return rows.map(toEnvelope);
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
