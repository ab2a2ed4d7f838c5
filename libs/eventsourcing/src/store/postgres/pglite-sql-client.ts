import { resolve } from 'node:path';
import { PGlite, parse, protocol } from '@electric-sql/pglite';
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
    const values = textValues(params);
    if (!values) return (await this.db.query<R>(text, params)).rows;
    // as PGlite's query: refused once closed, and never inside another caller's transaction
    await this.db._checkReady();
    return this.db._runExclusiveTransaction(() => this.oneExchange<R>(text, values, true));
  }

  /**
   * A statement in one exchange with the engine: parse, bind, describe, execute and sync in
   * one message. PGlite's own query sends them one at a time, after asking for the parameter
   * types, which nearly doubles the cost of a short statement (an append, a checkpoint); with
   * every value text already there is nothing to ask. The rows are parsed by PGlite's own
   * parsers, and an engine error is PGlite's DatabaseError, without the query's values on it.
   */
  private oneExchange<R extends SqlRow>(
    text: string,
    values: (string | null)[],
    outsideTransaction: boolean,
  ): Promise<R[]> {
    return this.db.runExclusive(async () => {
      const { messages } = await this.db.execProtocol(
        Buffer.concat([
          protocol.serialize.parse({ text }),
          protocol.serialize.bind({ values }),
          protocol.serialize.describe({ type: 'P' }),
          protocol.serialize.execute({}),
          protocol.serialize.sync(),
        ]),
        { syncToFs: outsideTransaction },
      );
      return parse.parseResults(messages, this.db.parsers)[0].rows as R[];
    });
  }

  async exec(script: string): Promise<void> {
    await this.db.exec(script);
  }

  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      work({
        query: async <R extends SqlRow>(text: string, params?: unknown[]) => {
          const values = textValues(params);
          if (!values) return (await tx.query<R>(text, params)).rows;
          return this.oneExchange<R>(text, values, false);
        },
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

/**
 * The parameters as the text PGlite would send for them, when they are all strings, finite
 * numbers or null, which PGlite sends as they are (a number as its decimal text) for the
 * text, number, JSON, time and id types. Otherwise (buffers, arrays, objects, dates, bigints,
 * booleans) undefined: PGlite's own query writes those by the types it asks the engine for.
 */
function textValues(params: unknown[] | undefined): (string | null)[] | undefined {
  if (!params) return [];
  const values = new Array<string | null>(params.length);
  for (let i = 0; i < params.length; i += 1) {
    const value = params[i];
    if (value === null || value === undefined) values[i] = null;
    else if (typeof value === 'string') values[i] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) values[i] = String(value);
    else return undefined;
  }
  return values;
}
