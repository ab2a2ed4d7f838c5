/**
 * The little the PostgreSQL event store needs from a driver, so that one SQL
 * implementation runs on a server (pg) and embedded (PGlite).
 */
export type SqlRow = Record<string, unknown>;

export interface SqlQueryable {
  query<R extends SqlRow = SqlRow>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of statements without parameters. */
  exec(script: string): Promise<void>;
}

/** A session-level lock held on a connection of its own; gone with that connection. */
export interface HeldLock {
  /** False once the connection holding it failed or the lock was released. */
  readonly held: boolean;
  release(): Promise<void>;
}

export interface SqlClient extends SqlQueryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Takes the advisory lock named `key` when no other session holds it, where the database is
   * shared by several processes; null when another session holds it.
   */
  tryLock?(key: string): Promise<HeldLock | null>;
  /** Calls `listener` on each notification of `channel`, where the driver can listen. */
  listen?(channel: string, listener: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The SQLSTATE of a driver error, when it carries one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const UNIQUE_VIOLATION = '23505';
