import { randomUUID } from 'node:crypto';
import { assertSchemaName, lockKey } from '../store/postgres/schema';
import type { SqlClient } from '../store/postgres/sql-client';
import type { PersonalDataVault } from './personal-data-vault';
import {
  checkFields,
  mapSealed,
  newPersonKey,
  openWith,
  sealedIn,
  sealWith,
  type DisclosedPersonalData,
  type PersonalFields,
  type SealedPersonalData,
} from './sealed-personal-data';

/** The default schema is shared by every service on one server, so one erasure reaches them all. */
export const PERSONAL_DATA_SCHEMA = 'personal_data';

export interface PostgresPersonalDataVaultOptions {
  schema?: string;
}

/**
 * Person keys in a PostgreSQL table (a server through pg, or embedded PGlite). Nothing is
 * cached in the process: a key erased by any service is gone for every reader at once.
 */
export class PostgresPersonalDataVault implements PersonalDataVault {
  private constructor(
    private readonly sql: SqlClient,
    private readonly schema: string,
  ) {}

  static async open(
    sql: SqlClient,
    options: PostgresPersonalDataVaultOptions = {},
  ): Promise<PostgresPersonalDataVault> {
    const schema = options.schema ?? PERSONAL_DATA_SCHEMA;
    assertSchemaName(schema);
    await sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${lockKey(schema, 'personal-data-keys')})`);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await tx.query(`
        CREATE TABLE IF NOT EXISTS ${schema}.person_keys (
          person_id text PRIMARY KEY,
          key_id uuid NOT NULL UNIQUE,
          key bytea NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
    });
    return new PostgresPersonalDataVault(sql, schema);
  }

  async seal(personId: string, fields: PersonalFields): Promise<SealedPersonalData> {
    checkPersonId(personId);
    checkFields(fields);
    const fresh = newPersonKey(randomUUID());
    // The first sealing creates the key; concurrent ones all end up with the stored one.
    await this.sql.query(
      `INSERT INTO ${this.schema}.person_keys (person_id, key_id, key) VALUES ($1, $2, $3)
       ON CONFLICT (person_id) DO NOTHING`,
      [personId, fresh.keyId, fresh.key],
    );
    const [row] = await this.sql.query<{ key_id: string; key: Uint8Array }>(
      `SELECT key_id, key FROM ${this.schema}.person_keys WHERE person_id = $1`,
      [personId],
    );
    if (!row) throw new Error(`the key of person ${personId} was erased while sealing`);
    return sealWith(personId, { keyId: row.key_id, key: Buffer.from(row.key) }, fields);
  }

  async open(sealed: SealedPersonalData): Promise<DisclosedPersonalData> {
    const keys = await this.keys([sealed]);
    return disclose(sealed, keys);
  }

  async reveal<T>(value: T): Promise<T> {
    const found = sealedIn(value);
    if (found.length === 0) return value;
    const keys = await this.keys(found);
    return mapSealed(value, (sealed) => disclose(sealed, keys)) as T;
  }

  async erase(personId: string): Promise<number> {
    checkPersonId(personId);
    const deleted = await this.sql.query(
      `DELETE FROM ${this.schema}.person_keys WHERE person_id = $1 RETURNING key_id`,
      [personId],
    );
    if (deleted.length > 0) {
      // A deleted row stays in its page until vacuumed; reclaim it now rather than someday.
      await this.sql.exec(`VACUUM ${this.schema}.person_keys`).catch(() => undefined);
    }
    return deleted.length;
  }

  async holdsKeyOf(personId: string): Promise<boolean> {
    const rows = await this.sql.query(
      `SELECT 1 FROM ${this.schema}.person_keys WHERE person_id = $1`,
      [personId],
    );
    return rows.length > 0;
  }

  private async keys(sealed: SealedPersonalData[]): Promise<Map<string, Buffer>> {
    const keyIds = [...new Set(sealed.map((s) => s.keyId))].filter(isUuid);
    if (keyIds.length === 0) return new Map();
    const rows = await this.sql.query<{ key_id: string; key: Uint8Array }>(
      `SELECT key_id, key FROM ${this.schema}.person_keys WHERE key_id = ANY($1::uuid[])`,
      [keyIds],
    );
    return new Map(rows.map((r) => [r.key_id, Buffer.from(r.key)]));
  }
}

function disclose(sealed: SealedPersonalData, keys: Map<string, Buffer>): DisclosedPersonalData {
  const key = keys.get(sealed.keyId);
  if (!key) return { personId: sealed.personId, erased: true };
  return { ...openWith(sealed, key), personId: sealed.personId, erased: false };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: string): boolean => UUID.test(value);

function checkPersonId(personId: string): void {
  if (typeof personId !== 'string' || personId.trim() === '' || personId.length > 200) {
    throw new TypeError('a person id is a non-empty string of at most 200 characters');
  }
}
