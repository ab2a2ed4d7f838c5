/**
 * Rebuilds a distributed service's read models from zero, beside the live ones, so the two
 * can be compared field by field:
 * - projections of the service's own log, replayed by the operations CLI's rebuild (the
 *   ProjectionRunner) from its PostgreSQL schema;
 * - what its consumers learned from other contexts, replayed from the Kafka topics from the
 *   first offset to the end, in the order the events occurred (their CloudEvents time; per
 *   topic, the topic's order), through the same MessageProcessor the service runs.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import mongoose from 'mongoose';
import { topicOf } from '@pcp/contracts';
import { MongooseDocumentStore, type DocumentStore } from '@pcp/documents';
import { PostgresEventStore } from '@pcp/eventsourcing';
import {
  contextsOf,
  createKafka,
  DEAD_LETTERS_COLLECTION,
  DocumentDeadLetterSink,
  DocumentProcessedEvents,
  MessageProcessor,
  parseBrokers,
  PROCESSED_EVENTS_COLLECTION,
  type IncomingRecord,
  type IntegrationConsumer,
} from '@pcp/messaging';
import type { BoundedContext } from '@pcp/platform';
// The operations CLI's rebuild, run here against one service's schema.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { rebuildProjections } from '../ops/rebuild';

/** Bookkeeping of the machinery, not read models: where each reader got to, what it parked. */
const BOOKKEEPING = new Set([
  PROCESSED_EVENTS_COLLECTION,
  DEAD_LETTERS_COLLECTION,
  'projection_checkpoints',
]);

export type Snapshot = Record<string, Record<string, unknown>>;

export interface Difference {
  key: string;
  field: string;
  live: unknown;
  rebuilt: unknown;
}

/**
 * Every document and field where the two differ. `applied` (the revision guards: which source
 * streams touched a document) is left out: over Kafka, which streams touch a document depends
 * on the order the topics' events arrive in (a buyers-group join heard of after the group's
 * consultation updates it; heard of before, it does not), while what the document says must
 * not.
 */
export function differencesOf(live: Snapshot, rebuilt: Snapshot): Difference[] {
  const out: Difference[] = [];
  for (const key of [...new Set([...Object.keys(live), ...Object.keys(rebuilt)])].sort()) {
    const a = live[key] ?? {};
    const b = rebuilt[key] ?? {};
    if (!(key in live) || !(key in rebuilt)) {
      out.push({ key, field: '(document)', live: live[key], rebuilt: rebuilt[key] });
      continue;
    }
    for (const field of new Set([...Object.keys(a), ...Object.keys(b)]))
      if (field !== 'applied' && !isDeepStrictEqual(a[field], b[field]))
        out.push({ key, field, live: a[field], rebuilt: b[field] });
  }
  return out;
}

/** The read-model collections of a database (bookkeeping left out). */
export async function collectionsOf(mongoUrl: string): Promise<string[]> {
  const connection = await mongoose.createConnection(mongoUrl).asPromise();
  try {
    const names = (await connection.listCollections()).map((c) => c.name);
    return names.filter((n) => !BOOKKEEPING.has(n) && !n.startsWith('system.')).sort();
  } finally {
    await connection.close();
  }
}

