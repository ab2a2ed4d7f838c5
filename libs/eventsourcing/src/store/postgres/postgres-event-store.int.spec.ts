import { requireEngine } from '@pcp/testing';
import { randomUUID } from 'node:crypto';
import { NO_STREAM, systemActor } from '../event-store';
import { eventStoreContract } from '../event-store.contract';
import { PostgresEventStore } from './postgres-event-store';
import { MIGRATION_COUNT } from './schema';

// A schema per run keeps runs (and parallel suites) apart on the shared server.
const schema = `es_contract_${process.pid}_${Date.now().toString(36)}`;
let dropSchema: (() => Promise<void>) | null = null;

afterAll(async () => {
  await dropSchema?.();
});

eventStoreContract('PostgreSQL adapter on a PostgreSQL server', async () => {
  const store = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
  dropSchema = async () => {
    const cleaner = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
    await cleaner.client.exec(`DROP SCHEMA ${schema} CASCADE`);
    await cleaner.close();
  };
  return store;
});

describe('PostgreSQL adapter on a PostgreSQL server: schema and connections', () => {
  const isolated = `es_migrate_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

  afterAll(async () => {
    const cleaner = await PostgresEventStore.connect(requireEngine('postgres'), {
      schema: isolated,
    });
    await cleaner.client.exec(`DROP SCHEMA ${isolated} CASCADE`);
    await cleaner.close();
  });

  it('creates its schema once when several processes start at the same time', async () => {
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        PostgresEventStore.connect(requireEngine('postgres'), { schema: isolated }),
      ),
    );
    const [versions] = await stores[0].client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${isolated}.schema_migrations`,
    );
    expect(versions.count).toBe(MIGRATION_COUNT);
    await stores[0].append(
      'need-1',
      [{ type: 'NeedSubmitted', data: {}, actor: systemActor('t'), correlationId: 'c' }],
      NO_STREAM,
    );
    expect(await stores[3].readStream('need-1')).toHaveLength(1);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('writes nothing from an append statement whose lists disagree in length', async () => {
    const store = await PostgresEventStore.connect(requireEngine('postgres'), {
      schema: isolated,
    });
    const [before] = await store.client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${isolated}.events`,
    );
    const hash = 'a'.repeat(64);
    // two offsets, one of everything else: a writer's bug, never a half-written group
    await expect(
      store.client.query(
        `SELECT ${isolated}.append_at_known_heads($1::jsonb, 1, $2, $3, $4, $5, $6, $7, $8, $9,
          $10, $11, $12, $13, $14, $15, now(), $16::jsonb, NULL)`,
        [
          JSON.stringify([{ s: 'need-lengths', r: null, h: null }]),
          '{0,1}',
          '{need-lengths}',
          '{0}',
          `{${randomUUID()}}`,
          '{NeedSubmitted}',
          '{1}',
          `{"${new Date().toISOString()}"}`,
          '{NULL}',
          '{c}',
          '{NULL}',
          `{${hash}}`,
          `{${hash}}`,
          '{}',
          JSON.stringify(systemActor('t')),
          JSON.stringify([{ stream_id: 'need-lengths', revision: '0', hash }]),
        ],
      ),
    ).rejects.toThrow(/lists of different lengths/);
    const [after] = await store.client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${isolated}.events`,
    );
    expect(after.count).toBe(before.count);
    expect(await store.readStream('need-lengths')).toEqual([]);
    await store.close();
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(
      PostgresEventStore.connect(requireEngine('postgres'), { schema: 'x; DROP TABLE y' }),
    ).rejects.toThrow(/Schema name/);
  });
});
