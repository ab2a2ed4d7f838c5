import { Client, Pool, type PoolClient, type PoolConfig } from 'pg';
import type { HeldLock, SqlClient, SqlQueryable, SqlRow } from './sql-client';

/** Milliseconds to get a connection before a query fails. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** SqlClient over a pg Pool connected to a PostgreSQL server. */
export class PgSqlClient implements SqlClient {
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private listener: PoolClient | null = null;
  private readonly channels = new Map<string, Set<() => void>>();

  constructor(config: string | PoolConfig | Pool) {
    if (config instanceof Pool) {
      this.pool = config;
      this.ownsPool = false;
    } else {
      // A server that is down or restarting fails a command in bounded time (HTTP 503).
      const bounded = { connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
      this.pool = new Pool(
        typeof config === 'string'
          ? { ...bounded, connectionString: config }
          : { ...bounded, ...config },
      );
      this.ownsPool = true;
    }
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
  }

  async query<R extends SqlRow = SqlRow>(text: string, params?: unknown[]): Promise<R[]> {
    const result = await this.pool.query(text, params);
    return result.rows as R[];
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  async transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The pool stops listening for errors of a client it lent out: without a listener, a
    // server that ends the session (a restart, 57P01) would crash the process. The failing
    // query rejects on its own; the connection is discarded on release.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work({
        query: async <R extends SqlRow>(text: string, params?: unknown[]) =>
          (await client.query(text, params)).rows as R[],
        exec: async (script: string) => {
          await client.query(script);
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      // A connection that failed or whose rollback failed is discarded rather than reused.
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async listen(channel: string, listener: () => void): Promise<() => Promise<void>> {
    if (!this.listener) {
      const connection = await this.pool.connect();
      this.listener = connection;
      // Losing the listening connection only loses early wake-ups; polling carries on.
      connection.on('error', () => {
        if (this.listener === connection) this.listener = null;
        this.channels.clear();
        connection.release(true);
      });
      connection.on('notification', (message) => {
        for (const wake of this.channels.get(message.channel) ?? []) wake();
      });
    }
    let listeners = this.channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.channels.set(channel, listeners);
      await this.listener.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    }
    listeners.add(listener);
    return async () => {
      listeners.delete(listener);
    };
  }

  /**
   * The session-level advisory lock named `key`, on a connection of its own beside the pool
   * (it takes no slot from the queries): whoever holds it loses it with that connection (a
   * crash, a server restart), and another session can then take it.
   */
  async tryLock(key: string): Promise<HeldLock | null> {
    const connection = new Client(this.pool.options);
    let held = false;
    let ended: Promise<void> | null = null;
    const end = () => (ended ??= connection.end().catch(() => undefined));
    connection.on('error', () => {
      held = false;
      void end();
    });
    try {
      await connection.connect();
      const { rows } = await connection.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [key],
      );
      held = rows[0]?.locked === true;
    } catch (error) {
      await end();
      throw error;
    }
    if (!held) {
      await end();
      return null;
    }
    return {
      get held() {
        return held;
      },
      release: async () => {
        // Ending the session releases its advisory locks.
        held = false;
        await end();
      },
    };
  }

  async close(): Promise<void> {
    this.listener?.release();
    this.listener = null;
    if (this.ownsPool) await this.pool.end();
  }
}
