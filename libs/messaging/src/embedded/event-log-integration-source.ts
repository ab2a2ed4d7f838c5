/**
 * Embedded mode: no broker. The same consumers are fed straight from the shared event log
 * by a catch-up subscription; each stored event goes through the publishing context's
 * translator and becomes the very IntegrationMessage the Kafka source would have produced.
 */
import { type ContextName, integrationEvents, topicOf } from '@pcp/contracts';
import {
  type EventEnvelope,
  type EventStore,
  type LogReader,
  pollingSubscription,
  type Subscription,
} from '@pcp/eventsourcing';
import { type BackoffOptions, Pause, backoffDelay } from '../backoff';
import { contextsOf } from '../consumer/integration-consumer';
import type { MessageProcessor } from '../consumer/message-processor';
import { type IncomingRecord, integrationMessageOf, toRecord } from '../integration-message';
import { type IntegrationTranslator, integrationTranslator } from '../translation';
import type { IntegrationConsumer } from '../consumer/integration-consumer';

export interface EventLogIntegrationSourceOptions {
  store: Pick<EventStore, 'subscribe' | 'readCheckpoint' | 'writeCheckpoint'>;
  /**
   * Read the log through this (a shared tail's reader) instead of the store's own
   * subscription; the checkpoint still lives in the store.
   */
  log?: LogReader;
  /**
   * With `log`: store the checkpoint at most this often (default 1,000 ms; always on stop).
   * A crash repeats what came after it, which the processed-ids store turns away; the ids
   * up to each stored checkpoint are dropped.
   */
  checkpointIntervalMs?: number;
  consumer: IntegrationConsumer;
  processor: MessageProcessor;
  /** One per publishing context; default: each context's same-name translator. */
  translators?: IntegrationTranslator[];
  /** Durable subscription name; default `consumer:<consumer name>`. */
  subscriptionName?: string;
  pollIntervalMs?: number;
  retry?: BackoffOptions;
  onError?: (error: unknown) => void;
}

export class EventLogIntegrationSource {
  private readonly translators: IntegrationTranslator[];
  private readonly pause = new Pause();
  private subscription: Subscription | null = null;
  private supervisor: Promise<void> | null = null;
  private stopping = false;
  private position: bigint | null = null;

  constructor(private readonly options: EventLogIntegrationSourceOptions) {
    const contexts = new Set<ContextName>(contextsOf(options.consumer));
    this.translators =
      options.translators?.filter((t) => contexts.has(t.context)) ??
      [...contexts].map((c) => integrationTranslator(c, { registry: integrationEvents }));
  }

  get subscriptionName(): string {
    return this.options.subscriptionName ?? `consumer:${this.options.consumer.name}`;
  }

  /** Global position of the last event this source went past (with `log`: or started after). */
  get lastPosition(): bigint | null {
    return this.position;
  }

  start(): void {
    if (this.supervisor) return;
    this.stopping = false;
    this.supervisor = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.pause.interrupt();
    await this.subscription?.stop();
    await this.supervisor;
    this.supervisor = null;
    this.options.log?.close();
  }

  private subscribe(eventTypes: string[]): Subscription {
    const { store, log } = this.options;
    if (!log) {
      return store.subscribe(this.subscriptionName, (e) => this.deliver(e), {
        eventTypes,
        pollIntervalMs: this.options.pollIntervalMs,
      });
    }
    const types = new Set(eventTypes);
    return pollingSubscription(
      {
        readAll: (after, batchSize) => log.readAll(after, batchSize),
        onAppended: (wake) => log.onAppended(wake),
        readCheckpoint: (name) => store.readCheckpoint(name),
        writeCheckpoint: (name, position) => store.writeCheckpoint(name, position),
      },
      this.subscriptionName,
      async (e) => {
        if (types.has(e.type)) await this.deliver(e);
      },
      {
        pollIntervalMs: this.options.pollIntervalMs ?? log.pollIntervalMs,
        checkpointIntervalMs: this.options.checkpointIntervalMs ?? 1_000,
        onPosition: (position) => {
          this.position = position;
        },
        // Read in log order from a stored checkpoint, the events up to it never come again:
        // their processed ids would only take room (a million events, a million ids).
        onCheckpoint: (position) => {
          this.options.processor
            .forgetUpTo(position)
            .catch((error) => this.options.onError?.(error));
        },
      },
    );
  }

  private async supervise(): Promise<void> {
    const eventTypes = [...new Set(this.translators.flatMap((t) => t.sourceTypes))];
    let failures = 0;
    while (!this.stopping) {
      this.subscription = this.subscribe(eventTypes);
      try {
        await this.subscription.done;
        failures = 0;
      } catch (error) {
        if (this.stopping) break;
        this.options.onError?.(error);
        await this.pause.for(backoffDelay(failures++, this.options.retry));
      }
    }
    this.subscription = null;
  }

  private async deliver(envelope: EventEnvelope): Promise<void> {
    for (const translator of this.translators) {
      const translation = translator.translate(envelope);
      if (!translation) continue;
      const message = integrationMessageOf(envelope, translation.definition, translation.data);
      const outgoing = toRecord(message, topicOf(translation.definition.context));
      const record: IncomingRecord = {
        topic: outgoing.topic,
        partition: 0,
        offset: envelope.globalPosition.toString(),
        key: outgoing.key,
        value: outgoing.value,
        headers: outgoing.headers,
      };
      // through the Kafka decoding, so handlers see exactly what the broker would deliver
      await this.options.processor.process(record);
      break;
    }
    this.position = envelope.globalPosition;
  }
}
