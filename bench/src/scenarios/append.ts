/**
 * Appends on the PostgreSQL server: our store, Emmett's PostgreSQL event store and raw
 * INSERT transactions, with the same payload, the same number of writers and the same
 * pool size, one after the other in the same run.
 */
import { randomUUID } from 'node:crypto';
import { PgSqlClient, PostgresEventStore, NO_STREAM, type NewEvent } from '@pcp/eventsourcing';
import { Pool, types } from 'pg';
import type { BenchConfig } from '../config';
import type { BenchEngines } from '../engines';
import { log, medianOfRounds, perSecond, quietBefore, runConcurrently } from '../measure';
import { figure, type Figure } from '../results';
import { needRecordedPayload } from '../workload';

type Payload = ReturnType<typeof needRecordedPayload>;

const ourEvent = (payload: Payload): NewEvent => ({
  type: payload.type,
  data: payload.data,
  actor: payload.actor,
  correlationId: randomUUID(),
});

/** Emmett's event shape: type, data and metadata carrying what our envelope carries. */
const emmettEvent = (payload: Payload) => ({
  type: payload.type,
  data: payload.data as Record<string, unknown>,
  metadata: { actor: payload.actor, correlationId: randomUUID() },
});

async function openOurs(engines: BenchEngines, schema: string, writers: number) {
  return PostgresEventStore.open(
    new PgSqlClient({ connectionString: engines.postgres, max: writers }),
    { schema },
  );
}

interface EmmettStore {
  appendToStream(
    stream: string,
    events: ReturnType<typeof emmettEvent>[],
    options?: { expectedStreamVersion?: bigint | string },
  ): Promise<{ nextExpectedStreamVersion: bigint }>;
  close(): Promise<void>;
}

/**
 * Runs `work` against Emmett's store. Loading Emmett's driver layer replaces pg's global
 * type parsers (int8 as BigInt, its own JSON reviver); they are put back afterwards so the
 * other scenarios run with pg's defaults.
 */
async function withEmmett<T>(
  engines: BenchEngines,
  writers: number,
  work: (store: EmmettStore) => Promise<T>,
): Promise<T> {
  const saved = [20, 114, 3802].map((oid) => [oid, types.getTypeParser(oid)] as const);
  const pool = new Pool({ connectionString: engines.postgres, max: writers });
  const emmett = (await import('@event-driven-io/emmett-postgresql')) as unknown as {
    getPostgreSQLEventStore(url: string, options: object): EmmettStore;
  };
  const store = emmett.getPostgreSQLEventStore(engines.postgres, {
    connectionOptions: { pool },
  });
  try {
    return await work(store);
  } finally {
    await store.close().catch(() => undefined);
    await pool.end();
    for (const [oid, parser] of saved) types.setTypeParser(oid, parser as (v: string) => unknown);
  }
}

const RAW_TABLE = `CREATE SCHEMA IF NOT EXISTS bench_raw;
CREATE TABLE IF NOT EXISTS bench_raw.events (
  global_position bigserial PRIMARY KEY,
  stream_id text NOT NULL,
  revision bigint NOT NULL,
  id uuid NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, revision)
)`;

const rawRow = (payload: Payload, stream: string, revision: number) => [
  stream,
  revision,
  randomUUID(),
  payload.type,
  JSON.stringify(payload.data),
  JSON.stringify({ actor: payload.actor, correlationId: randomUUID() }),
];

