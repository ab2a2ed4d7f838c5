/**
 * The relay: the event log is the outbox. A catch-up subscription per context reads the
 * stored events in global order, translates those that are integration events, checks them
 * against the published language and hands them to the publisher. The subscription's
 * checkpoint moves only after the handler resolved, i.e. after the broker acknowledged.
 *
 * The append path never waits for any of this: when Kafka is down the relay retries with
 * backoff in the background and the events flow once the broker is back.
 */
import {
  type ContextName,
  DEAD_LETTER_HEADER,
  type IntegrationEventRegistry,
  deadLetterTopicOf,
  integrationEvents,
  topicOf,
} from '@pcp/contracts';
import type { EventEnvelope, EventStore, Subscription } from '@pcp/eventsourcing';
import { type BackoffOptions, Pause, backoffDelay } from '../backoff';
import { type OutgoingRecord, integrationMessageOf, toRecord } from '../integration-message';
import type { IntegrationEventPublisher } from '../publisher';
import { type IntegrationTranslator, integrationTranslator } from '../translation';

export type TopicNaming = (context: ContextName) => string;

export interface RelayOptions {
  context: ContextName;
  store: Pick<EventStore, 'subscribe'>;
  publisher: IntegrationEventPublisher;
  registry?: IntegrationEventRegistry;
  translator?: IntegrationTranslator;
  topicFor?: TopicNaming;
  /** Durable subscription name; default `relay:<context>`. */
  subscriptionName?: string;
  /** Backoff between publish attempts while the broker is unavailable. */
  retry?: BackoffOptions;
  pollIntervalMs?: number;
  onError?: (error: unknown, context: ContextName) => void;
}

export interface RelayStatus {
  context: ContextName;
  running: boolean;
  /** False while the last publish attempt failed. */
  brokerReachable: boolean;
  published: number;
  /** Events refused by the published language and parked on the dead-letter topic. */
  parked: number;
  /** Global position of the last event handed on (or passed by). */
  lastPosition: bigint | null;
  lastError: string | null;
}

class RelayStopped extends Error {
  constructor() {
    super('Relay stopped');
    this.name = 'RelayStopped';
  }
}

export class IntegrationEventRelay {
  private readonly registry: IntegrationEventRegistry;
  private readonly translator: IntegrationTranslator;
  private readonly topicFor: TopicNaming;
  private readonly pause = new Pause();
  private subscription: Subscription | null = null;
  private supervisor: Promise<void> | null = null;
  private stopping = false;
  private readonly state: RelayStatus;

  constructor(private readonly options: RelayOptions) {
    this.registry = options.registry ?? integrationEvents;
    this.translator =
      options.translator ?? integrationTranslator(options.context, { registry: this.registry });
    if (this.translator.context !== options.context) {
      throw new Error(
        `Relay for ${options.context} given the translator of ${this.translator.context}`,
      );
    }
    this.topicFor = options.topicFor ?? topicOf;
    this.state = {
      context: options.context,
      running: false,
      brokerReachable: true,
      published: 0,
      parked: 0,
      lastPosition: null,
      lastError: null,
    };
  }

  get subscriptionName(): string {
    return this.options.subscriptionName ?? `relay:${this.options.context}`;
  }

  /** Starts relaying in the background; returns at once. */
  start(): void {
    if (this.supervisor) return;
    this.stopping = false;
    this.state.running = true;
    this.supervisor = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.pause.interrupt();
    await this.subscription?.stop();
    await this.supervisor;
    this.supervisor = null;
    this.state.running = false;
  }

  status(): RelayStatus {
    return { ...this.state };
  }

  /** Keeps a subscription open; if the store fails it resubscribes from the checkpoint. */
  private async supervise(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      this.subscription = this.options.store.subscribe(
        this.subscriptionName,
        (e) => this.relay(e),
        {
          eventTypes: [...this.translator.sourceTypes],
          pollIntervalMs: this.options.pollIntervalMs,
        },
      );
      try {
        await this.subscription.done;
        failures = 0;
      } catch (error) {
        if (error instanceof RelayStopped || this.stopping) break;
        this.fail(error);
        await this.pause.for(backoffDelay(failures++, this.options.retry));
      }
    }
    this.subscription = null;
  }

  private async relay(envelope: EventEnvelope): Promise<void> {
    const translation = this.translator.translate(envelope);
    if (translation) {
      const { definition, data } = translation;
      const topic = this.topicFor(definition.context);
      const message = integrationMessageOf(envelope, definition, data);
      const record = toRecord(message, topic);
      const check = this.registry.check(definition, data);
      if (check.valid) {
        await this.publishUntilAcknowledged(record);
        this.state.published++;
      } else {
        // A contract violation would stop every later event of the context; park it instead,
        // visible on the dead-letter topic, and keep the flow going.
        const error = `${definition.name} breaks its schema: ${check.errors.join('; ')}`;
        this.options.onError?.(new Error(error), this.options.context);
        await this.publishUntilAcknowledged({
          ...record,
          topic: deadLetterTopicOf(topic),
          headers: {
            ...record.headers,
            [DEAD_LETTER_HEADER.error]: error,
            [DEAD_LETTER_HEADER.kind]: 'unpublishable',
            [DEAD_LETTER_HEADER.at]: new Date().toISOString(),
          },
        });
        this.state.parked++;
      }
    }
    this.state.lastPosition = envelope.globalPosition;
  }

  private async publishUntilAcknowledged(record: OutgoingRecord): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) throw new RelayStopped();
      try {
        await this.options.publisher.publish([record]);
        this.state.brokerReachable = true;
        this.state.lastError = null;
        return;
      } catch (error) {
        this.state.brokerReachable = false;
        this.fail(error);
        await this.pause.for(backoffDelay(attempt, this.options.retry));
      }
    }
  }

  private fail(error: unknown): void {
    this.state.lastError = error instanceof Error ? error.message : String(error);
    this.options.onError?.(error, this.options.context);
  }
}
