import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { OutgoingRecord } from '../integration-message';
import type { IntegrationEventPublisher } from '../publisher';
import { createKafka, type KafkaConnectionOptions } from './kafka-connection';

/**
 * Idempotent kafkajs producer (acks from all in-sync replicas, one request in flight, so a
 * retry can neither duplicate nor reorder within a partition). It connects on first use;
 * after a failure it is discarded and a fresh one connects on the next attempt.
 */
export class KafkaIntegrationEventPublisher implements IntegrationEventPublisher {
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | null = null;

  constructor(options: KafkaConnectionOptions) {
    this.kafka = createKafka(options);
  }

  async publish(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.connected();
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, rs]) => ({
          topic,
          messages: rs.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
        })),
      });
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.discard();
  }

  private connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // murmur2 on the key, as the Java client: every producer puts a key on the same partition
        createPartitioner: Partitioners.DefaultPartitioner,
        // Bounded: a broker outage surfaces to the relay, which backs off and retries.
        retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
      });
      this.producer = producer.connect().then(() => producer);
      this.producer.catch(() => {
        this.producer = null;
        producer.disconnect().catch(() => undefined);
      });
    }
    return this.producer;
  }

  private async discard(): Promise<void> {
    const pending = this.producer;
    this.producer = null;
    if (!pending) return;
    try {
      await (await pending).disconnect();
    } catch {
      // it was already unusable
    }
  }
}