async function rawTransaction(pool: Pool, rows: unknown[][]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const values = rows
      .map((_, r) => `(${[1, 2, 3, 4, 5, 6].map((c) => `$${r * 6 + c}`).join(', ')})`)
      .join(', ');
    await client.query(
      `INSERT INTO bench_raw.events (stream_id, revision, id, type, data, metadata) VALUES ${values}`,
      rows.flat(),
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function withRaw<T>(
  engines: BenchEngines,
  writers: number,
  work: (pool: Pool) => Promise<T>,
): Promise<T> {
  const pool = new Pool({ connectionString: engines.postgres, max: writers });
  try {
    await pool.query(RAW_TABLE);
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/** Logs one round's rate of a side and hands its time on. */
function logged(what: string, events: number, ms: number): number {
  log(`${what} ${perSecond(events, ms).toFixed(0)}/s`);
  return ms;
}

/** A few appends per writer first, so that every pool has its connections open. */
const warmUp = (writers: number, task: (i: number) => Promise<void>) =>
  runConcurrently(writers * 4, writers, (i) => task(i));

export async function appendNewStreams(
  config: BenchConfig,
  engines: BenchEngines,
): Promise<Figure[]> {
  const payload = needRecordedPayload();
  const n = config.appendEvents;
  const w = config.writers;
  const run = randomUUID().slice(0, 8);

  const ms = await medianOfRounds(config.rounds, {
    ours: async (round) => {
      const ours = await openOurs(engines, 'bench_new', w);
      try {
        const append = (i: number, tag: string) =>
          ours
            .append(`need-${run}-${round}${tag}-${i}`, [ourEvent(payload)], NO_STREAM)
            .then(() => undefined);
        await warmUp(w, (i) => append(i, 'warm'));
        await quietBefore('append-new-streams: ours');
        return logged(
          'append-new-streams: ours',
          n,
          await runConcurrently(n, w, (i) => append(i, 'm')),
        );
      } finally {
        await ours.close();
      }
    },
    raw: (round) =>
      withRaw(engines, w, async (pool) => {
        const insert = (i: number, tag: string) =>
          rawTransaction(pool, [rawRow(payload, `need-${run}-${round}${tag}-${i}`, 0)]);
        await warmUp(w, (i) => insert(i, 'warm'));
        await quietBefore('append-new-streams: raw');
        return logged(
          'append-new-streams: raw',
          n,
          await runConcurrently(n, w, (i) => insert(i, 'm')),
        );
      }),
    emmett: (round) =>
      withEmmett(engines, w, async (store) => {
        const append = (i: number, tag: string) =>
          store
            .appendToStream(`need-${run}-${round}${tag}-${i}`, [emmettEvent(payload)], {
              expectedStreamVersion: 'STREAM_DOES_NOT_EXIST',
            })
            .then(() => undefined);
        await warmUp(w, (i) => append(i, 'warm'));
        await quietBefore('append-new-streams: emmett');
        return logged(
          'append-new-streams: emmett',
          n,
          await runConcurrently(n, w, (i) => append(i, 'm')),
        );
      }),
  });

  const value = perSecond(n, ms.ours);
  return [
    figure({
      name: 'append-new-streams',
      metric: 'throughput',
      value,
      unit: 'events/s',
      baseline: { name: 'emmett', value: perSecond(n, ms.emmett) },
      goal: { kind: 'min-ratio', value: 2.0 },
    }),
    figure({
      name: 'append-new-streams',
      metric: 'throughput',
      value,
      unit: 'events/s',
      baseline: { name: 'raw', value: perSecond(n, ms.raw) },
      goal: { kind: 'min-ratio', value: 0.85 },
    }),
  ];
}

/**
 * The aggregate pattern: each writer owns a share of the streams and appends to them with
 * the revision it last saw, so no append conflicts and every one checks its expectation.
 */
export async function appendExistingStreams(
  config: BenchConfig,
  engines: BenchEngines,
): Promise<Figure[]> {
  const payload = needRecordedPayload();
  const w = config.writers;
  const streams = Math.max(config.existingStreams, w);
  const n = config.existingAppends;
  const run = randomUUID().slice(0, 8);
  const streamOf = (worker: number, k: number) =>
    worker + w * (k % Math.max(1, Math.floor(streams / w)));

  const ms = await medianOfRounds(config.rounds, {
    ours: async (round) => {
      const ours = await openOurs(engines, 'bench_existing', w);
      try {
        const revisions = new Map<number, bigint>();
        await runConcurrently(streams, w, async (s) => {
          const result = await ours.append(
            `need-${run}-${round}-${s}`,
            [ourEvent(payload)],
            NO_STREAM,
          );
          revisions.set(s, result.lastRevision);
        });
        const counters = new Array<number>(w).fill(0);
        await quietBefore('append-existing-streams: ours');
        const elapsed = await runConcurrently(n, w, async (_, worker) => {
          const s = streamOf(worker, counters[worker]++);
          const result = await ours.append(
            `need-${run}-${round}-${s}`,
            [ourEvent(payload)],
            revisions.get(s) as bigint,
          );
          revisions.set(s, result.lastRevision);
        });
        return logged('append-existing-streams: ours', n, elapsed);
      } finally {
        await ours.close();
      }
    },
    emmett: (round) =>
      withEmmett(engines, w, async (store) => {
        const versions = new Map<number, bigint>();
        await runConcurrently(streams, w, async (s) => {
          const result = await store.appendToStream(
            `need-${run}-${round}-${s}`,
            [emmettEvent(payload)],
            { expectedStreamVersion: 'STREAM_DOES_NOT_EXIST' },
          );
          versions.set(s, result.nextExpectedStreamVersion);
        });
        const counters = new Array<number>(w).fill(0);
        await quietBefore('append-existing-streams: emmett');
        const elapsed = await runConcurrently(n, w, async (_, worker) => {
          const s = streamOf(worker, counters[worker]++);
          const result = await store.appendToStream(
            `need-${run}-${round}-${s}`,
            [emmettEvent(payload)],
            { expectedStreamVersion: versions.get(s) as bigint },
          );
          versions.set(s, result.nextExpectedStreamVersion);
        });
        return logged('append-existing-streams: emmett', n, elapsed);
      }),
  });

  return [
    figure({
      name: 'append-existing-streams',
      metric: 'throughput',
      value: perSecond(n, ms.ours),
      unit: 'events/s',
      baseline: { name: 'emmett', value: perSecond(n, ms.emmett) },
      goal: { kind: 'min-ratio', value: 2.0 },
    }),
  ];
}

export async function appendBatch(config: BenchConfig, engines: BenchEngines): Promise<Figure[]> {
  const payload = needRecordedPayload();
  const w = config.writers;
  const calls = config.batchCalls;
  const size = config.batchSize;
  const run = randomUUID().slice(0, 8);

  const ms = await medianOfRounds(config.rounds, {
    ours: async (round) => {
      const ours = await openOurs(engines, 'bench_batch', w);
      try {
        const append = (i: number, tag: string) =>
          ours
            .append(
              `need-${run}-${round}${tag}-${i}`,
              Array.from({ length: size }, () => ourEvent(payload)),
              NO_STREAM,
            )
            .then(() => undefined);
        await runConcurrently(w, w, (i) => append(i, 'warm'));
        await quietBefore('append-batch: ours');
        const elapsed = await runConcurrently(calls, w, (i) => append(i, 'm'));
        return logged('append-batch: ours', calls * size, elapsed);
      } finally {
        await ours.close();
      }
    },
    raw: (round) =>
      withRaw(engines, w, async (pool) => {
        const insert = (i: number, tag: string) =>
          rawTransaction(
            pool,
            Array.from({ length: size }, (_, r) =>
              rawRow(payload, `batch-${run}-${round}${tag}-${i}`, r),
            ),
          );
        await runConcurrently(w, w, (i) => insert(i, 'warm'));
        await quietBefore('append-batch: raw');
        const elapsed = await runConcurrently(calls, w, (i) => insert(i, 'm'));
        return logged('append-batch: raw', calls * size, elapsed);
      }),
  });

  return [
    figure({
      name: 'append-batch',
      metric: 'throughput',
      value: perSecond(calls * size, ms.ours),
      unit: 'events/s',
      baseline: { name: 'raw', value: perSecond(calls * size, ms.raw) },
      goal: { kind: 'min-ratio', value: 0.7 },
    }),
  ];
}
