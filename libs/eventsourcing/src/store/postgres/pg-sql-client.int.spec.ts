import { requireEngine } from '@pcp/testing';
import { Client } from 'pg';
import { PgSqlClient } from './pg-sql-client';

// A PostgreSQL restart ends every session with 57P01 ("terminating connection due to
// administrator command"). A transaction in flight then must fail like any query, and the
// process must live on: an unheard 'error' event on the lent connection would kill it.
describe('PgSqlClient when the server ends a session mid-transaction', () => {
  it('rejects the transaction, survives, and serves the next one on a fresh connection', async () => {
    const url = requireEngine('postgres');
    const client = new PgSqlClient(url);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    const crashes: unknown[] = [];
    const onUncaught = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const failed = client.transaction(async (tx) => {
        const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        // The termination reaches this connection while it is lent out and idle.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.query('SELECT 1');
      });
      await expect(failed).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(crashes).toEqual([]);
      const [row] = await client.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'));
      expect(row.one).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
      await admin.end();
      await client.close();
    }
  });
});
