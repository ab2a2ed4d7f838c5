import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlQueryable, SqlRow } from './sql-client';

interface OpenDatabase {
  db: Promise<PGlite>;
  users: number;
}

// PGlite allows one instance per data directory; every client in the process shares it.
const open = new Map<string, OpenDatabase>();

/**
 * PostgreSQL's default of 128 MB of shared buffers is resident in the process from the start
 * (PGlite's memory is the process's own). The operating system caches the data files anyway,
 * so 32 MB costs little: a full scan of a 200,000-event log took 10% longer at 16 MB.
 */
const SHARED_BUFFERS = '32MB';

/**
 * SqlClient over embedded PGlite. Its single connection runs one query at a time and keeps
 * other queries out while a transaction is open, which is the serialisation the store needs.
 */
export class PgliteSqlClient implements SqlClient {
  private closed = false;

  private constructor(
    private readonly key: string,
    private readonly db: PGlite,
  ) {}

  /** Opens (or joins) the database in `dataDir`, creating it on first use. */
  static async open(dataDir: string): Promise<PgliteSqlClient> {
    const key = resolve(dataDir);
    let entry = open.get(key);
    if (!entry) {
      entry = {
        db: PGlite.create({
          dataDir: key,
          startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
        }),
        users: 0,
      };
      open.set(key, entry);
      entry.db.catch(() => open.delete(key));
    }
    entry.users += 1;
    try {
      return new PgliteSqlClient(key, await entry.db);
    } catch (error) {
      entry.users -= 1;
      throw error;
    }
  }

  async query<R extends SqlRow = SqlRow>(text: string, params?: unknown[]): Promise<R[]> {
    return (await this.db.query<R>(text, params)).rows;
  }

  async exec(script: string): Promise<void> {
    await this.db.exec(script);
  }

  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      work({
        query: async <R extends SqlRow>(text: string, params?: unknown[]) =>
          (await tx.query<R>(text, params)).rows,
        exec: async (script: string) => {
          await tx.exec(script);
        },
      }),
    );
  }

  async listen(channel: string, listener: () => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const entry = open.get(this.key);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users === 0) {
      open.delete(this.key);
      await this.db.close();
    }
  }
}
