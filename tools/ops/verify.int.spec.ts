import {
  anchorNow,
  embeddedStoreDir,
  NO_STREAM,
  PostgresAnchorStore,
  PostgresEventStore,
  systemActor,
} from '@pcp/eventsourcing';
import { requireEngine } from '@pcp/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOps } from './ops';

const actor = systemActor('ops-test');
const events = (count: number) =>
  Array.from({ length: count }, (_, n) => ({
    type: 'ThingHappened',
    data: { n },
    actor,
    correlationId: randomUUID(),
  }));

async function fill(store: PostgresEventStore): Promise<void> {
  await store.append('need-a', events(5), NO_STREAM);
  await store.append('need-b', events(4), NO_STREAM);
  await store.append('tender-c', events(3), NO_STREAM);
  await anchorNow(store, new PostgresAnchorStore(store.client, store.schema));
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t), isTTY: false },
      env: {},
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe('ops verify on an embedded store', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ops-verify-'));
    const store = await PostgresEventStore.embedded(embeddedStoreDir(dataDir));
    await fill(store);
    await store.close();
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('passes an untouched store, with progress over its streams', async () => {
    const run = capture();
    expect(await runOps(['verify', '--data-dir', dataDir], run.io)).toBe(0);
    expect(run.stdout()).toMatch(
      /^ok: embedded store .+: 3 streams, 12 events, hash chains intact, latest anchor/,
    );
    expect(run.stderr()).toContain('verify [########################] 3/3 100%');
  });

  it('fails on a row edited with SQL, naming the stream and revision', async () => {
    const store = await PostgresEventStore.embedded(embeddedStoreDir(dataDir));
    await store.client.query(
      `UPDATE ${store.schema}.events SET data = '{"n": 99}' WHERE stream_id = 'need-b' AND revision = 1`,
    );
    await store.close();
    const run = capture();
    expect(await runOps(['verify', '--data-dir', dataDir], run.io)).toBe(1);
    expect(run.stdout()).toContain('FAILED: embedded store');
    expect(run.stdout()).toContain('  stream need-b, revision 1: hash-mismatch\n');

    const json = capture();
    expect(await runOps(['verify', '--data-dir', dataDir, '--json'], json.io)).toBe(1);
    expect(JSON.parse(json.stdout())).toMatchObject({
      ok: false,
      firstBroken: { streamId: 'need-b', revision: '1', problem: 'hash-mismatch' },
    });
  });

  it('refuses two stores at once and unknown options as usage errors', async () => {
    const run = capture();
    expect(
      await runOps(['verify', '--data-dir', dataDir, '--database-url', 'postgres://x'], run.io),
    ).toBe(2);
    expect(run.stderr()).toContain('Give one of --data-dir, --database-url');
    expect(await runOps(['verify', '--nonsense'], capture().io)).toBe(2);
    const nowhere = capture();
    expect(await runOps(['verify', '--data-dir', join(dataDir, 'typo')], nowhere.io)).toBe(2);
    expect(nowhere.stderr()).toContain('No embedded event store at');
    expect(await runOps(['rebuild', '--projection', 'nothing'], capture().io)).toBe(2);
  });
});

describe('ops verify on a PostgreSQL server schema', () => {
  const schema = `ops_verify_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let store: PostgresEventStore;

  beforeAll(async () => {
    store = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
    await fill(store);
  });

  afterAll(async () => {
    await store.client.exec(`DROP SCHEMA ${schema} CASCADE`);
    await store.close();
  });

  it('finds a deleted last event that the anchor had seen', async () => {
    const url = requireEngine('postgres');
    const before = capture();
    expect(await runOps(['verify', '--database-url', url, '--schema', schema], before.io)).toBe(0);
    expect(before.stdout()).toContain(`schema ${schema}: 3 streams, 12 events`);
    expect(before.stdout()).not.toContain(':pcp@');

    await store.client.query(
      `DELETE FROM ${schema}.events WHERE stream_id = 'tender-c' AND revision = 2`,
    );
    const after = capture();
    expect(await runOps(['verify', '--database-url', url, '--schema', schema], after.io)).toBe(1);
    expect(after.stdout()).toContain('  stream tender-c, revision 2: head-mismatch\n');
  });
});