/** Every document of the given collections: data and the source revisions it reflects. */
export async function snapshot(documents: DocumentStore, collections: string[]): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const name of collections) {
    let cursor: string | null = null;
    do {
      const page = await documents.collection(name).find({ limit: 500, cursor });
      for (const doc of page.items)
        out[`${name}/${doc.id}`] = { ...doc.data, applied: doc.applied };
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return out;
}

/** Every record of the topics, from the first offset to the end as it is now. */
async function readTopics(brokers: string[], topics: string[]): Promise<IncomingRecord[]> {
  const kafka = createKafka({ brokers, clientId: 'read-model-rebuild' });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  try {
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic))
        if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const records: IncomingRecord[] = [];
  if (ends.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `rebuild-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const remaining = new Set(ends.keys());
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const key = `${topic}/${partition}`;
        const end = ends.get(key);
        if (end === undefined || BigInt(message.offset) >= end) return;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          const first = Array.isArray(value) ? value[0] : value;
          if (first !== undefined) headers[name] = first.toString();
        }
        records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key ? message.key.toString() : null,
          value: message.value ? message.value.toString() : null,
          headers,
        });
        if (BigInt(message.offset) + 1n >= end) {
          remaining.delete(key);
          if (remaining.size === 0) done();
        }
      },
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`topics not read to their end: ${[...remaining]}`)),
        60_000,
      ).unref(),
    );
    await Promise.race([finished, timeout]);
  } finally {
    await consumer.disconnect();
  }
  return inOccurrenceOrder(records);
}

/**
 * Merges the partitions by the events' time (CloudEvents `ce_time`), each partition kept in
 * its own order: the order in which the events happened, as the live consumer saw them when
 * it kept up.
 */
export function inOccurrenceOrder(records: IncomingRecord[]): IncomingRecord[] {
  const queues = new Map<string, IncomingRecord[]>();
  for (const r of records) {
    const key = `${r.topic}/${r.partition}`;
    queues.set(key, [...(queues.get(key) ?? []), r]);
  }
  for (const queue of queues.values())
    queue.sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
  const time = (r: IncomingRecord) => Date.parse(r.headers['ce_time'] ?? '') || 0;
  const out: IncomingRecord[] = [];
  for (;;) {
    let next: IncomingRecord[] | null = null;
    for (const queue of queues.values())
      if (queue.length > 0 && (next === null || time(queue[0]) < time(next[0]))) next = queue;
    if (next === null) return out;
    out.push(next.shift() as IncomingRecord);
  }
}

export interface ServiceEnv {
  DATABASE_URL: string;
  EVENT_STORE_SCHEMA: string;
  MONGO_URL: string;
  KAFKA_BROKERS: string;
  KAFKA_TOPIC_PREFIX: string;
}

export interface Rebuilt {
  live: Snapshot;
  rebuilt: Snapshot;
  collections: string[];
  /** Messages the rebuilt consumers parked (none is expected). */
  deadLetters: number;
}

/**
 * Rebuilds a service's read models into a new database next to its live one and returns
 * both snapshots, the live one taken once it matches or after `settleMs`. The live database
 * is only read.
 */
export async function rebuildService(
  context: BoundedContext,
  env: ServiceEnv,
  settleMs = 30_000,
): Promise<Rebuilt> {
  const collections = await collectionsOf(env.MONGO_URL);
  const liveDocuments = await MongooseDocumentStore.connect(env.MONGO_URL);
  const rebuiltUrl = new URL(env.MONGO_URL);
  rebuiltUrl.pathname = `${rebuiltUrl.pathname}_rebuilt`;
  const documents = await MongooseDocumentStore.connect(rebuiltUrl.toString());
  const store = await PostgresEventStore.connect(env.DATABASE_URL, {
    schema: env.EVENT_STORE_SCHEMA,
    notify: false,
  });
  try {
    const projections = context.projections ?? [];
    if (projections.length > 0)
      await rebuildProjections({
        store,
        documents,
        projections,
        progressOut: { write: () => true },
        pollMs: 50,
      });
    for (const type of context.consumers ?? []) {
      const consumer = new (type as unknown as new (d: DocumentStore) => IntegrationConsumer)(
        documents,
      );
      const processor = new MessageProcessor({
        consumer,
        processed: new DocumentProcessedEvents(documents),
        deadLetters: new DocumentDeadLetterSink(documents),
        wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      });
      const topics = contextsOf(consumer).map((c) => `${env.KAFKA_TOPIC_PREFIX}${topicOf(c)}`);
      for (const record of await readTopics(parseBrokers(env.KAFKA_BROKERS), topics))
        await processor.process(record);
    }
    const rebuilt = await snapshot(documents, collections);
    const deadLetters = await documents.collection(DEAD_LETTERS_COLLECTION).count();
    // The live service may still be applying the last events: give it until settleMs.
    let live = await snapshot(liveDocuments, collections);
    const until = Date.now() + settleMs;
    while (differencesOf(live, rebuilt).length > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      live = await snapshot(liveDocuments, collections);
    }
    return { live, rebuilt, collections, deadLetters };
  } finally {
    await store.close();
    await liveDocuments.close();
    await documents.close();
    const scratch = await mongoose.createConnection(rebuiltUrl.toString()).asPromise();
    await scratch.dropDatabase().finally(() => scratch.close());
  }
}
