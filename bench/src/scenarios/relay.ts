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

/** Batches each side sends before the measured rounds. */
const WARM_UP_BATCHES = 20;

interface RelayRun {
  ms: number;
  count: number;
}

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

    // Records the relay makes, for the baseline: the same, built before its clock starts.
    const allRecords = async (): Promise<OutgoingRecord[]> => {
      const records: OutgoingRecord[] = [];
      for (const envelope of await readEverything(store)) {
        const translation = needsTranslator.translate(envelope);
        if (!translation) continue;
        const message = integrationMessageOf(envelope, translation.definition, translation.data);
        records.push(toRecord(message, bareTopic));
      }
      return records;
    };

    // Ours: the relay, from an empty checkpoint (its own each run) to `until` in the log.
    const relayOnce = async (label: string, until: bigint): Promise<RelayRun> => {
      const publisher = new KafkaIntegrationEventPublisher({
        brokers,
        clientId: `bench-relay-${engines.runId}-${label}`,
      });
      // Connect first (and learn the topic exists), as a running service has.
      await publisher.publish([]);
      const relay = new IntegrationEventRelay({
        context: 'needs',
        store,
        publisher,
        translator: needsTranslator,
        topicFor: () => relayTopic,
        subscriptionName: `bench-relay-${label}`,
        batchSize: config.relayBatch,
        pollIntervalMs: 10,
        onError: (error) => log(`relay: ${String(error)}`),
      });
      try {
        await quietBefore(`relay-kafka: relay ${label}`);
        const started = now();
        relay.start();
        await waitUntil(
          () => (relay.status().lastPosition ?? BEFORE_FIRST) >= until,
          600_000,
          `the relay to reach position ${until}`,
          5,
        );
        const ms = now() - started;
        const { published } = relay.status();
        log(`relay-kafka: relay ${label}: ${published} in ${ms.toFixed(0)} ms`);
        return { ms, count: published };
      } finally {
        await relay.stop();
        await publisher.close();
      }
    };

    // Baseline: the same records, straight from a kafkajs producer, `limit` of them.
    const kafkajsOnce = async (label: string, limit: number): Promise<RelayRun> => {
      // Built before the clock starts, and dropped after the run, so that the relay's runs
      // do not go on beside them on the heap.
      const records = (await allRecords()).slice(0, limit);
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        await producer.send({ topic: bareTopic, acks: -1, messages: [] }).catch(() => undefined);
        await quietBefore(`relay-kafka: kafkajs ${label}`);
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
        const ms = now() - t0;
        log(`relay-kafka: kafkajs ${label}: ${records.length} in ${ms.toFixed(0)} ms`);
        return { ms, count: records.length };
      } finally {
        await producer.disconnect();
      }
    };

    // Both sides warm up first on the first part of the backlog (compiled code, connections),
    // as a service that has been relaying for a while: else the first measured relay round
    // would pay for compiling the kafkajs encoder that the baseline then uses warm.
    const warm = Math.min(config.relayEvents, config.relayBatch * WARM_UP_BATCHES);
    await relayOnce('warm', (await readEverything(store))[warm - 1].globalPosition);
    await kafkajsOnce('warm', warm);

    let published = 0;
    let sent = 0;
    const ms = await medianOfRounds(config.rounds, {
      relay: async (round) => {
        const run = await relayOnce(`round-${round}`, head);
        published = run.count;
        return run.ms;
      },
      kafkajs: async (round) => {
        const run = await kafkajsOnce(`round-${round}`, Number.MAX_SAFE_INTEGER);
        sent = run.count;
        return run.ms;
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
