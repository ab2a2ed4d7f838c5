import { existsSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ErrorFields, ThreadMessage, ThreadOptions, ThreadRequest } from './pglite-thread';
import type { SqlClient, SqlQueryable, SqlRow } from './sql-client';

interface OpenDatabase {
  thread: Promise<DatabaseThread>;
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
 * SqlClient over embedded PGlite, which runs on a thread of its own (see pglite-thread.ts).
 * Its single connection runs one statement at a time and keeps other statements out while a
 * transaction is open, which is the serialisation the store needs.
 */
export class PgliteSqlClient implements SqlClient {
  private closed = false;

  private constructor(
    private readonly key: string,
    private readonly thread: DatabaseThread,
  ) {}

  /** Opens (or joins) the database in `dataDir`, creating it on first use. */
  static async open(dataDir: string): Promise<PgliteSqlClient> {
    const key = resolve(dataDir);
    let entry = open.get(key);
    if (!entry) {
      entry = {
        thread: DatabaseThread.start({
          dataDir: key,
          settings: ['-c', `shared_buffers=${SHARED_BUFFERS}`],
        }),
        users: 0,
      };
      open.set(key, entry);
      entry.thread.catch(() => open.delete(key));
    }
    entry.users += 1;
    try {
      return new PgliteSqlClient(key, await entry.thread);
    } catch (error) {
      entry.users -= 1;
      throw error;
    }
  }

  query<R extends SqlRow = SqlRow>(text: string, params?: unknown[]): Promise<R[]> {
    return this.thread.ask({ op: 'query', text, params }) as Promise<R[]>;
  }

  async exec(script: string): Promise<void> {
    await this.thread.ask({ op: 'exec', script });
  }

  async transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const tx = (await this.thread.ask({ op: 'begin' })) as number;
    let result: T;
    try {
      result = await work({
        query: <R extends SqlRow>(text: string, params?: unknown[]) =>
          this.thread.ask({ op: 'query', text, params, tx }) as Promise<R[]>,
        exec: async (script: string) => {
          await this.thread.ask({ op: 'exec', script, tx });
        },
      });
    } catch (error) {
      // the work's error is the one to report, even if the thread has stopped meanwhile
      await this.thread.ask({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw error;
    }
    await this.thread.ask({ op: 'end', tx, commit: true });
    return result;
  }

  listen(channel: string, listener: () => void): Promise<() => Promise<void>> {
    return this.thread.listen(channel, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const entry = open.get(this.key);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users === 0) {
      open.delete(this.key);
      await this.thread.close();
    }
  }
}

/**
 * Loads pglite-thread in a new thread: its compiled JavaScript in a build, its TypeScript
 * through the workspace's compiler (scripts/lib/swc-register.js) when run from source.
 */
const THREAD_MAIN = `
const { workerData } = require('node:worker_threads');
if (workerData.register) require(workerData.register);
require(workerData.module).serveEmbeddedDatabase();
`;

function workspaceRegister(): string | undefined {
  if (extname(__filename) !== '.ts') return undefined;
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const register = join(dir, 'scripts', 'lib', 'swc-register.js');
    if (existsSync(register)) return register;
  }
  throw new Error(`no scripts/lib/swc-register.js above ${__dirname} to run pglite-thread.ts`);
}

/** The service's side of the database thread: requests out, answers and notifications in. */
class DatabaseThread {
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly listeners = new Map<number, () => void>();
  private next = 0;
  private stopped: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: ThreadMessage) => this.receive(message));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`the database thread exited (${code})`)));
    // Idle, the thread keeps the process alive no more than PGlite on this thread would.
    worker.unref();
  }

  static start(options: ThreadOptions): Promise<DatabaseThread> {
    const worker = new Worker(THREAD_MAIN, {
      eval: true,
      // What the thread allocates lives for one statement: a small young generation is enough.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
      workerData: {
        ...options,
        module: join(__dirname, `pglite-thread${extname(__filename)}`),
        register: workspaceRegister(),
      },
    });
    return new Promise((ready, failed) => {
      const early = (error: Error) => failed(error);
      const exited = (code: number) =>
        failed(new Error(`the database thread exited (${code}) before it was ready`));
      worker.once('error', early);
      worker.once('exit', exited);
      worker.once('message', (message: ThreadMessage) => {
        worker.off('error', early);
        worker.off('exit', exited);
        if ('ready' in message && message.ready) ready(new DatabaseThread(worker));
        else {
          void worker.terminate();
          failed('error' in message ? engineError(message.error) : new Error(String(message)));
        }
      });
    });
  }

  ask(request: DistributiveOmit<ThreadRequest, 'id'>): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = (this.next += 1);
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ ...request, id });
      } catch (error) {
        // a value the thread cannot receive (a function, a symbol): the caller's mistake
        this.settled(id);
        reject(error as Error);
      }
    });
  }

  async listen(channel: string, listener: () => void): Promise<() => Promise<void>> {
    const id = (await this.ask({ op: 'listen', channel })) as number;
    this.listeners.set(id, listener);
    return async () => {
      this.listeners.delete(id);
      await this.ask({ op: 'unlisten', listener: id });
    };
  }

  async close(): Promise<void> {
    await this.ask({ op: 'close' });
    this.stop(new Error('the embedded database is closed'));
    await this.worker.terminate();
  }

  private receive(message: ThreadMessage): void {
    if ('notify' in message) {
      this.listeners.get(message.notify)?.();
      return;
    }
    if (!('id' in message)) return;
    const waiter = this.settled(message.id);
    if (!waiter) return;
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(engineError(message.error));
  }

  private settled(id: number) {
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
    return waiter;
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const [id, waiter] of this.waiting) {
      this.waiting.delete(id);
      waiter.reject(reason);
    }
    this.worker.unref();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An engine error from the thread, with its fields (`code`: the SQLSTATE) as PGlite gave them. */
function engineError(fields: ErrorFields): Error {
  const error = new Error(fields.message);
  for (const [key, value] of Object.entries(fields)) {
    if (key !== 'message') (error as unknown as Record<string, unknown>)[key] = value;
  }
  return error;
}
