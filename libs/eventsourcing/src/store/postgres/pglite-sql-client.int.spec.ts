import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, systemActor } from '../event-store';
import { PgliteSqlClient } from './pglite-sql-client';
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
