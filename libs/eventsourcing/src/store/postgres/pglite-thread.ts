/**
 * The thread that owns an embedded database. PGlite runs the engine (WebAssembly) on the
 * thread that calls it, for as long as each statement takes: on the service's own thread,
 * no request would be read or answered meanwhile, and an append under load is a third of the
 * work of a command. Here the engine runs beside that thread; PgliteSqlClient sends it
 * statements and gets their rows back (see pglite-sql-client.ts for the other side).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, parse, protocol, type Transaction } from '@electric-sql/pglite';

/** What the service's thread asks; `tx` names a transaction opened by `begin`. */
export type ThreadRequest =
  | { id: number; op: 'query'; text: string; params?: unknown[]; tx?: number }
  | { id: number; op: 'exec'; script: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'listen'; channel: string }
  | { id: number; op: 'unlisten'; listener: number }
  | { id: number; op: 'close' };

/** An engine error as plain fields (SQLSTATE `code`, `detail`...), never the statement's values. */
export type ErrorFields = { name: string; message: string } & Record<string, unknown>;

export type ThreadMessage =
  | { ready: true }
  | { ready: false; error: ErrorFields }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: ErrorFields }
  | { notify: number };

export interface ThreadOptions {
  dataDir: string;
  /** Start parameters beside PGlite's own (`-c name=value`). */
  settings: string[];
}

/** Fields of a thrown value that cross to the other thread; parameters stay behind. */
function errorFields(error: unknown): ErrorFields {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields: ErrorFields = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key === 'params' || key === 'queryOptions') continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      fields[key] = value;
  }
  return fields;
}

const ROLLED_BACK = Symbol('rolled back');

/** Serves the database of `workerData` to the thread that started this one. */
export async function serveEmbeddedDatabase(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveEmbeddedDatabase runs in a worker thread');
  const options = workerData as ThreadOptions;
  let db: PGlite;
  try {
    db = await PGlite.create({
      dataDir: options.dataDir,
      startParams: [...PGlite.defaultStartParams, ...options.settings],
    });
  } catch (error) {
    port.postMessage({ ready: false, error: errorFields(error) } satisfies ThreadMessage);
    return;
  }

  const transactions = new Map<number, { tx: Transaction; end: (commit: boolean) => void }>();
  const outcomes = new Map<number, Promise<void>>();
  const listeners = new Map<number, () => Promise<void>>();
  let next = 0;

  const transaction = (txId: number): Transaction => {
    const open = transactions.get(txId);
    if (!open) throw new Error(`transaction ${txId} is not open`);
    return open.tx;
  };

  const begin = (): Promise<number> => {
    const txId = (next += 1);
    return new Promise<number>((began, failed) => {
      const outcome = db.transaction(async (tx) => {
        const decided = new Promise<boolean>((end) => transactions.set(txId, { tx, end }));
        began(txId);
        if (!(await decided)) throw ROLLED_BACK;
      });
      const settled = outcome.then(
        () => undefined,
        (error: unknown) => {
          if (error !== ROLLED_BACK) throw error;
        },
      );
      // `end` awaits it; a transaction that never began is reported by `begin` instead
      settled.catch(() => undefined);
      outcomes.set(txId, settled);
      outcome.catch((error: unknown) => {
        if (!transactions.has(txId)) outcomes.delete(txId);
        failed(error);
      });
    });
  };

  const end = async (txId: number, commit: boolean): Promise<void> => {
    const open = transactions.get(txId);
    const outcome = outcomes.get(txId);
    transactions.delete(txId);
    outcomes.delete(txId);
    if (!open || !outcome) throw new Error(`transaction ${txId} is not open`);
    open.end(commit);
    await outcome;
  };

  const handle = async (request: ThreadRequest): Promise<unknown> => {
    switch (request.op) {
      case 'query':
        return request.tx === undefined
          ? query(db, request.text, request.params)
          : queryInTransaction(db, transaction(request.tx), request.text, request.params);
      case 'exec':
        await (request.tx === undefined ? db : transaction(request.tx)).exec(request.script);
        return undefined;
      case 'begin':
        return begin();
      case 'end':
        return end(request.tx, request.commit);
      case 'listen': {
        const listener = (next += 1);
        listeners.set(
          listener,
          await db.listen(request.channel, () =>
            port.postMessage({ notify: listener } satisfies ThreadMessage),
          ),
        );
        return listener;
      }
      case 'unlisten': {
        const stop = listeners.get(request.listener);
        listeners.delete(request.listener);
        await stop?.();
        return undefined;
      }
      case 'close':
        // the service's side ends this thread once it has the answer
        await db.close();
        return undefined;
    }
  };

  port.on('message', (request: ThreadRequest) => {
    handle(request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies ThreadMessage),
      (error: unknown) =>
        port.postMessage({
          id: request.id,
          ok: false,
          error: errorFields(error),
        } satisfies ThreadMessage),
    );
  });
  port.postMessage({ ready: true } satisfies ThreadMessage);
}

async function query(db: PGlite, text: string, params: unknown[] | undefined): Promise<unknown[]> {
  const values = textValues(params);
  if (!values) return (await db.query(text, params)).rows;
  // as PGlite's query: refused once closed, and never inside another caller's transaction
  await db._checkReady();
  return db._runExclusiveTransaction(() => oneExchange(db, text, values, true));
}

async function queryInTransaction(
  db: PGlite,
  tx: Transaction,
  text: string,
  params: unknown[] | undefined,
): Promise<unknown[]> {
  const values = textValues(params);
  if (!values) return (await tx.query(text, params)).rows;
  return oneExchange(db, text, values, false);
}

/**
 * A statement in one exchange with the engine: parse, bind, describe, execute and sync in
 * one message. PGlite's own query sends them one at a time, after asking for the parameter
 * types, which nearly doubles the cost of a short statement (an append, a checkpoint); with
 * every value text already there is nothing to ask. The rows are parsed by PGlite's own
 * parsers, and an engine error is PGlite's DatabaseError, without the query's values on it.
 */
function oneExchange(
  db: PGlite,
  text: string,
  values: (string | null)[],
  outsideTransaction: boolean,
): Promise<unknown[]> {
  return db.runExclusive(async () => {
    const { messages } = await db.execProtocol(
      Buffer.concat([
        protocol.serialize.parse({ text }),
        protocol.serialize.bind({ values }),
        protocol.serialize.describe({ type: 'P' }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      ]),
      { syncToFs: outsideTransaction },
    );
    return parse.parseResults(messages, db.parsers)[0].rows;
  });
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
