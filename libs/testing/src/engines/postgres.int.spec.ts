import { Client } from 'pg';
import { createTestDatabase, requireEngine, type TestDatabase } from './engines';

describe('PostgreSQL engine', () => {
  let database: TestDatabase;
  let client: Client;
  let observer: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ connectionString: database.url });
    observer = new Client({ connectionString: database.url });
    await Promise.all([client.connect(), observer.connect()]);
  });

  afterAll(async () => {
    await Promise.all([client?.end(), observer?.end()]);
    await database?.drop();
  });

  it('serves the configured test database', async () => {
    const url = requireEngine('postgres');
    const direct = new Client({ connectionString: url });
    await direct.connect();
    try {
      const { rows } = await direct.query<{ name: string; version: number }>(
        "select current_database() as name, current_setting('server_version_num')::int as version",
      );
      expect(rows[0].name).toBe(new URL(url).pathname.slice(1));
      expect(rows[0].version).toBeGreaterThanOrEqual(130000); // DROP DATABASE ... WITH (FORCE)
    } finally {
      await direct.end();
    }
  });

  it('gives each suite its own database', async () => {
    const { rows } = await client.query<{ name: string }>('select current_database() as name');
    expect(rows[0].name).toBe(database.name);
    expect(database.name).toMatch(/^pcp_t_[0-9a-f]{12}$/);
  });

  it('rolls a transaction back: the inserted row is gone', async () => {
    await client.query('create table needs (id text primary key, title text not null)');
    await client.query('begin');
    await client.query("insert into needs values ('need-1', 'Low-emission school meals')");
    expect((await client.query('select count(*)::int as n from needs')).rows[0].n).toBe(1);
    // Uncommitted: another session does not see it.
    expect((await observer.query('select count(*)::int as n from needs')).rows[0].n).toBe(0);
    await client.query('rollback');

    expect((await client.query('select count(*)::int as n from needs')).rows[0].n).toBe(0);
    expect((await observer.query('select count(*)::int as n from needs')).rows[0].n).toBe(0);
  });

  it('drops a test database, connections and all', async () => {
    const other = await createTestDatabase();
    const held = new Client({ connectionString: other.url });
    await held.connect();
    held.on('error', () => undefined); // the drop terminates this connection
    await other.drop();
    const { rows } = await client.query('select 1 from pg_database where datname = $1', [
      other.name,
    ]);
    expect(rows).toHaveLength(0);
    await held.end().catch(() => undefined);
  });
});
