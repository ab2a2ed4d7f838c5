/**
 * Log to topic: the relay publishing a backlog of needs events from the PostgreSQL log, and
 * a bare kafkajs producer sending the very same records with the same batch size, the same
 * acks (all in-sync replicas) and the same idempotence.
 */
import { topicOf } from '@pcp/contracts';
import { PostgresEventStore, BEFORE_FIRST, type EventEnvelope } from '@pcp/eventsourcing';
import {
  createKafka,
  ensureTopics,
  integrationMessageOf,
  IntegrationEventRelay,
  KafkaIntegrationEventPublisher,
  type OutgoingRecord,
  toRecord,
} from '@pcp/messaging';
import { needsTranslator } from '@pcp/needs';
import type { BenchConfig } from '../config';
import type { BenchEngines } from '../engines';
import { log, medianOfRounds, now, perSecond, quietBefore, waitUntil } from '../measure';
import { figure, type Figure } from '../results';
import { writeNeedLog } from '../workload';

async function readEverything(store: PostgresEventStore): Promise<EventEnvelope[]> {
  const out: EventEnvelope[] = [];
  for (let after = BEFORE_FIRST; ;) {
    const batch = await store.readAll(after, 5000);
    if (batch.length === 0) return out;
    out.push(...batch);
    after = batch[batch.length - 1].globalPosition;
  }
}

export async function relayKafka(config: BenchConfig, engines: BenchEngines): Promise<Figure[]> {
  const brokers = engines.kafkaBrokers.split(',');
  const relayTopic = `${engines.topicPrefix}${topicOf('needs')}`;
  const bareTopic = `${engines.topicPrefix}bare.${topicOf('needs')}`;
  const kafka = createKafka({ brokers, clientId: `bench-${engines.runId}` });
  await ensureTopics(kafka, [
    { topic: relayTopic, partitions: 3 },
    { topic: bareTopic, partitions: 3 },
  ]);

  const store = await PostgresEventStore.connect(engines.postgres, { schema: 'bench_relay' });
  try {
    await writeNeedLog(store, config.relayEvents, config.eventsPerStream, 8);
    const head = await store.headPosition();

    let published = 0;
    let sent = 0;

    const ms = await medianOfRounds(config.rounds, {
      // Ours: the relay, from an empty checkpoint (its own each round) to the head of the log.
      relay: async (round) => {
        const publisher = new KafkaIntegrationEventPublisher({
          brokers,
          clientId: `bench-relay-${engines.runId}-${round}`,
        });
        // Connect first (and learn the topic exists), as a running service has.
        await publisher.publish([]);
        const relay = new IntegrationEventRelay({
          context: 'needs',
          store,
          publisher,
          translator: needsTranslator,
          topicFor: () => relayTopic,
          subscriptionName: `bench-relay-${round}`,
          batchSize: config.relayBatch,
          pollIntervalMs: 10,
          onError: (error) => log(`relay: ${String(error)}`),
        });
        try {
          await quietBefore('relay-kafka: relay');
          const started = now();
          relay.start();
          await waitUntil(
            () => (relay.status().lastPosition ?? BEFORE_FIRST) >= head,
            600_000,
            'the relay to reach the head of the log',
            5,
          );
          const relayMs = now() - started;
          published = relay.status().published;
          log(`relay-kafka: relay ${published} in ${relayMs.toFixed(0)} ms`);
          return relayMs;
        } finally {
          await relay.stop();
          await publisher.close();
        }
      },
      // Baseline: the same records, straight from a kafkajs producer.
      kafkajs: async () => {
        // The same records the relay makes, built before the clock starts (and dropped after
        // the round, so that the relay's rounds do not run beside them on the heap).
        const records: OutgoingRecord[] = [];
        for (const envelope of await readEverything(store)) {
          const translation = needsTranslator.translate(envelope);
          if (!translation) continue;
          const message = integrationMessageOf(envelope, translation.definition, translation.data);
          records.push(toRecord(message, bareTopic));
        }
        sent = records.length;
        const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        try {
          await producer.send({ topic: bareTopic, acks: -1, messages: [] }).catch(() => undefined);
          await quietBefore('relay-kafka: kafkajs');
          const t0 = now();
          for (let i = 0; i < records.length; i += config.relayBatch) {
            await producer.send({
              topic: bareTopic,
              acks: -1,
              messages: records
                .slice(i, i + config.relayBatch)
                .map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
            });
          }
          const bareMs = now() - t0;
          log(`relay-kafka: kafkajs ${records.length} in ${bareMs.toFixed(0)} ms`);
          return bareMs;
        } finally {
          await producer.disconnect();
        }
      },
    });

    return [
      figure({
        name: 'relay-kafka',
        metric: `throughput (batch ${config.relayBatch}, acks all)`,
        value: perSecond(published, ms.relay),
        unit: 'events/s',
        baseline: { name: 'kafkajs', value: perSecond(sent, ms.kafkajs) },
        goal: { kind: 'min-ratio', value: 0.8 },
      }),
    ];
  } finally {
    await store.close();
    await deleteTopics(kafka, [relayTopic, bareTopic]);
  }
}

async function deleteTopics(
  kafka: ReturnType<typeof createKafka>,
  topics: string[],
): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch (error) {
    log(`could not delete topics ${topics.join(', ')}: ${String(error)}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
