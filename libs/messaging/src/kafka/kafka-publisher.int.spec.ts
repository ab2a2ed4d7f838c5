import { requireEngine } from '@pcp/testing';
import { KafkaIntegrationEventPublisher } from './kafka-publisher';
import { KafkaTestKit } from './testing/kafka-test-kit';

describe('KafkaIntegrationEventPublisher', () => {
  it('creates a missing topic with its own partition count (one for dead letters) before publishing', async () => {
    const kit = new KafkaTestKit(requireEngine('kafka'));
    const topic = kit.topicName('fresh');
    const publisher = new KafkaIntegrationEventPublisher({
      brokers: kit.brokers,
      clientId: kit.runId,
      partitions: 4,
    });
    const admin = kit.kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(topic);
      await publisher.publish([
        { topic, key: 'k1', value: '{}', headers: {} },
        { topic: `${topic}.dlq`, key: 'k1', value: '{}', headers: { dlq_error: 'x' } },
      ]);
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlq`] });
      expect(topics.find((t) => t.name === topic)?.partitions).toHaveLength(4);
      expect(topics.find((t) => t.name === `${topic}.dlq`)?.partitions).toHaveLength(1);
      expect(await kit.countMessages(topic)).toBe(1);
    } finally {
      await admin.disconnect();
      await publisher.close();
    }
  });

  it('writes as an idempotent producer: the broker gave it a producer id and numbers its batches', async () => {
    const kit = new KafkaTestKit(requireEngine('kafka'));
    const topic = kit.topicName('idempotent');
    await kit.createTopics([topic], 1);
    const publisher = new KafkaIntegrationEventPublisher({
      brokers: kit.brokers,
      clientId: kit.runId,
    });
    // a plain producer beside it, for contrast: its records carry no producer id (-1)
    const plain = kit.kafka.producer();
    await plain.connect();
    try {
      await publisher.publish([
        { topic, key: 'k1', value: '{"n":1}', headers: {} },
        { topic, key: 'k1', value: '{"n":2}', headers: {} },
      ]);
      await publisher.publish([{ topic, key: 'k1', value: '{"n":3}', headers: {} }]);
      await plain.send({ topic, messages: [{ key: 'k1', value: '{"n":4}' }] });

      const records = await kit.read(topic, 4);
      const ours = records.filter((r) => r.value !== '{"n":4}');
      expect(ours.map((r) => r.value)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
      expect(Number(ours[0].producerId)).toBeGreaterThanOrEqual(0);
      for (const r of ours) expect(r.producerId).toBe(ours[0].producerId);
      // sequence numbers go on from batch to batch: two records, then the third
      expect(ours.map((r) => r.batchSequence)).toEqual([0, 0, 2]);
      const other = records.find((r) => r.value === '{"n":4}');
      expect(other?.producerId).toBe('-1');
    } finally {
      await plain.disconnect();
      await publisher.close();
    }
  });
});
