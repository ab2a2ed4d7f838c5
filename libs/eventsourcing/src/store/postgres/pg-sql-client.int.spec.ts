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

// Replicas of a service take turns through an advisory lock (the relay's lease).
describe('PgSqlClient.tryLock', () => {
  it('lets one session hold a key at a time, and frees it on release or when the session dies', async () => {
    const url = requireEngine('postgres');
    const [one, two] = [new PgSqlClient(url), new PgSqlClient(url)];
    const admin = new Client({ connectionString: url });
    await admin.connect();
    const key = `test lock ${Date.now()} ${Math.random()}`;
    const crashes: unknown[] = [];
    const onUncaught = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const first = await one.tryLock(key);
      expect(first?.held).toBe(true);
      expect(await two.tryLock(key)).toBeNull();
      // Another key is not held by anyone.
      const other = await two.tryLock(`${key} other`);
      expect(other?.held).toBe(true);
      await other?.release();

      await first?.release();
      expect(first?.held).toBe(false);
      const second = await two.tryLock(key);
      expect(second?.held).toBe(true);

      // The holder's session ends (a crash, a server restart): the lock goes with it.
      const [{ pid }] = (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND objid = (hashtextextended($1, 0) & 4294967295)::oid`,
          [key],
        )
      ).rows;
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      for (let i = 0; i < 50 && second?.held; i++) await new Promise((r) => setTimeout(r, 50));
      expect(second?.held).toBe(false);
      const third = await one.tryLock(key);
      expect(third?.held).toBe(true);
      await third?.release();
      expect(crashes).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await admin.end();
      await one.close();
      await two.close();
    }
  });
});
