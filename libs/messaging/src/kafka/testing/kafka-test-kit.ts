/** Test-side access to the broker: unique topics, and reading back what landed on them. */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import { createKafka, ensureTopics, parseBrokers } from '../kafka-connection';

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** The producer id of the record's batch: -1 unless an idempotent producer wrote it. */
  producerId: string;
  /** The batch's first sequence number, which the broker checks for an idempotent producer. */
  batchSequence: number;
}

// kafkajs decodes each record's batch header but leaves it out of its types.
type WithBatch = { batchContext?: { producerId?: string; firstSequence?: number } };

function text(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export class KafkaTestKit {
  readonly kafka: Kafka;
  readonly brokers: string[];
  /** Unique per kit, so runs and suites never share topics or groups. */
  readonly runId = randomUUID().slice(0, 8);

  constructor(brokerList: string) {
    this.brokers = parseBrokers(brokerList);
    this.kafka = createKafka({ brokers: this.brokers, clientId: `pcp-test-${this.runId}` });
  }

  topicName(context: string): string {
    return `test-${this.runId}.pcp.${context}.events`;
  }

  async createTopics(names: string[], partitions = 3): Promise<void> {
    await ensureTopics(
      this.kafka,
      names.flatMap((topic) => [
        { topic, partitions },
        { topic: `${topic}.dlq`, partitions: 1 },
      ]),
    );
  }

  /** Messages on the topic right now (sum of high watermarks). */
  async countMessages(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** Reads the topic from the beginning until `count` records arrived (or the time is up). */
  async read(topic: string, count: number, timeoutMs = 20_000): Promise<TopicRecord[]> {
    const records: TopicRecord[] = [];
    const consumer = this.kafka.consumer({
      groupId: `reader-${randomUUID()}`,
      sessionTimeout: 10_000,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`Read ${records.length} of ${count} records from ${topic}`)),
          timeoutMs,
        );
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            records.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
              headers: text(message.headers),
              producerId: (message as WithBatch).batchContext?.producerId ?? '-1',
              batchSequence: (message as WithBatch).batchContext?.firstSequence ?? -1,
            });
            if (records.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    return records;
  }
}

/** Polls until the check holds. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  what = 'condition',
) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
