import { ClientKafka, type KafkaOptions } from '@nestjs/microservices';
import { type Kafka, Partitioners } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { OutgoingRecord } from '../integration-message';
import type { IntegrationEventPublisher } from '../publisher';
import {
  createKafka,
  ensureTopics,
  kafkaConfig,
  type KafkaConnectionOptions,
} from './kafka-connection';

export interface KafkaPublisherOptions extends KafkaConnectionOptions {
  /** Partitions of a topic this publisher creates because it was missing; default 3. */
  partitions?: number;
}

/**
 * The publisher's ClientKafka settings: an idempotent producer (the broker drops a retried
 * batch it already wrote) with one request in flight and acks from all in-sync replicas, so a
 * retry can neither duplicate nor reorder within a partition.
 */
export function publisherClientOptions(
  options: KafkaPublisherOptions,
): NonNullable<KafkaOptions['options']> {
  return {
    client: kafkaConfig(options),
    postfixId: '',
    producerOnlyMode: true,
    producer: {
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2 on the key, as the Java client: every producer puts a key on the same partition
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded: a broker outage surfaces to the relay, which backs off and retries.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    },
    send: { acks: -1 },
  };
}

/**
 * Publishes through @nestjs/microservices' ClientKafka (kafkajs underneath) with the
 * settings of publisherClientOptions. It connects on first use; after a failure the client
 * is discarded and a fresh one connects on the next attempt.
 */
export class KafkaIntegrationEventPublisher implements IntegrationEventPublisher {
  private readonly kafka: Kafka;
  private producer: Promise<ClientKafka> | null = null;
  private readonly knownTopics = new Set<string>();

  constructor(private readonly options: KafkaPublisherOptions) {
    this.kafka = createKafka(options);
  }

  async publish(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic);
      if (list) list.push(r);
      else byTopic.set(r.topic, [r]);
    }
    await this.createMissing([...byTopic.keys()]);
    const client = await this.connected();
    try {
      // One batch per topic, in the order the topics first appear; records keep their order.
      for (const [topic, rs] of byTopic) {
        await lastValueFrom(
          client.emitBatch(topic, {
            messages: rs.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
          }),
          { defaultValue: undefined },
        );
      }
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  /**
   * Topics are created with a known partition count instead of being left to the broker's
   * auto-creation (often disabled, and with its own default count).
   */
  private async createMissing(topics: string[]): Promise<void> {
    const missing = topics.filter((t) => !this.knownTopics.has(t));
    if (missing.length === 0) return;
    await ensureTopics(
      this.kafka,
      missing.map((topic) => ({
        topic,
        partitions: topic.endsWith('.dlq') ? 1 : (this.options.partitions ?? 3),
      })),
    );
    for (const t of missing) this.knownTopics.add(t);
  }

  async close(): Promise<void> {
    await this.discard();
  }

  private connected(): Promise<ClientKafka> {
    if (!this.producer) {
      const client = new ClientKafka(publisherClientOptions(this.options));
      this.producer = client.connect().then(() => client);
      this.producer.catch(() => {
        this.producer = null;
        client.close().catch(() => undefined);
      });
    }
    return this.producer;
  }

  private async discard(): Promise<void> {
    const pending = this.producer;
    this.producer = null;
    if (!pending) return;
    try {
      await (await pending).close();
    } catch {
      // it was already unusable
    }
  }
}
