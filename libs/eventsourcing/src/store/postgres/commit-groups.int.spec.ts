import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireEngine } from '@pcp/testing';
import { Client } from 'pg';
import { findChainBreak } from '../../integrity/hash-chain';
import {
  ANY,
  type AppendResult,
  ConcurrencyError,
  type EventEnvelope,
  EventIdConflictError,
  type NewEvent,
  NO_STREAM,
  systemActor,
} from '../event-store';
import { PgSqlClient } from './pg-sql-client';
import { PostgresEventStore } from './postgres-event-store';
import { streamLockSpace } from './schema';

const actor = systemActor('commit-groups');
const event = (data: unknown = { n: 1 }, id?: string): NewEvent => ({
  id,
  type: 'ThingHappened',
  data,
  actor,
  correlationId: randomUUID(),
});

const fulfilled = (outcome: PromiseSettledResult<AppendResult>): AppendResult => {
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
};
const reason = (outcome: PromiseSettledResult<AppendResult>): unknown => {
  if (outcome.status === 'fulfilled') throw new Error('expected a rejection');
  return outcome.reason;
};

/** Starts `appends` in one turn of the event loop: they are written in one commit group. */
async function inOneGroup(
  store: PostgresEventStore,
  appends: Array<() => Promise<AppendResult>>,
): Promise<PromiseSettledResult<AppendResult>[]> {
  return Promise.allSettled(appends.map((append) => append()));
}

