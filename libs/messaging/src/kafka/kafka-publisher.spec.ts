import { Partitioners } from 'kafkajs';
import { publisherClientOptions } from './kafka-publisher';

describe('the publisher producer settings', () => {
  const options = publisherClientOptions({ brokers: ['127.0.0.1:9092'], clientId: 'needs' });

  it('is an idempotent producer with one request in flight', () => {
    expect(options.producer).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
  });

  it('waits for all in-sync replicas to acknowledge each send', () => {
    expect(options.send).toEqual({ acks: -1 });
  });

  it('never creates topics by producing, and partitions by key as the Java client', () => {
    expect(options.producer?.allowAutoTopicCreation).toBe(false);
    expect(options.producer?.createPartitioner).toBe(Partitioners.DefaultPartitioner);
    expect(options.producerOnlyMode).toBe(true);
  });

  it('bounds its own retries, leaving longer waits to the relay', () => {
    expect(options.producer?.retry?.retries).toBeLessThanOrEqual(5);
  });

  it('connects to the given brokers under the given client id', () => {
    expect(options.client).toMatchObject({ brokers: ['127.0.0.1:9092'], clientId: 'needs' });
    expect(options.postfixId).toBe('');
  });
});
