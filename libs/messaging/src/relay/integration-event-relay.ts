/**
 * The relay: the event log is the outbox. A catch-up loop per context reads the stored
 * events in global order, a batch at a time, translates those that are integration events,
 * checks them against the published language and hands the whole batch to the publisher in
 * one send (records keep their log order within a topic, hence per key). The checkpoint
 * moves only after the broker acknowledged the batch: at-least-once, never a gap.
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
import { BEFORE_FIRST, type EventEnvelope, type EventStore } from '@pcp/eventsourcing';
import { type BackoffOptions, Pause, backoffDelay } from '../backoff';
import { type OutgoingRecord, integrationMessageOf, toRecord } from '../integration-message';
import type { IntegrationEventPublisher } from '../publisher';
import type { RelayLease } from './relay-lease';
import { type IntegrationTranslator, integrationTranslator } from '../translation';

export type TopicNaming = (context: ContextName) => string;

export interface RelayOptions {
  context: ContextName;
  store: Pick<EventStore, 'readAll' | 'readCheckpoint' | 'writeCheckpoint'>;
  publisher: IntegrationEventPublisher;
  registry?: IntegrationEventRegistry;
  translator?: IntegrationTranslator;
  topicFor?: TopicNaming;
  /** Name of the durable checkpoint; default `relay:<context>`. */
  subscriptionName?: string;
  /** Events read, and records sent to the broker, per round trip; default 500. */
  batchSize?: number;
  /** Backoff between publish attempts while the broker is unavailable. */
  retry?: BackoffOptions;
  /** Wait between reads once caught up; default 100 ms. */
  pollIntervalMs?: number;
  onError?: (error: unknown, context: ContextName) => void;
  /** Where several processes serve the context: only the holder relays. Default: this one. */
  lease?: RelayLease | null;
  /** How often a process without the lease asks for it again; default 2000 ms. */
  standbyMs?: number;
}

export interface RelayStatus {
  context: ContextName;
  running: boolean;
  /** Holds the lease and relays (always, without a lease); false while another process does. */
  leading: boolean;
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

class LeaseLost extends Error {
  constructor() {
    super('Relay lease lost');
    this.name = 'LeaseLost';
  }
}

export class IntegrationEventRelay {
  private readonly registry: IntegrationEventRegistry;
  private readonly translator: IntegrationTranslator;
  private readonly topicFor: TopicNaming;
  private readonly pause = new Pause();
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
      leading: false,
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
    await this.supervisor;
    this.supervisor = null;
    this.state.running = false;
  }

  status(): RelayStatus {
    return { ...this.state };
  }

  /** Keeps the loop going; if the store fails it starts again from the checkpoint. */
  private async supervise(): Promise<void> {
    const { lease } = this.options;
    let failures = 0;
    while (!this.stopping) {
      try {
        if (lease && !(await lease.acquire())) {
          // Another process relays this context: stand by, and ask again.
          this.state.leading = false;
          await this.pause.for(this.options.standbyMs ?? 2000);
          continue;
        }
        this.state.leading = true;
        await this.pump(() => {
          failures = 0;
        });
      } catch (error) {
        if (error instanceof RelayStopped || this.stopping) break;
        if (error instanceof LeaseLost) {
          this.state.leading = false;
          continue;
        }
        this.fail(error);
        await this.pause.for(backoffDelay(failures++, this.options.retry));
      }
    }
    this.state.leading = false;
    await lease?.release().catch(() => undefined);
  }

  private async pump(onProgress: () => void): Promise<void> {
    const { store } = this.options;
    const batchSize = this.options.batchSize ?? 500;
    const pollIntervalMs = this.options.pollIntervalMs ?? 100;
    let position = (await store.readCheckpoint(this.subscriptionName)) ?? BEFORE_FIRST;
    // Only the records and where the batch ends outlive this: the envelopes are garbage before
    // the publication starts, not objects the collector copies while it waits for the broker.
    const prepare = async (after: bigint) => {
      const batch = await store.readAll(after, batchSize);
      return {
        read: batch.length,
        last: batch.length > 0 ? batch[batch.length - 1].globalPosition : after,
        outgoing: batch.flatMap((envelope) => this.outgoing(envelope)),
      };
    };
    let next: ReturnType<typeof prepare> | null = null;
    // The checkpoint of the last acknowledged batch, being stored while the next is published.
    let storing: Promise<void> = Promise.resolve();
    const storeCheckpoint = async (acknowledged: bigint) => {
      await store.writeCheckpoint(this.subscriptionName, acknowledged);
      this.state.lastPosition = acknowledged;
      onProgress();
    };
    const { lease } = this.options;
    try {
      while (!this.stopping) {
        if (lease && !lease.held()) throw new LeaseLost();
        const { read, last, outgoing } = await (next ?? prepare(position));
        next = null;
        if (read > 0) {
          // A full batch: the next one is read and translated while this one is published.
          // Only reading: the checkpoint still moves after each acknowledged publication.
          if (read === batchSize) {
            next = prepare(last);
            next.catch(() => undefined);
          }
          if (outgoing.length > 0) {
            await this.publishUntilAcknowledged(outgoing.map((o) => o.record));
            for (const o of outgoing) this.state[o.parked ? 'parked' : 'published']++;
          }
          position = last;
          // One checkpoint at a time, in order; a failure surfaces here, at the next batch.
          await storing;
          storing = storeCheckpoint(last);
          storing.catch(() => undefined);
        }
        if (read < batchSize && !this.stopping) {
          await storing;
          await this.pause.for(pollIntervalMs);
        }
      }
      await storing;
    } finally {
      // a read started ahead is left to finish: nothing depends on it any more
      await next?.catch(() => undefined);
      await storing.catch(() => undefined);
    }
  }

  /** The record an event becomes: on its topic, or parked when it breaks its schema. */
  private outgoing(envelope: EventEnvelope): { record: OutgoingRecord; parked: boolean }[] {
    const translation = this.translator.translate(envelope);
    if (!translation) return [];
    const { definition, data } = translation;
    const topic = this.topicFor(definition.context);
    const record = toRecord(integrationMessageOf(envelope, definition, data), topic);
    const check = this.registry.check(definition, data);
    if (check.valid) return [{ record, parked: false }];
    // A contract violation would stop every later event of the context; park it instead,
    // visible on the dead-letter topic, and keep the flow going.
    const error = `${definition.name} breaks its schema: ${check.errors.join('; ')}`;
    this.options.onError?.(new Error(error), this.options.context);
    return [
      {
        record: {
          ...record,
          topic: deadLetterTopicOf(topic),
          headers: {
            ...record.headers,
            [DEAD_LETTER_HEADER.error]: error,
            [DEAD_LETTER_HEADER.kind]: 'unpublishable',
            [DEAD_LETTER_HEADER.at]: new Date().toISOString(),
          },
        },
        parked: true,
      },
    ];
  }

  private async publishUntilAcknowledged(records: OutgoingRecord[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) throw new RelayStopped();
      try {
        await this.options.publisher.publish(records);
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