function groupBehaviour(name: string, open: () => Promise<PostgresEventStore>): void {
  describe(`Commit groups: ${name}`, () => {
    let store: PostgresEventStore;
    let prefix: string;
    const stream = (suffix: string) => `${prefix}-${suffix}`;

    beforeAll(async () => {
      store = await open();
    }, 60_000);
    afterAll(async () => {
      await store?.close();
    });
    beforeEach(() => {
      prefix = `g${randomUUID().slice(0, 8)}`;
    });

    it('writes the appends of one turn together, and the next ones of their writers together again', async () => {
      const writers = 8;
      const rounds = 5;
      const results = await Promise.all(
        Array.from({ length: writers }, async (_, writer) => {
          const mine: AppendResult[] = [];
          // each writer appends again as soon as it is answered, as a command loop does
          for (let round = 0; round < rounds; round += 1) {
            mine.push(await store.append(stream(`w${writer}-${round}`), [event()], NO_STREAM));
          }
          return mine;
        }),
      );
      // the events of one group share its recorded instant (to the millisecond): each round
      // was one group, all writers in it
      for (let round = 0; round < rounds; round += 1) {
        const instants = new Set(results.map((mine) => mine[round].appended[0].recordedAt));
        expect([...instants]).toHaveLength(1);
      }
    });

    it('fails only the conflicting appends of a group and writes the others', async () => {
      await store.append(stream('b'), [event()], NO_STREAM);
      const [a, b, c, d] = await inOneGroup(store, [
        () => store.append(stream('a'), [event(), event()], NO_STREAM),
        () => store.append(stream('b'), [event()], 5n),
        () => store.append(stream('c'), [event()], NO_STREAM),
        () => store.append(stream('d'), [event()], 3n),
      ]);
      const [a0, a1] = fulfilled(a).appended;
      const [c0] = fulfilled(c).appended;
      // One transaction: one recording time, positions dense across the written appends.
      expect(c0.recordedAt).toBe(a0.recordedAt);
      expect([a1.globalPosition, c0.globalPosition]).toEqual([
        a0.globalPosition + 1n,
        a0.globalPosition + 2n,
      ]);
      expect(reason(b)).toBeInstanceOf(ConcurrencyError);
      expect((reason(b) as ConcurrencyError).actual).toBe(0n);
      expect(reason(d)).toBeInstanceOf(ConcurrencyError);
      expect((reason(d) as ConcurrencyError).actual).toBeNull();

      expect(await store.readStream(stream('b'))).toHaveLength(1);
      expect(await store.readStream(stream('d'))).toEqual([]);
      const heads = await store.streamHeads();
      expect(heads.map((head) => head.streamId).filter((id) => id.startsWith(prefix))).toEqual(
        [stream('a'), stream('b'), stream('c')].sort(),
      );
      const [unborn] = await store.client.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM ${store.schema}.streams WHERE revision < 0`,
      );
      expect(unborn.count).toBe(0);
      expect((await store.append(stream('d'), [event()], NO_STREAM)).lastRevision).toBe(0n);
    });

    it('answers repeats in a group with the first storing and writes the rest', async () => {
      const batch = [event({ n: 1 }, randomUUID()), event({ n: 2 }, randomUUID())];
      const first = await store.append(stream('r'), batch, NO_STREAM);
      const stored = event({}, randomUUID());
      await store.append(stream('p'), [stored], NO_STREAM);

      const [repeat, partial, fresh] = await inOneGroup(store, [
        () => store.append(stream('r'), batch, 9n),
        () => store.append(stream('p'), [stored, event({}, randomUUID())], ANY),
        () => store.append(stream('n'), [event()], NO_STREAM),
      ]);
      expect(fulfilled(repeat)).toEqual({
        lastRevision: first.lastRevision,
        lastPosition: first.lastPosition,
        appended: [],
      });
      expect(reason(partial)).toBeInstanceOf(EventIdConflictError);
      expect((reason(partial) as EventIdConflictError).repeatedIds).toEqual([stored.id]);
      expect(fulfilled(fresh).appended).toHaveLength(1);

      // A group of repeats only writes nothing.
      const [again, alsoAgain] = await inOneGroup(store, [
        () => store.append(stream('r'), batch, ANY),
        () => store.append(stream('p'), [stored], NO_STREAM),
      ]);
      expect(fulfilled(again).lastPosition).toBe(first.lastPosition);
      expect(fulfilled(alsoAgain).appended).toEqual([]);
      expect(await store.readStream(stream('r'))).toHaveLength(2);
      expect(await store.readStream(stream('p'))).toHaveLength(1);
    });

    it('gives concurrent appends to one stream consecutive revisions, in call order', async () => {
      const created = store.append(stream('x'), [event()], NO_STREAM);
      const next = store.append(stream('x'), [event(), event()], 0n);
      const piled = Array.from({ length: 6 }, () =>
        store.append(stream('x'), [event(), event()], ANY),
      );
      expect((await created).lastRevision).toBe(0n);
      expect((await next).lastRevision).toBe(2n);
      const revisions = (await Promise.all(piled)).map((result) =>
        result.appended.map((e) => e.revision),
      );
      expect(revisions).toEqual(
        Array.from({ length: 6 }, (_, n) => [BigInt(3 + 2 * n), BigInt(4 + 2 * n)]),
      );
      const read = await store.readStream(stream('x'));
      expect(read).toHaveLength(15);
      expect(findChainBreak(stream('x'), read)).toBeNull();
    });

    it('fails only the append whose data the engine refuses, not the rest of its group', async () => {
      const [bad, good] = await inOneGroup(store, [
        () => store.append(stream('bad'), [event({ text: 'nul \u0000 inside' })], NO_STREAM),
        () => store.append(stream('good'), [event()], NO_STREAM),
      ]);
      expect(reason(bad)).not.toBeInstanceOf(ConcurrencyError);
      expect(fulfilled(good).lastRevision).toBe(0n);
      expect(await store.readStream(stream('bad'))).toEqual([]);
      expect(await store.readStream(stream('good'))).toHaveLength(1);
    });

    it('keeps texts that mean something to the stored form intact (U+001E, quotes, braces, NULL)', async () => {
      const odd = {
        text: 'record\u001eseparator',
        '\u001ekey': ['\u001e', { deep: 'a\u001e\u001eb' }],
      };
      const oddActor = { userId: 'u\u001e1', org: 'o\u001e', roles: ['r\u001e'] };
      const settled = await inOneGroup(store, [
        () =>
          store.append(
            stream('odd'),
            [event(odd), { ...event('plain'), actor: oddActor }, event(odd)],
            NO_STREAM,
          ),
        () => store.append(stream('plain'), [event(), event({ last: '\u001e' })], NO_STREAM),
        // Texts that mean something in an array literal: quotes, backslashes, braces, NULL.
        () =>
          store.append(
            stream('q"{\\,} NULL'),
            [
              {
                ...event(),
                type: 'Type "quoted" \\ {x,y}',
                reason: 'NULL',
                correlationId: '{"a":1}',
                causationId: '\\',
              },
              { ...event(), reason: '', causationId: ' , ' },
            ],
            NO_STREAM,
          ),
      ]);
      const written = settled.map((outcome) => fulfilled(outcome).appended);
      expect(written[2].map((envelope) => [envelope.reason, envelope.causationId])).toEqual([
        ['NULL', '\\'],
        ['', ' , '],
      ]);
      for (const [index, suffix] of ['odd', 'plain', 'q"{\\,} NULL'].entries()) {
        const read = await store.readStream(stream(suffix));
        expect(read).toEqual(written[index]);
        expect(findChainBreak(stream(suffix), read)).toBeNull();
      }
      expect(written[0].map((envelope) => envelope.data)).toEqual([odd, 'plain', odd]);
      expect(written[0][1].actor).toEqual(oddActor);
    });
  });
}

const pgliteDir = mkdtempSync(join(tmpdir(), 'pcp-pglite-groups-'));
afterAll(() => rmSync(pgliteDir, { recursive: true, force: true }));
groupBehaviour('PGlite', () => PostgresEventStore.embedded(pgliteDir));

const schema = `es_groups_${process.pid}_${Date.now().toString(36)}`;
groupBehaviour('PostgreSQL server', () =>
  PostgresEventStore.connect(requireEngine('postgres'), { schema }),
);

describe('Commit groups on a PostgreSQL server: several processes and failures', () => {
  afterAll(async () => {
    const cleaner = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
    await cleaner.client.exec(`DROP SCHEMA ${schema} CASCADE`);
    await cleaner.close();
  });

  it('loses nothing across two stores with many writers, and readAll never skips a position it later shows', async () => {
    const open = () =>
      PostgresEventStore.open(
        new PgSqlClient({ connectionString: requireEngine('postgres'), max: 8 }),
        { schema },
      );
    const stores = [await open(), await open()];
    const run = randomUUID().slice(0, 8);
    const hot = Array.from({ length: 6 }, (_, n) => `hot-${run}-${n}`);
    const appendsPerStore = 600;
    const writersPerStore = 16;
    let written = 0;
    let done = false;

    const start = await stores[0].headPosition();
    const seen: EventEnvelope[] = [];
    const reader = (async () => {
      let after = start;
      let doneAt = 0;
      while (!done || seen.length < written) {
        if (done) doneAt ||= Date.now();
        if (doneAt && Date.now() - doneAt > 15_000) break;
        const batch = await stores[1].readAll(after, 500);
        for (const read of batch) {
          expect(read.globalPosition).toBeGreaterThan(after);
          after = read.globalPosition;
          if (read.streamId.includes(run)) seen.push(read);
        }
        if (batch.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    await Promise.all(
      stores.flatMap((store, s) =>
        Array.from({ length: writersPerStore }, async (_, w) => {
          for (let k = w; k < appendsPerStore; k += writersPerStore) {
            // A third of the appends pile onto a few shared streams, in both stores.
            const shared = k % 3 === 0;
            const streamId = shared ? hot[(k / 3 + s) % hot.length] : `cold-${run}-${s}-${k}`;
            const count = 1 + (k % 4);
            await stores[s].append(
              streamId,
              Array.from({ length: count }, (_, n) => event({ s, k, n })),
              shared ? ANY : NO_STREAM,
            );
            written += count;
          }
        }),
      ),
    );
    done = true;
    await reader;

    expect(seen).toHaveLength(written);
    const byStream = new Map<string, EventEnvelope[]>();
    for (const read of seen)
      byStream.set(read.streamId, [...(byStream.get(read.streamId) ?? []), read]);
    for (const [streamId, events] of byStream) {
      expect(findChainBreak(streamId, events)).toBeNull();
      expect(await stores[0].readStream(streamId)).toHaveLength(events.length);
    }
    expect(byStream.size).toBe(hot.length + (appendsPerStore - appendsPerStore / 3) * 2);
    await Promise.all(stores.map((store) => store.close()));
  }, 120_000);

  it('rejects every append of a group when its connection is lost, then carries on', async () => {
    const applicationName = `pcp-groups-${randomUUID().slice(0, 8)}`;
    const store = await PostgresEventStore.open(
      new PgSqlClient({
        connectionString: requireEngine('postgres'),
        application_name: applicationName,
        max: 4,
      }),
      { schema },
    );
    const admin = new Client({ connectionString: requireEngine('postgres') });
    await admin.connect();
    const held = `held-${randomUUID()}`;
    try {
      // Another process holds the stream's lock, so the group waits inside its transaction.
      await admin.query('SELECT pg_advisory_lock($1, hashtext($2))', [
        streamLockSpace(schema),
        held,
      ]);
      const free = [`free-${randomUUID()}`, `free-${randomUUID()}`];
      const group = inOneGroup(store, [
        () => store.append(held, [event()], NO_STREAM),
        ...free.map((streamId) => () => store.append(streamId, [event()], NO_STREAM)),
      ]);
      let waiting: number | undefined;
      for (let tries = 0; waiting === undefined && tries < 200; tries += 1) {
        const [row] = await admin
          .query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [applicationName],
          )
          .then((result) => result.rows);
        waiting = row?.pid;
        if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(waiting).toBeDefined();
      await admin.query('SELECT pg_terminate_backend($1)', [waiting]);

      const outcomes = await group;
      const errors = outcomes.map(reason);
      expect(errors).toHaveLength(3);
      for (const error of errors) {
        expect(error).toBe(errors[0]);
        expect(error).not.toBeInstanceOf(ConcurrencyError);
      }
      for (const streamId of free) expect(await store.readStream(streamId)).toEqual([]);

      await admin.query('SELECT pg_advisory_unlock($1, hashtext($2))', [
        streamLockSpace(schema),
        held,
      ]);
      expect((await store.append(held, [event()], NO_STREAM)).lastRevision).toBe(0n);
    } finally {
      await admin.end();
      await store.close();
    }
  }, 60_000);
});
