import { requireEngine } from '@pcp/testing';
import { createKafka } from './kafka-connection';
import { kafkajsRequestQueue } from './request-queue';
import { KafkaTestKit } from './testing/kafka-test-kit';

describe('kafkajs connections at rest (real broker)', () => {
  it('do not look at their empty request queues while nothing is sent', async () => {
    const kit = new KafkaTestKit(requireEngine('kafka'));
    const topic = kit.topicName('idle');
    await kit.createTopics([topic], 3);
    const { prototype } = kafkajsRequestQueue();
    const check = prototype.checkPendingRequests;
    let checks = 0;
    prototype.checkPendingRequests = function (this: typeof prototype) {
      checks += 1;
      return check.call(this);
    };
    const producer = createKafka({ brokers: kit.brokers, clientId: kit.runId }).producer();
    try {
      await producer.connect();
      await producer.send({
        topic,
        messages: ['a', 'b', 'c'].map((key) => ({ key, value: key })),
      });
      const before = checks;
      await new Promise((resolve) => setTimeout(resolve, 500));
      // kafkajs 2.2.4 as published: about 450 in half a second per connection.
      expect(checks - before).toBeLessThan(5);
    } finally {
      prototype.checkPendingRequests = check;
      await producer.disconnect();
    }
  });
});
