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
});
