import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CONTEXTS, topicOf, type ContextName } from '@pcp/contracts';
import {
  DOCUMENT_STORE,
  InMemoryDocumentStore,
  ProjectionRunner,
  type DocumentStore,
} from '@pcp/documents';
import {
  BEFORE_FIRST,
  EVENT_STORE,
  EVENT_STORE_SQL,
  type EventStore,
  LogTail,
  type SqlClient,
} from '@pcp/eventsourcing';
import { ReadinessRegistry } from '@pcp/http';
import {
  contextsOf,
  DocumentDeadLetterSink,
  DocumentProcessedEvents,
  EventLogIntegrationSource,
  InMemoryProcessedEvents,
  IntegrationEventRelay,
  integrationTranslator,
  KafkaIntegrationEventPublisher,
  KafkaIntegrationSource,
  MessageProcessor,
  parseBrokers,
  sqlRelayLease,
  TopicDeadLetterSink,
  type IntegrationEventPublisher,
} from '@pcp/messaging';
import type { BoundedContext } from './bounded-context';
import { loadSnapshot, saveSnapshot, setAside } from './read-model-snapshot';

export const RUNTIME_OPTIONS = Symbol('RUNTIME_OPTIONS');

export interface RuntimeOptions {
  /** Names the Kafka client and consumer groups' client id. */
  service: string;
  contexts: BoundedContext[];
  integration: 'log' | 'kafka';
  kafkaBrokers?: string;
  /** Put before every topic name; default none. */
  kafkaTopicPrefix?: string;
  readModels: 'memory' | 'mongo';
  /**
   * In-memory read models saved here at stop and taken back at start when made by the same
   * code (`fingerprint`) from the same log; absent: rebuilt from the log at every start.
   */
  readModelSnapshot?: { file: string; fingerprint: string };
  /**
   * Names the log the relays publish (the event store's PostgreSQL schema): processes
   * relaying the same log take turns through one lease per context.
   */
  relayLeaseScope?: string;
}

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Runs what keeps read models and reactions current: a projection runner per projection,
 * and per consumer a source of integration events, from the log (embedded) or from Kafka
 * (distributed, where each context's relay also publishes its log). Stops them all before
 * the stores close.
 */
@Injectable()
export class ContextRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ContextRuntime');
  private readonly runners: ProjectionRunner[] = [];
  private readonly logSources: EventLogIntegrationSource[] = [];
  private readonly kafkaSources: { name: string; source: KafkaIntegrationSource }[] = [];
  private readonly running: Stoppable[] = [];
  private publisher: IntegrationEventPublisher | null = null;
  /** Bootstrap went through: what runs reflects the log (a snapshot may be taken). */
  private bootstrapped = false;
  private snapshotRestored = false;
  /** One read of the log for every projection and log-fed consumer of the process. */
  private tail: LogTail | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_STORE_SQL) private readonly sql: SqlClient | null,
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
    @Inject(RUNTIME_OPTIONS) private readonly options: RuntimeOptions,
    private readonly moduleRef: ModuleRef,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { contexts, integration } = this.options;
    const translators = contexts.map((c) => c.translator ?? integrationTranslator(c.name));
    // Log-fed consumers read every context's events, also of contexts this process does not
    // run (events appended by another writer of the same log): those get the default translator.
    const logTranslators = CONTEXTS.map(
      (name) => contexts.find((c) => c.name === name)?.translator ?? integrationTranslator(name),
    );
    const onError = (what: string) => (error: unknown) =>
      this.logger.error(`${what}: ${error instanceof Error ? error.message : String(error)}`);

    const consumerPositions = await this.restoreSnapshot();
    const tail = LogTail.of(this.store);
    this.tail = tail;
    for (const context of contexts) {
      for (const projection of context.projections ?? []) {
        // In-memory read models keep their checkpoints beside them: they rebuild from zero.
        const runner = new ProjectionRunner({
          events: tail.reader(),
          documents: this.documents,
          projection,
          onError: onError(`projection ${projection.name}`),
        });
        runner.start();
        this.runners.push(runner);
        this.running.push(runner);
      }
    }

    const topicFor = (context: ContextName) =>
      `${this.options.kafkaTopicPrefix ?? ''}${topicOf(context)}`;
    if (integration === 'kafka') {
      const connection = {
        brokers: parseBrokers(this.options.kafkaBrokers ?? ''),
        clientId: this.options.service,
      };
      this.publisher = new KafkaIntegrationEventPublisher(connection);
      for (const [i, context] of contexts.entries()) {
        // Replicas of a service on a PostgreSQL server relay in turn; PGlite has one process
        // and EventStoreDB no lock, so there each process relays (run one replica there).
        const scope = this.options.relayLeaseScope ?? 'eventstore';
        const lease =
          this.sql && this.sql.tryLock
            ? sqlRelayLease(this.sql, `pcp relay ${scope} ${context.name}`)
            : null;
        const relay = new IntegrationEventRelay({
          context: context.name,
          store: this.store,
          publisher: this.publisher,
          translator: translators[i],
          topicFor,
          lease,
          onError: onError(`relay ${context.name}`),
        });
        relay.start();
        this.running.push(relay);
      }
    }

    for (const context of contexts) {
      for (const type of context.consumers ?? []) {
        const consumer = this.moduleRef.get(type, { strict: false });
        const processor = new MessageProcessor({
          consumer,
          // Beside in-memory read models, in memory too: both go, and come back, together.
          processed:
            this.options.readModels === 'memory'
              ? new InMemoryProcessedEvents()
              : new DocumentProcessedEvents(this.documents),
          deadLetters:
            integration === 'kafka' && this.publisher
              ? new TopicDeadLetterSink(this.publisher)
              : new DocumentDeadLetterSink(this.documents),
        });
        if (integration === 'kafka') {
          const source = new KafkaIntegrationSource({
            connection: {
              brokers: parseBrokers(this.options.kafkaBrokers ?? ''),
              clientId: this.options.service,
            },
            processor,
            topics: contextsOf(consumer).map(topicFor),
            // the prefix names the deployment: its groups are its own, as its topics are
            groupId: `${this.options.kafkaTopicPrefix ?? ''}${consumer.name}`,
            onError: onError(`consumer ${consumer.name}`),
          });
          // Joining the group waits for the broker: in the background, so that a broker that
          // is down or slow never keeps the service from starting and taking commands.
          this.startInBackground(`consumer ${consumer.name}`, source);
          this.kafkaSources.push({ name: consumer.name, source });
          this.running.push(source);
        } else {
          const source = new EventLogIntegrationSource({
            store: this.store,
            log: tail.reader(),
            consumer,
            processor,
            translators: logTranslators,
            onError: onError(`consumer ${consumer.name}`),
          });
          // What a consumer did lives in the read models: kept in memory, it is redone from
          // the start of the log, as the projections are, or from where the snapshot the
          // read models were taken back from had left it.
          if (this.options.readModels === 'memory') {
            const position = consumerPositions[source.subscriptionName];
            await this.store.writeCheckpoint(
              source.subscriptionName,
              position === undefined ? BEFORE_FIRST : BigInt(position),
            );
          }
          source.start();
          this.logSources.push(source);
          this.running.push(source);
        }
      }
    }

    this.bootstrapped = true;
    if (this.kafkaSources.length > 0) {
      // Ready once every consumer has joined its group at least once: before that, a command
      // that needs another context's facts would wait for events nobody is reading yet. A
      // later broker outage does not take readiness away (commands of this context still work).
      this.readiness.register({
        name: 'kafkaConsumers',
        check: async () => {
          const waiting = this.consumersNotJoined();
          if (waiting.length > 0)
            throw new Error(`consumers not yet in their groups: ${waiting.join(', ')}`);
        },
      });
    }
  }

  private stopped = false;

  private startInBackground(what: string, source: KafkaIntegrationSource, delayMs = 1_000): void {
    if (this.stopped) return;
    source.start().then(
      () => this.logger.log(`${what} joined its group`),
      async (error: unknown) => {
        this.logger.warn(`${what} could not join its group yet (${String(error)}); retrying`);
        await source.stop().catch(() => undefined);
        const retry = setTimeout(
          () => this.startInBackground(what, source, Math.min(delayMs * 2, 30_000)),
          delayMs,
        );
        retry.unref();
      },
    );
  }

  /** The read models were taken from a snapshot at start (not rebuilt from the whole log). */
  get readModelsFromSnapshot(): boolean {
    return this.snapshotRestored;
  }

  private consumersNotJoined(): string[] {
    return this.kafkaSources.filter((k) => !k.source.joined).map((k) => k.name);
  }

  /** Resolves once every Kafka consumer has joined its group (at once in embedded mode). */
  async consumersJoined(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waiting = this.consumersNotJoined();
      if (waiting.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`consumers did not join their groups: ${waiting.join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Resolves once every projection and log-fed consumer has handled the log up to its
   * current head, including events that reactions appended meanwhile. Embedded mode only:
   * over Kafka, read your writes by polling.
   */
  async settle(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const head = await this.store.headPosition();
      await Promise.all(
        this.runners.map((r) => r.waitFor(head, Math.max(1, deadline - Date.now()))),
      );
      for (const source of this.logSources) {
        while ((source.lastPosition ?? BEFORE_FIRST) < head) {
          if (Date.now() > deadline)
            throw new Error(`consumer ${source.subscriptionName} did not catch up`);
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      if ((await this.store.headPosition()) === head) return;
    }
  }

  /** Takes the read models back from the snapshot; the consumers' positions in it. */
  private async restoreSnapshot(): Promise<Record<string, string>> {
    const snapshot = this.options.readModelSnapshot;
    if (!snapshot || !(this.documents instanceof InMemoryDocumentStore)) return {};
    const started = Date.now();
    const documents = this.documents;
    documents.clearForRestore();
    const found = await loadSnapshot(snapshot.file, snapshot.fingerprint, this.store, (name, doc) =>
      documents.restoreDocument(name, doc),
    );
    if (found.problem) {
      // a file cut short: what was taken of it goes, the log rebuilds everything
      documents.clearForRestore();
      this.logger.warn(
        `Read-model snapshot ${snapshot.file} is ${found.problem}: set aside (.unused), read models rebuilt from the log`,
      );
      await setAside(snapshot.file);
    }
    if (!found.snapshot) return {};
    this.snapshotRestored = true;
    this.logger.log(
      `Read models taken from the snapshot of ${found.snapshot.savedAt} in ${Date.now() - started} ms; following the log from there`,
    );
    return found.snapshot.consumers;
  }

  /** Saves the read models with where each projection and consumer had got to. */
  private async saveSnapshot(file: string, fingerprint: string): Promise<void> {
    if (!(this.documents instanceof InMemoryDocumentStore)) return;
    const started = Date.now();
    const consumers: Record<string, string> = {};
    let furthest = BEFORE_FIRST;
    for (const source of this.logSources) {
      const position = (await this.store.readCheckpoint(source.subscriptionName)) ?? BEFORE_FIRST;
      consumers[source.subscriptionName] = position.toString();
      if (position > furthest) furthest = position;
    }
    for (const runner of this.runners) {
      const { position } = runner.status();
      if (position > furthest) furthest = position;
    }
    let head: { position: string; eventId: string } | null = null;
    if (furthest > BEFORE_FIRST) {
      const [event] = await this.store.readAll(furthest - 1n, 1);
      if (!event || event.globalPosition !== furthest)
        throw new Error(`no event at position ${furthest} to tie the snapshot to`);
      head = { position: furthest.toString(), eventId: event.id };
    }
    await saveSnapshot(file, {
      fingerprint,
      head,
      consumers,
      collections: this.documents.snapshot(),
    });
    this.logger.log(`Read models saved to ${file} in ${Date.now() - started} ms`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const stops = await Promise.allSettled(this.running.map((r) => r.stop()));
    const snapshot = this.options.readModelSnapshot;
    // only from a clean stop: every runner and consumer ended between two events
    if (snapshot && this.bootstrapped && stops.every((s) => s.status === 'fulfilled'))
      await this.saveSnapshot(snapshot.file, snapshot.fingerprint).catch((error: unknown) =>
        this.logger.warn(`Read models not saved: ${String(error)}`),
      );
    this.tail?.close();
    await this.publisher?.close();
  }
}
