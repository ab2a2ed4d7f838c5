import {
  embeddedStoreDir,
  merkleRoot,
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

const LINE =
  /^anchor (\d+) recorded at (\S+) in (.+): root ([0-9a-f]{64}) over (\d+) streams, (\d+) events\n$/;

describe('ops anchor on an embedded store', () => {
  let dataDir: string;

  const openStore = () => PostgresEventStore.embedded(embeddedStoreDir(dataDir));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ops-anchor-'));
    const store = await openStore();
    await store.append('need-a', events(5), NO_STREAM);
    await store.append('need-b', events(4), NO_STREAM);
    await store.close();
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('records an anchor over the current heads and prints it', async () => {
    const run = capture();
    expect(await runOps(['anchor', '--data-dir', dataDir], run.io)).toBe(0);
    const [, id, createdAt, where, root, streams, eventCount] = LINE.exec(run.stdout()) ?? [];
    expect(where).toMatch(/^embedded store /);
    expect([streams, eventCount]).toEqual(['2', '9']);
    expect(Number.isNaN(Date.parse(createdAt))).toBe(false);

    const store = await openStore();
    try {
      const latest = await new PostgresAnchorStore(store.client, store.schema).latestAnchor();
      expect(latest).toMatchObject({ id, createdAt, root, streamCount: 2, eventCount: 9n });
      expect(root).toBe(merkleRoot(await store.streamHeads()));
    } finally {
      await store.close();
    }
  });

  it('records a newer anchor after more appends, as JSON with the heads', async () => {
    const store = await openStore();
    await store.append('tender-c', events(3), NO_STREAM);
    await store.close();
    const before = capture();
    await runOps(['anchor', '--data-dir', dataDir], before.io);
    const previousId = BigInt(LINE.exec(before.stdout())?.[1] ?? '0');

    const run = capture();
    expect(await runOps(['anchor', '--data-dir', dataDir, '--json'], run.io)).toBe(0);
    const printed = JSON.parse(run.stdout());
    expect(BigInt(printed.id)).toBeGreaterThan(previousId);
    expect(printed).toMatchObject({ streamCount: 3, eventCount: '12' });
    expect(printed.heads).toEqual([
      { streamId: 'need-a', revision: '4', hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { streamId: 'need-b', revision: '3', hash: expect.any(String) },
      { streamId: 'tender-c', revision: '2', hash: expect.any(String) },
    ]);
  });

  it('lets verify find a deletion that only the on-demand anchor had seen', async () => {
    const store = await openStore();
    await store.append('tender-d', events(2), NO_STREAM);
    await store.close();
    expect(await runOps(['anchor', '--data-dir', dataDir], capture().io)).toBe(0);

    const tamper = await openStore();
    await tamper.client.query(`DELETE FROM ${tamper.schema}.events WHERE stream_id = 'tender-d'`);
    await tamper.client.query(`DELETE FROM ${tamper.schema}.streams WHERE stream_id = 'tender-d'`);
    await tamper.close();

    const run = capture();
    expect(await runOps(['verify', '--data-dir', dataDir], run.io)).toBe(1);
    expect(run.stdout()).toContain('  stream tender-d, revision 0: stream-missing\n');
  });

  it('refuses a missing store and unknown options as usage errors', async () => {
    const nowhere = capture();
    expect(await runOps(['anchor', '--data-dir', join(dataDir, 'typo')], nowhere.io)).toBe(2);
    expect(nowhere.stderr()).toContain('ops anchor: No embedded event store at');
    expect(await runOps(['anchor', '--root', 'x'], capture().io)).toBe(2);
    const help = capture();
    expect(await runOps(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('anchor [event store options as for verify] [--json]');
  });
});

describe('ops anchor on a PostgreSQL server schema', () => {
  const schema = `ops_anchor_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let store: PostgresEventStore;

  beforeAll(async () => {
    store = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
    await store.append('need-a', events(3), NO_STREAM);
    await store.append('pilot-b', events(2), NO_STREAM);
  });

  afterAll(async () => {
    await store.client.exec(`DROP SCHEMA ${schema} CASCADE`);
    await store.close();
  });

  it('records the anchor in that schema, with the same options as verify', async () => {
    const url = requireEngine('postgres');
    const run = capture();
    expect(await runOps(['anchor', '--database-url', url, '--schema', schema], run.io)).toBe(0);
    const [, id, , where, root, streams, eventCount] = LINE.exec(run.stdout()) ?? [];
    expect(where).toContain(`schema ${schema}`);
    expect(run.stdout()).not.toContain(':pcp@');
    expect([streams, eventCount]).toEqual(['2', '5']);
    const latest = await new PostgresAnchorStore(store.client, schema).latestAnchor();
    expect(latest).toMatchObject({ id, root });
    expect(root).toBe(merkleRoot(await store.streamHeads()));

    const verified = capture();
    expect(await runOps(['verify', '--database-url', url, '--schema', schema], verified.io)).toBe(
      0,
    );
    expect(verified.stdout()).toContain(`latest anchor ${id} of`);
  });
});
