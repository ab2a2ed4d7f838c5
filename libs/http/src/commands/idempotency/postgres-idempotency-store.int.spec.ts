import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgSqlClient, PgliteSqlClient, type SqlClient } from '@pcp/eventsourcing';
import { requireEngine } from '@pcp/testing';
import { idempotencyStoreContract } from './idempotency-store.contract';
import { PostgresIdempotencyStore } from './postgres-idempotency-store';

/** Each test gets its own table, dropped afterwards. */
function onClient(client: () => SqlClient) {
  return async () => {
    const table = `idempotency_${randomBytes(6).toString('hex')}`;
    const store = await PostgresIdempotencyStore.create(client(), { table });
    return { store, close: () => client().exec(`DROP TABLE ${table}`) };
  };
}

describe('on a PostgreSQL server', () => {
  let client: PgSqlClient;
  beforeAll(() => {
    client = new PgSqlClient(requireEngine('postgres'));
  });
  afterAll(() => client.close());

  idempotencyStoreContract(
    'PostgreSQL (pg)',
    onClient(() => client),
  );

  it('creates its table idempotently, also from concurrent processes', async () => {
    // A race: each round, several connections create one new table at once (without taking
    // turns, a loser failed with "type ... already exists" about once in a hundred rounds).
    const others = Array.from({ length: 6 }, () => new PgSqlClient(requireEngine('postgres')));
    const tables: string[] = [];
    try {
      for (let round = 0; round < 15; round++) {
        const table = `idempotency_${randomBytes(6).toString('hex')}`;
        tables.push(table);
        await Promise.all(others.map((c) => PostgresIdempotencyStore.create(c, { table })));
        await PostgresIdempotencyStore.create(client, { table });
        const [row] = await client.query<{ n: string; indexes: string }>(
          `SELECT (SELECT count(*) FROM ${table})::text AS n,
             (SELECT count(*) FROM pg_indexes WHERE tablename = $1)::text AS indexes`,
          [table],
        );
        expect(row).toEqual({ n: '0', indexes: '2' });
      }
    } finally {
      for (const table of tables) await client.exec(`DROP TABLE IF EXISTS ${table}`);
      await Promise.all(others.map((c) => c.close()));
    }
  });

  it('refuses a table name that is not a plain identifier', async () => {
    await expect(
      PostgresIdempotencyStore.create(client, { table: 'keys; DROP TABLE x' }),
    ).rejects.toThrow(/Invalid table/);
  });
});

describe('on PGlite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-idempotency-'));
  let client: PgliteSqlClient;
  beforeAll(async () => {
    client = await PgliteSqlClient.open(dataDir);
  });
  afterAll(async () => {
    await client.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  idempotencyStoreContract(
    'PGlite',
    onClient(() => client),
  );
});
