import { consultationsContext } from '@pcp/consultations';
import { topicOf } from '@pcp/contracts';
import {
  InMemoryDocumentStore,
  MongooseDocumentStore,
  ProjectionRunner,
  type DocumentData,
  type DocumentStore,
} from '@pcp/documents';
import { BEFORE_FIRST, PostgresEventStore, type EventEnvelope } from '@pcp/eventsourcing';
import {
  DocumentDeadLetterSink,
  DocumentProcessedEvents,
  integrationMessageOf,
  integrationTranslator,
  MessageProcessor,
  toRecord,
  type IntegrationConsumer,
} from '@pcp/messaging';
import { needsContext } from '@pcp/needs';
import { pilotsContext } from '@pcp/pilots';
import { pipelineContext } from '@pcp/pipeline';
import type { BoundedContext } from '@pcp/platform';
import { tendersContext } from '@pcp/tenders';
import { Client } from 'pg';
import type { SentCommand } from './load';
import { SERVICES, type ServiceName } from './settings';

export const CONTEXT_OF: Record<ServiceName, BoundedContext> = {
  needs: needsContext,
  consultations: consultationsContext,
  tenders: tendersContext,
  pilots: pilotsContext,
  pipeline: pipelineContext,
};

// Bookkeeping of the runners themselves, not read models: they differ by design.
const BOOKKEEPING = new Set(['processed_events', 'dead_letters', 'projection_checkpoints']);

export interface Counts {
  sent: number;
  '2xx': number;
  '4xx': number;
  '5xx': number;
  /** Answers that never came (dropped connection, or slower than the bound). */
  unanswered: number;
  /** 5xx other than 503: a failure the API must never give. */
  '500': number;
  /** Answers slower than the bound. */
  slow: number;
  /** 2xx commands whose event is not in the store. */
  lost: number;
  /** Events recorded twice for one command or one cause. */
  duplicated: number;
  /** Read-model documents that differ from a rebuild from zero (or exist on one side only). */
  readModelMismatches: number;
  /** Events in the stores and read-model documents compared, to show the audit had work. */
  events: number;
  documents: number;
}

export interface AuditReport {
  counts: Counts;
  /** A few examples of each problem, for the report. */
  examples: string[];
}

interface StoredEvent {
  id: string;
  stream_id: string;
  type: string;
  correlation_id: string;
  causation_id: string | null;
}

/** Counts of what was sent and answered, before any look at the stores. */
export function answerCounts(sent: SentCommand[], answerBoundMs: number) {
  return {
    sent: sent.length,
    '2xx': sent.filter((c) => c.status >= 200 && c.status < 300).length,
    '4xx': sent.filter((c) => c.status >= 400 && c.status < 500).length,
    '5xx': sent.filter((c) => c.status >= 500).length,
    unanswered: sent.filter((c) => c.status === 0).length,
    '500': sent.filter((c) => c.status >= 500 && c.status !== 503).length,
    slow: sent.filter((c) => c.ms > answerBoundMs).length,
  };
}

/**
 * Every 2xx command's events are in its service's store, no command or cause recorded its
 * event twice, and every read model equals what a rebuild from zero makes of the logs.
 */
export async function audit(options: {
  databaseUrl: string;
  mongoUrlOf: (service: ServiceName) => string;
  sent: SentCommand[];
  answerBoundMs: number;
}): Promise<AuditReport> {
  const examples: string[] = [];
  const events = await storedEvents(options.databaseUrl);

  let lost = 0;
  for (const command of options.sent) {
    if (command.status < 200 || command.status >= 300) continue;
    const mine = (events.get(command.service) ?? []).filter(
      (e) => e.correlation_id === command.correlationId,
    );
    if (mine.length === 0) {
      lost++;
      if (examples.length < 10) examples.push(`lost: ${command.route} ${command.correlationId}`);
    }
  }

  let duplicated = 0;
  const seenIds = new Set<string>();
  for (const [service, list] of events) {
    const perCommand = new Map<string, number>();
    for (const e of list) {
      if (seenIds.has(e.id)) duplicated++;
      seenIds.add(e.id);
      // A command's own events: one of each type per stream. A reaction's: one per cause.
      const key = e.causation_id
        ? `cause ${e.causation_id} ${e.stream_id} ${e.type}`
        : `command ${e.correlation_id} ${e.stream_id} ${e.type}`;
      perCommand.set(key, (perCommand.get(key) ?? 0) + 1);
    }
    for (const [key, count] of perCommand) {
      if (count > 1) {
        duplicated += count - 1;
        if (examples.length < 20) examples.push(`duplicated in ${service}: ${key} x${count}`);
      }
    }
  }

  const compared = await compareReadModels(options, examples);
  return {
    counts: {
      ...answerCounts(options.sent, options.answerBoundMs),
      lost,
      duplicated,
      readModelMismatches: compared.mismatches,
      events: [...events.values()].reduce((sum, list) => sum + list.length, 0),
      documents: compared.documents,
    },
    examples,
  };
}

