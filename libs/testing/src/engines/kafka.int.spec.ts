import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { requireEngine, uniqueName } from './engines';

// The broker from `npm run engines:up` (Kafka 4.x, KRaft) must serve kafkajs 2.2.4 fully:
// topic creation, keyed produce, consumer groups and per-key order.
describe('Kafka engine', () => {
  const keys = ['need-1', 'need-2', 'tender-7', 'pilot-3', 'consultation-9'];
  const perKey = 12;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    kafka = new Kafka({
      clientId: uniqueName('engines-proof'),
      brokers: requireEngine('kafka').split(','),
      logLevel: logLevel.ERROR,
    });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it('keeps per-key order through a 3-partition topic and a consumer group', async () => {
    const topic = uniqueName('engines-order');
    const groupId = uniqueName('engines-group');
    await expect(
      admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }),
    ).resolves.toBe(true);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(metadata.partitions).toHaveLength(3);

    // Interleaved keys, sent in several batches so order has to survive more than one request.
    const sent: Record<string, string[]> = {};
    for (let batch = 0; batch < 4; batch++) {
      const messages = [];
      for (let i = batch * (perKey / 4); i < (batch + 1) * (perKey / 4); i++) {
        for (const key of keys) {
          const value = `${key}#${i}`;
          (sent[key] ??= []).push(value);
          messages.push({ key, value });
        }
      }
      await producer.send({ topic, messages });
    }
    const total = keys.length * perKey;

    const received: Record<string, string[]> = {};
    const partitionsOfKey: Record<string, Set<number>> = {};
    const groupConsumer = kafka.consumer({ groupId });
    consumer = groupConsumer;
    await groupConsumer.connect();
    await groupConsumer.subscribe({ topic, fromBeginning: true });
    let count = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`received ${count} of ${total} messages`)),
        45_000,
      );
      groupConsumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const key = String(message.key);
            (received[key] ??= []).push(String(message.value));
            (partitionsOfKey[key] ??= new Set()).add(partition);
            if (++count === total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });

    for (const key of keys) {
      expect(sent[key]).toHaveLength(perKey);
      expect(received[key]).toEqual(sent[key]);
      expect(partitionsOfKey[key]?.size).toBe(1);
    }
    const usedPartitions = new Set(Object.values(partitionsOfKey).flatMap((s) => [...s]));
    expect(usedPartitions.size).toBeGreaterThan(1);

    // The group commits what it consumed (after each batch, so the last commit may trail a little).
    const committedOffsets = async () => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets.partitions.reduce((sum, p) => sum + Math.max(Number(p.offset), 0), 0);
    };
    let committed = await committedOffsets();
    for (const deadline = Date.now() + 10_000; committed !== total && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      committed = await committedOffsets();
    }
    expect(committed).toBe(total);
    await groupConsumer.disconnect();
    consumer = undefined;
  });
});
