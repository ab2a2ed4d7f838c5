import type { SqlClient } from '@pcp/eventsourcing';
import type {
  ClaimResult,
  IdempotencyClaim,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from './idempotency-store';

export interface PostgresIdempotencyStoreOptions {
  /** Table name, optionally schema-qualified; default `http_idempotency_keys`. */
  table?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

interface Row {
  fingerprint: string;
  state: 'pending' | 'completed';
  status_code: number | null;
  response: { body: unknown; headers: Record<string, string> } | null;
}

/**
 * Idempotency keys in PostgreSQL (a server through pg, or embedded PGlite), on the same
 * SqlClient as the event store. The claim is one INSERT ... ON CONFLICT, so concurrent
 * duplicates are decided by the primary key, not by a read-then-write race.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  private constructor(
    private readonly client: SqlClient,
    private readonly table: string,
  ) {}

  static async create(
    client: SqlClient,
    options: PostgresIdempotencyStoreOptions = {},
  ): Promise<PostgresIdempotencyStore> {
    const table = options.table ?? 'http_idempotency_keys';
    if (!IDENTIFIER.test(table)) throw new Error(`Invalid table name ${table}`);
    const store = new PostgresIdempotencyStore(client, table);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    const index = `${this.table.replace('.', '_')}_expires_at`;
    // CREATE ... IF NOT EXISTS is not safe against a concurrent creator (the loser can fail on
    // the table's row type or a catalog key), so processes starting at once take turns.
    await this.client.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `http-idempotency:${this.table}`,
      ]);
      await tx.exec(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          scope text NOT NULL,
          key text NOT NULL,
          fingerprint text NOT NULL,
          state text NOT NULL CHECK (state IN ('pending', 'completed')),
          status_code integer,
          response jsonb,
          created_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL,
          PRIMARY KEY (scope, key)
        );
        CREATE INDEX IF NOT EXISTS ${index} ON ${this.table} (expires_at);
      `);
    });
  }

  async claim({ scope, key, fingerprint, now, expiresAt }: IdempotencyClaim): Promise<ClaimResult> {
    for (;;) {
      const claimed = await this.client.query(
        `INSERT INTO ${this.table} (scope, key, fingerprint, state, created_at, expires_at)
         VALUES ($1, $2, $3, 'pending', $4, $5)
         ON CONFLICT (scope, key) DO UPDATE
           SET fingerprint = EXCLUDED.fingerprint, state = 'pending', status_code = NULL,
               response = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
           WHERE ${this.table}.expires_at <= EXCLUDED.created_at
         RETURNING 1`,
        [scope, key, fingerprint, now.toISOString(), expiresAt.toISOString()],
      );
      if (claimed.length > 0) return { claimed: true };
      const rows = await this.client.query<Row & Record<string, unknown>>(
        `SELECT fingerprint, state, status_code, response FROM ${this.table}
         WHERE scope = $1 AND key = $2 AND expires_at > $3`,
        [scope, key, now.toISOString()],
      );
      // Released or expired between the two statements: try to claim again.
      if (rows.length > 0) return { claimed: false, record: toRecord(rows[0]) };
    }
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.client.query(
      `UPDATE ${this.table} SET state = 'completed', status_code = $3, response = $4::jsonb
       WHERE scope = $1 AND key = $2 AND state = 'pending'`,
      [
        scope,
        key,
        response.statusCode,
        JSON.stringify({ body: response.body ?? null, headers: response.headers }),
      ],
    );
  }

  async release(scope: string, key: string): Promise<void> {
    await this.client.query(
      `DELETE FROM ${this.table} WHERE scope = $1 AND key = $2 AND state = 'pending'`,
      [scope, key],
    );
  }

  async purgeExpired(now: Date): Promise<number> {
    const rows = await this.client.query(
      `DELETE FROM ${this.table} WHERE expires_at <= $1 RETURNING 1`,
      [now.toISOString()],
    );
    return rows.length;
  }
}

function toRecord(row: Row): IdempotencyRecord {
  if (row.state === 'pending') return { fingerprint: row.fingerprint, state: 'pending' };
  const response = typeof row.response === 'string' ? JSON.parse(row.response) : row.response;
  return {
    fingerprint: row.fingerprint,
    state: 'completed',
    response: {
      statusCode: Number(row.status_code),
      body: response?.body ?? null,
      headers: response?.headers ?? {},
    },
  };
}
