import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, systemActor } from '../event-store';
import { PgliteSqlClient } from './pglite-sql-client';
import { sqlState, UNIQUE_VIOLATION } from './sql-client';
import { embeddedStoreDir, PostgresEventStore } from './postgres-event-store';

describe('the embedded store on PGlite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-pglite-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps events and checkpoints on disk across a restart', async () => {
    const dir = embeddedStoreDir(dataDir);
    expect(dir).toBe(join(dataDir, 'eventstore'));
    const first = await PostgresEventStore.embedded(dir);
    const id = randomUUID();
    const { appended } = await first.append(
      'need-1',
      [
        {
          id,
          type: 'NeedSubmitted',
          data: { title: 'Lighting' },
          actor: systemActor('t'),
          correlationId: 'c',
        },
      ],
      NO_STREAM,
    );
    await first.writeCheckpoint('projection', appended[0].globalPosition);
    await first.close();

    const second = await PostgresEventStore.embedded(dir);
    const [event] = await second.readStream('need-1');
    expect(event).toMatchObject({
      id,
      revision: 0n,
      data: { title: 'Lighting' },
      hash: appended[0].hash,
    });
    expect(await second.readCheckpoint('projection')).toBe(appended[0].globalPosition);
    // Reopening ran the migrations again without harm and positions keep rising.
    const next = await second.append(
      'need-1',
      [{ type: 'NeedEdited', data: {}, actor: systemActor('t'), correlationId: 'c' }],
      0n,
    );
    expect(next.lastPosition > appended[0].globalPosition).toBe(true);
    await second.close();
  }, 60_000);

  it('shares one PGlite instance per data directory within the process', async () => {
    const dir = join(dataDir, 'shared');
    const [a, b] = await Promise.all([PgliteSqlClient.open(dir), PgliteSqlClient.open(dir)]);
    await a.exec('CREATE TABLE shared_check (n integer)');
    await b.query('INSERT INTO shared_check VALUES ($1)', [7]);
    expect(await a.query('SELECT n FROM shared_check')).toEqual([{ n: 7 }]);
    await a.close();
    // The other user keeps working after the first one closes.
    expect(await b.query('SELECT count(*)::int AS count FROM shared_check')).toEqual([
      { count: 1 },
    ]);
    await b.close();
    await expect(b.query('SELECT 1')).rejects.toThrow();
  }, 60_000);

  it("runs with 32 MB of shared buffers and PGlite's own settings otherwise", async () => {
    const client = await PgliteSqlClient.open(join(dataDir, 'settings'));
    expect(await client.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '32MB' }]);
    // the defaults PGlite starts with are kept beside it
    expect(await client.query('SHOW max_worker_processes')).toEqual([
      { max_worker_processes: '0' },
    ]);
    expect(await client.query('SHOW TimeZone')).toEqual([{ TimeZone: 'UTC' }]);
    await client.close();
  }, 60_000);

  it("runs statements on a thread of its own, leaving the caller's thread free", async () => {
    const client = await PgliteSqlClient.open(join(dataDir, 'thread'));
    const ticks: number[] = [];
    let running = true;
    const tick = () => {
      ticks.push(performance.now());
      if (running) setTimeout(tick, 2);
    };
    tick();
    const started = performance.now();
    const [{ n }] = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM generate_series(1, 3000000) AS s WHERE s % 7 = 0',
    );
    const took = performance.now() - started;
    running = false;
    expect(n).toBe(428571);
    // The statement is long enough to tell: run on this thread, it would hold every timer
    // for as long as it took.
    expect(took).toBeGreaterThan(150);
    const gaps = ticks.slice(1).map((at, i) => at - ticks[i]);
    expect(gaps.length).toBeGreaterThan(10);
    expect(Math.max(...gaps)).toBeLessThan(took / 2);
    await client.close();
  }, 60_000);

  it('refuses a value that cannot cross to its thread, and goes on', async () => {
    const client = await PgliteSqlClient.open(join(dataDir, 'thread'));
    await expect(client.query('SELECT $1::text AS t', [() => 'a function'])).rejects.toThrow(
      /could not be cloned/,
    );
    expect(await client.query('SELECT $1::text AS t', ['text'])).toEqual([{ t: 'text' }]);
    await client.close();
  }, 60_000);

  it('rolls a failed transaction back', async () => {
    const client = await PgliteSqlClient.open(join(dataDir, 'shared'));
    await expect(
      client.transaction(async (tx) => {
        await tx.query('INSERT INTO shared_check VALUES (8)');
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await client.query('SELECT n FROM shared_check ORDER BY n')).toEqual([{ n: 7 }]);
    await client.close();
  }, 60_000);
});

