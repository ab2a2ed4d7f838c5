import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  ENGINE_TITLES,
  ENGINE_VARIABLES,
  EVENTSTOREDB_VARIABLE,
  type EngineName,
} from './engine-variables';

export type { EngineName } from './engine-variables';

/**
 * The address of a test engine: a PostgreSQL URL, a comma-separated Kafka broker list or a
 * MongoDB URL. Throws when the engine is not configured, so an engine test fails instead of
 * passing without having run.
 */
export function requireEngine(engine: EngineName): string {
  const variable = ENGINE_VARIABLES[engine];
  if (!variable) throw new Error(`Unknown test engine "${engine}"`);
  const value = process.env[variable];
  if (!value) {
    throw new Error(
      `${ENGINE_TITLES[engine]} engine not available: ${variable} is not set. ` +
        'Start the engines with `npm run engines:up` (or run the tests with a Docker engine).',
    );
  }
  return value;
}

/** EventStoreDB's connection string (esdb://...), or null when none is reachable. */
export function eventStoreDbUrl(): string | null {
  return process.env[EVENTSTOREDB_VARIABLE] || null;
}

export const EVENTSTOREDB_SKIP_REASON =
  'EventStoreDB not reachable: set EVENTSTOREDB_URL or run with a Docker engine';

/**
 * A describe block for EventStoreDB suites, the only engine allowed to be absent: without
 * EVENTSTOREDB_URL the block is registered as skipped and its title says why.
 */
export function describeEventStoreDb(title: string, fn: (url: string) => void): void {
  const url = eventStoreDbUrl();
  if (url) {
    describe(title, () => fn(url));
  } else {
    describe.skip(`${title} (${EVENTSTOREDB_SKIP_REASON})`, () => fn(''));
  }
}

/**
 * A name no other test run uses, for topics, consumer groups, databases, collections and
 * streams: `<prefix>-<time>-<random>`, made of letters, digits, '-' and '_' only.
 */
export function uniqueName(prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'test';
  return `${safe}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  /** Database name, `pcp_t_<random>`. */
  name: string;
  /** Connection string to the new database (same server and credentials). */
  url: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty PostgreSQL database on the test server, so suites never share tables. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = requireEngine('postgres');
  const name = `pcp_t_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      onServer(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).then(() => undefined),
  };
}