async function storedEvents(databaseUrl: string): Promise<Map<string, StoredEvent[]>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = new Map<string, StoredEvent[]>();
    for (const schema of SERVICES) {
      const exists = await client.query(
        `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'events'`,
        [schema],
      );
      if (exists.rowCount === 0) continue;
      const rows = await client.query<StoredEvent>(
        `SELECT id::text AS id, stream_id, type, correlation_id, causation_id
           FROM ${schema}.events ORDER BY global_position`,
      );
      result.set(schema, rows.rows);
    }
    return result;
  } finally {
    await client.end();
  }
}

/** Every event of every service's log, in the order they were recorded across logs. */
async function allEnvelopes(
  stores: Map<ServiceName, PostgresEventStore>,
): Promise<EventEnvelope[]> {
  const all: EventEnvelope[] = [];
  for (const store of stores.values()) {
    let from = BEFORE_FIRST;
    for (;;) {
      const batch = await store.readAll(from, 1000);
      all.push(...batch);
      if (batch.length < 1000) break;
      from = batch[batch.length - 1].globalPosition;
    }
  }
  return all.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
}

/** A document store that remembers which collections were used. */
class NamedCollections extends InMemoryDocumentStore {
  readonly names = new Set<string>();
  override collection<T extends DocumentData = DocumentData>(name: string) {
    this.names.add(name);
    return super.collection<T>(name);
  }
}

async function rebuildService(
  service: ServiceName,
  stores: Map<ServiceName, PostgresEventStore>,
  envelopes: EventEnvelope[],
): Promise<NamedCollections> {
  const context = CONTEXT_OF[service];
  const documents = new NamedCollections();
  const own = stores.get(service);
  if (own) {
    const head = await own.headPosition();
    for (const projection of context.projections ?? []) {
      for (const name of projection.collections) documents.names.add(name);
      const runner = new ProjectionRunner({
        events: own,
        documents,
        projection,
        pollIntervalMs: 20,
      });
      runner.start();
      try {
        await runner.waitFor(head, 120_000);
      } finally {
        await runner.stop();
      }
    }
  }
  const translators = Object.values(CONTEXT_OF).map(
    (c) => c.translator ?? integrationTranslator(c.name),
  );
  for (const type of context.consumers ?? []) {
    const Consumer = type as unknown as new (documents: DocumentStore) => IntegrationConsumer;
    const consumer = new Consumer(documents);
    const processor = new MessageProcessor({
      consumer,
      processed: new DocumentProcessedEvents(documents),
      deadLetters: new DocumentDeadLetterSink(documents),
    });
    for (const envelope of envelopes) {
      for (const translator of translators) {
        const translation = translator.translate(envelope);
        if (!translation) continue;
        const message = integrationMessageOf(envelope, translation.definition, translation.data);
        const outgoing = toRecord(message, topicOf(translation.definition.context));
        await processor.process({
          topic: outgoing.topic,
          partition: 0,
          offset: envelope.globalPosition.toString(),
          key: outgoing.key,
          value: outgoing.value,
          headers: outgoing.headers,
        });
        break;
      }
    }
  }
  return documents;
}

async function allDocuments(store: DocumentStore, name: string): Promise<Map<string, string>> {
  const docs = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page = await store.collection(name).find({ limit: 500, cursor });
    for (const item of page.items) docs.set(item.id, canonical(item.data));
    cursor = page.nextCursor;
  } while (cursor);
  return docs;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

async function compareReadModels(
  options: { databaseUrl: string; mongoUrlOf: (service: ServiceName) => string },
  examples: string[],
): Promise<{ mismatches: number; documents: number }> {
  const stores = new Map<ServiceName, PostgresEventStore>();
  let mismatches = 0;
  let documents = 0;
  try {
    for (const service of SERVICES) {
      stores.set(
        service,
        await PostgresEventStore.connect(options.databaseUrl, { schema: service, notify: false }),
      );
    }
    const envelopes = await allEnvelopes(stores);
    for (const service of SERVICES) {
      const rebuilt = await rebuildService(service, stores, envelopes);
      const live = await MongooseDocumentStore.connect(options.mongoUrlOf(service));
      try {
        for (const name of rebuilt.names) {
          if (BOOKKEEPING.has(name)) continue;
          const expected = await allDocuments(rebuilt, name);
          const actual = await allDocuments(live, name);
          documents += actual.size;
          for (const id of new Set([...expected.keys(), ...actual.keys()])) {
            if (expected.get(id) === actual.get(id)) continue;
            mismatches++;
            if (examples.length < 30) {
              examples.push(
                `read model ${service}/${name}/${id}: ${difference(actual.get(id), expected.get(id))}`,
              );
            }
          }
        }
      } finally {
        await live.close();
      }
    }
  } finally {
    await Promise.all([...stores.values()].map((s) => s.close()));
  }
  return { mismatches, documents };
}

/** The top-level fields in which a live document differs from its rebuilt twin. */
function difference(live: string | undefined, rebuilt: string | undefined): string {
  if (live === undefined) return `missing live, rebuilt ${rebuilt?.slice(0, 300)}`;
  if (rebuilt === undefined) return `missing in the rebuild, live ${live.slice(0, 300)}`;
  const a = JSON.parse(live) as Record<string, unknown>;
  const b = JSON.parse(rebuilt) as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
    .map(
      (key) =>
        `${key}: live ${JSON.stringify(a[key])?.slice(0, 400)} rebuilt ${JSON.stringify(b[key])?.slice(0, 400)}`,
    )
    .join('; ');
}
