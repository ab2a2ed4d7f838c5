import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongooseDocumentStore } from '@pcp/documents';
import { createKafka } from '@pcp/messaging';
import { Client } from 'pg';

export interface BenchEngines {
  /** The server of `npm run engines:up` (its maintenance database). */
  postgresAdmin: string;
  /** The run's own database on that server, dropped at the end. */
  postgres: string;
  kafkaBrokers: string;
  mongoBase: string;
  mongo: string;
  /** A prefix that keeps this run's topics apart from anyone else's. */
  topicPrefix: string;
  runId: string;
}

/** Reads .engines/engines.env (written by `npm run engines:up`) for variables not set. */
export function loadEngineEnv(root: string): void {
  const file = join(root, '.engines', 'engines.env');
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match && process.env[match[1]] === undefined) process.env[match[1]] = match[2];
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run \`npm run engines:up\` first`);
  return value;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates this run's database; the engines are shared, so nothing else is touched. */
export async function openEngines(runId: string): Promise<BenchEngines> {
  const base = required('PCP_TEST_POSTGRES_URL');
  const database = `pcp_bench_${runId}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const mongoBase = required('PCP_TEST_MONGO_URL');
  return {
    postgresAdmin: base,
    postgres: withDatabase(base, database),
    kafkaBrokers: required('PCP_TEST_KAFKA_BROKERS'),
    mongoBase,
    mongo: withDatabase(mongoBase, database),
    topicPrefix: `bench-${runId}.`,
    runId,
  };
}

export async function postgresVersion(url: string): Promise<string | null> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>(
      `SELECT current_setting('server_version') AS v`,
    );
    return `PostgreSQL ${rows[0].v}`;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Drops what the run made: its PostgreSQL database (and every schema in it), its MongoDB
 * database and its Kafka topics.
 */
export async function closeEngines(engines: BenchEngines): Promise<void> {
  const mongo = await MongooseDocumentStore.connect(engines.mongo).catch(() => null);
  if (mongo) {
    await mongo.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
  const admin = createKafka({
    brokers: engines.kafkaBrokers.split(','),
    clientId: `bench-${engines.runId}`,
  }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(engines.topicPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // a topic left behind costs nothing but disk; the figures are already taken
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  await dropDatabase(engines);
}

async function dropDatabase(engines: BenchEngines): Promise<void> {
  const database = new URL(engines.postgres).pathname.slice(1);
  const pg = new Client({ connectionString: engines.postgresAdmin });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await pg.end();
  }
}
