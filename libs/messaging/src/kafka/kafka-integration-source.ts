import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { Pause, backoffDelay } from '../backoff';
import type { IncomingRecord } from '../integration-message';
import type { MessageProcessor } from '../consumer/message-processor';
import { createKafka, ensureTopics, type KafkaConnectionOptions } from './kafka-connection';

export interface KafkaIntegrationSourceOptions {
  connection: KafkaConnectionOptions;
  processor: MessageProcessor;
  topics: string[];
  /**
   * The consumer group; default the consumer's name. Deployments (or test runs) sharing a
   * broker need groups of their own: a shared group would rebalance across all of them.
   */
  groupId?: string;
  /** Partitions of a topic created because it did not exist yet; default 3. */
  partitions?: number;
  /** Partitions handled in parallel; each partition stays sequential. Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Where a new group starts; default from the beginning (nothing published is skipped). */
  fromBeginning?: boolean;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  rebalanceTimeout?: number;
  onError?: (error: unknown) => void;
}

const headerText = (headers: EachMessagePayload['message']['headers']): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
};

class ConsumerStopping extends Error {
  constructor() {
    super('Consumer stopping');
    this.name = 'ConsumerStopping';
  }
}

/**
 * Reads integration events in a Kafka consumer group. Each partition is processed one
 * message at a time, in order; the offset is committed after the message was handled,
 * skipped as a duplicate or parked, so a crash or a rebalance re-delivers at most the
 * message in hand, which the processed-ids store then recognises.
 */
export class KafkaIntegrationSource {
  private readonly kafka: Kafka;
  private consumer: Consumer | null = null;
  private stopping = false;
  private joinedOnce = false;
  private readonly pause = new Pause();

  constructor(private readonly options: KafkaIntegrationSourceOptions) {
    this.kafka = createKafka(options.connection);
  }

  async start(): Promise<void> {
    this.stopping = false;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId ?? this.options.processor.consumerName,
      sessionTimeout: this.options.sessionTimeout ?? 30_000,
      heartbeatInterval: this.options.heartbeatInterval ?? 3000,
      rebalanceTimeout: this.options.rebalanceTimeout ?? 60_000,
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer itself; keep doing so for as long as it runs
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joinedOnce = true;
    });
    // a consumer may start before the first event of a context was ever published
    await ensureTopics(
      this.kafka,
      this.options.topics.map((topic) => ({ topic, partitions: this.options.partitions ?? 3 })),
    );
    await consumer.connect();
    await consumer.subscribe({
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachMessage: (payload) => this.handle(consumer, payload),
    });
  }

  /**
   * True once the consumer has been given its partitions for the first time. Until then a
   * service would take commands whose cross-context facts it cannot hear of yet.
   */
  get joined(): boolean {
    return this.joinedOnce;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.pause.interrupt();
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect();
  }

  private async handle(
    consumer: Consumer,
    { topic, partition, message, heartbeat }: EachMessagePayload,
  ): Promise<void> {
    const record: IncomingRecord = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString() : null,
      value: message.value ? message.value.toString() : null,
      headers: headerText(message.headers),
    };
    // Waiting between attempts must not cost the group membership.
    const wait = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until && !this.stopping) {
        await this.pause.for(Math.min(1000, until - Date.now()));
        await heartbeat().catch(() => undefined);
      }
      // Leave the message uncommitted rather than use up its attempts while shutting down.
      if (this.stopping) throw new ConsumerStopping();
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.processor.process(record, wait);
        break;
      } catch (error) {
        // the processed-ids store or the dead-letter topic is unavailable: hold this message
        if (this.stopping) throw error;
        this.options.onError?.(error);
        await wait(backoffDelay(attempt, { initialMs: 200, maxMs: 10_000 }));
      }
    }
    try {
      await consumer.commitOffsets([
        { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
      ]);
    } catch (error) {
      // Lost the partition in a rebalance: its next owner re-reads this message and skips it.
      this.options.onError?.(error);
    }
  }
}
