import { type KafkaContext, type KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { type Kafka, Partitioners } from 'kafkajs';
import { Pause, backoffDelay } from '../backoff';
import type { IncomingRecord } from '../integration-message';
import type { MessageProcessor } from '../consumer/message-processor';
import {
  createKafka,
  ensureTopics,
  kafkaConfig,
  type KafkaConnectionOptions,
} from './kafka-connection';

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

/** A key or header as ServerKafka's parser hands it over (text, JSON it parsed, or bytes). */
const asText = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : Buffer.isBuffer(value)
      ? value.toString()
      : JSON.stringify(value);

const headerText = (headers: Record<string, unknown> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== null) out[name] = asText(first);
  }
  return out;
};

/** @nestjs/microservices' Kafka server, which also tells when its consumer joins its group. */
class ConsumerGroupServer extends ServerKafka {
  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly onGroupJoin: () => void,
  ) {
    super(options);
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    this.consumer?.on(this.consumer.events.GROUP_JOIN, this.onGroupJoin);
  }
}

class ConsumerStopping extends Error {
  constructor() {
    super('Consumer stopping');
    this.name = 'ConsumerStopping';
  }
}

/**
 * Reads integration events in a Kafka consumer group, through @nestjs/microservices'
 * ServerKafka (an event handler per topic). Each partition is processed one message at a
 * time, in order; the offset is committed after the message was handled, skipped as a
 * duplicate or parked, so a crash or a rebalance re-delivers at most the message in hand,
 * which the processed-ids store then recognises.
 */
export class KafkaIntegrationSource {
  private readonly kafka: Kafka;
  private server: ConsumerGroupServer | null = null;
  private stopping = false;
  private joinedOnce = false;
  private readonly pause = new Pause();

  constructor(private readonly options: KafkaIntegrationSourceOptions) {
    this.kafka = createKafka(options.connection);
  }

  async start(): Promise<void> {
    this.stopping = false;
    // a consumer may start before the first event of a context was ever published
    await ensureTopics(
      this.kafka,
      this.options.topics.map((topic) => ({ topic, partitions: this.options.partitions ?? 3 })),
    );
    const server = new ConsumerGroupServer(
      {
        client: kafkaConfig(this.options.connection),
        // The group id as given: ServerKafka would otherwise append "-server".
        postfixId: '',
        // The value reaches the processor as the text that was published.
        parser: { keepBinary: true },
        consumer: {
          groupId: this.options.groupId ?? this.options.processor.consumerName,
          sessionTimeout: this.options.sessionTimeout ?? 30_000,
          heartbeatInterval: this.options.heartbeatInterval ?? 3000,
          rebalanceTimeout: this.options.rebalanceTimeout ?? 60_000,
          allowAutoTopicCreation: false,
          // kafkajs restarts a crashed consumer itself; keep doing so for as long as it runs
          retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
        },
        // ServerKafka connects a producer for replies, which events never have; set, so
        // that kafkajs does not warn about its default partitioner.
        producer: {
          createPartitioner: Partitioners.DefaultPartitioner,
          allowAutoTopicCreation: false,
        },
        subscribe: { fromBeginning: this.options.fromBeginning ?? true },
        run: {
          autoCommit: false,
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        },
      },
      () => {
        this.joinedOnce = true;
      },
    );
    for (const topic of this.options.topics)
      server.addHandler(
        topic,
        (_data: unknown, context: KafkaContext) => this.handle(context),
        true,
      );
    this.server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        void server.listen((error?: unknown) => (error ? reject(error) : resolve()));
      });
    } catch (error) {
      this.server = null;
      await server.close().catch(() => undefined);
      throw error;
    }
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
    const server = this.server;
    this.server = null;
    await server?.close();
  }

  private async handle(context: KafkaContext): Promise<void> {
    const topic = context.getTopic();
    const partition = context.getPartition();
    const message = context.getMessage();
    const heartbeat = context.getHeartbeat();
    const record: IncomingRecord = {
      topic,
      partition,
      offset: message.offset,
      key: message.key === null || message.key === undefined ? null : asText(message.key),
      value: message.value ? asText(message.value) : null,
      headers: headerText(message.headers as Record<string, unknown> | undefined),
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
      await context
        .getConsumer()
        .commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    } catch (error) {
      // Lost the partition in a rebalance: its next owner re-reads this message and skips it.
      this.options.onError?.(error);
    }
  }
}