describe('PGlite statements sent in one exchange', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-pglite-exchange-'));
  let client: PgliteSqlClient;
  const row = {
    id: 1,
    big: '9007199254740993',
    name: 'Lighting "retrofit"',
    doc: '{"b":[1,2],"a":null}',
    at: '2026-01-02T03:04:05.678Z',
    uid: '6f1c2a4e-8d0b-4c55-9a3e-2b7d9e1f0a11',
  };
  const columns = 'id, big, name, doc, at, uid, flag, tags, raw, missing';

  beforeAll(async () => {
    client = await PgliteSqlClient.open(dataDir);
    await client.exec(`CREATE TABLE typed (
      id integer PRIMARY KEY, big bigint, name text, doc jsonb, at timestamptz, uid uuid,
      flag boolean DEFAULT true, tags text[] DEFAULT '{a,"b c"}', raw bytea DEFAULT '\\x0102',
      missing text)`);
    await client.query(
      'INSERT INTO typed (id, big, name, doc, at, uid) VALUES ($1, $2, $3, $4, $5, $6)',
      [row.id, row.big, row.name, row.doc, row.at, row.uid],
    );
  }, 60_000);
  afterAll(async () => {
    await client.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers with the rows and types of PGlite's own query", async () => {
    const fast = await client.query(`SELECT ${columns} FROM typed WHERE id = $1`, [1]);
    // a bigint parameter is written by PGlite's own query, from the types it asks for
    const own = await client.query(`SELECT ${columns} FROM typed WHERE id = $1`, [1n]);
    expect(fast).toEqual(own);
    expect(fast).toEqual([
      {
        id: 1,
        big: 9007199254740993n,
        name: row.name,
        doc: { a: null, b: [1, 2] },
        at: new Date(row.at),
        uid: row.uid,
        flag: true,
        tags: ['a', 'b c'],
        raw: new Uint8Array([1, 2]),
        missing: null,
      },
    ]);
  });

  it('reports an engine error with its SQLSTATE, without the values, and goes on', async () => {
    const sealed = 'sealed-bid-amount-1234567';
    const error: unknown = await client
      .query('INSERT INTO typed (id, name) VALUES ($1, $2)', [1, sealed])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(sqlState(error)).toBe(UNIQUE_VIOLATION);
    expect(error).not.toHaveProperty('params');
    expect(JSON.stringify(error) + String(error)).not.toContain(sealed);
    expect(await client.query('SELECT count(*)::int AS n FROM typed WHERE id = $1', [1])).toEqual([
      { n: 1 },
    ]);
  });

  it('keeps other statements out while a transaction is open, and rolls it back', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const transaction = client.transaction(async (tx) => {
      await tx.query('INSERT INTO typed (id, name) VALUES ($1, $2)', [2, 'inside']);
      expect(await tx.query('SELECT name FROM typed WHERE id = $1', [2])).toEqual([
        { name: 'inside' },
      ]);
      await gate;
      throw new Error('undo');
    });
    let seen: unknown = null;
    const outside = client
      .query('SELECT count(*)::int AS n FROM typed WHERE id = $1', [2])
      .then((rows) => (seen = rows));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toBeNull();
    release();
    await expect(transaction).rejects.toThrow('undo');
    await outside;
    expect(seen).toEqual([{ n: 0 }]);
  });

  it('leaves values that are not text to PGlite, which writes them by their types', async () => {
    await client.query('INSERT INTO typed (id, doc, raw, flag) VALUES ($1, $2, $3, $4)', [
      3,
      { nested: { list: [1, 'two'] } },
      Buffer.from([9, 8, 7]),
      false,
    ]);
    expect(await client.query('SELECT doc, raw, flag FROM typed WHERE id = $1', [3])).toEqual([
      { doc: { nested: { list: [1, 'two'] } }, raw: new Uint8Array([9, 8, 7]), flag: false },
    ]);
  });
});
