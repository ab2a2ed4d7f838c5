/**
 * The relay on real engines: the PostgreSQL event store on the test server, the Kafka broker,
 * FerretDB for the consumer's processed ids and effects.
 *
 * "Kafka down" without stopping the shared broker: the relay and the consumer reach the broker
 * only through a TCP link on 127.0.0.1 that the test cuts and restores. Their clients route
 * every broker address (including the one the broker advertises in metadata) through that
 * link, so while the link is cut both see refused connections and reset sockets, as with a
 * dead broker, while the test itself and everyone else keep using the broker directly.
 */
import { randomUUID } from 'node:crypto';
import { NeedPrioritisedEvent, NeedRecordedEvent, NeedValidatedEvent } from '@pcp/contracts';
import { MongooseDocumentStore } from '@pcp/documents';
import { ANY, type NewEvent, PostgresEventStore } from '@pcp/eventsourcing';
import {
  CuttableTcpLink,
  type TestDatabase,
  createTestDatabase,
  requireEngine,
} from '@pcp/testing';
import { DocumentDeadLetterSink } from '../consumer/dead-letters';
import { on } from '../consumer/integration-consumer';
import { MessageProcessor, type ProcessOutcome } from '../consumer/message-processor';
import { DocumentProcessedEvents } from '../consumer/processed-events';
import { integrationMessageOf, toRecord } from '../integration-message';
import { KafkaIntegrationEventPublisher } from '../kafka/kafka-publisher';
import { KafkaIntegrationSource } from '../kafka/kafka-integration-source';
import { allEffects, recordEffect, totalCount } from '../kafka/testing/effects';
import { KafkaTestKit, eventually } from '../kafka/testing/kafka-test-kit';
import type { IntegrationEventPublisher } from '../publisher';
import { storedEvent } from '../test-support/envelopes';
import { IntegrationEventRelay } from './integration-event-relay';
import { sqlRelayLease } from './relay-lease';

jest.setTimeout(180_000);

const actor = { userId: 'user-1', org: 'org-sergas', roles: ['procurer'] };
const correlationId = randomUUID();
const stored = (type: string, data: object): NewEvent => ({ type, data, actor, correlationId });

let kit: KafkaTestKit;
let db: TestDatabase;
let log: PostgresEventStore;
let documents: MongooseDocumentStore;
let link: CuttableTcpLink;

beforeAll(async () => {
  kit = new KafkaTestKit(requireEngine('kafka'));
  db = await createTestDatabase();
  log = await PostgresEventStore.connect(db.url);
  documents = await MongooseDocumentStore.connect(requireEngine('mongo'), {
    dbName: `pcp_relay_${kit.runId}`,
  });
  const [host, port] = kit.brokers[0].split(':');
  link = new CuttableTcpLink({ host, port: Number(port) });
  await link.open();
});

// What a test started, stopped even when it fails, so the failure is reported instead of hanging.
const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop().catch(() => undefined);
});

afterAll(async () => {
  await link?.cut();
  await log?.close();
  await db?.drop();
  await documents?.dropDatabase();
  await documents?.close();
});

describe('relay from the event log to Kafka', () => {
  it('keeps commands working while Kafka is unreachable for relay and consumer; afterwards every event arrives and takes effect once', async () => {
    const topic = kit.topicName('needs');
    await kit.createTopics([topic]);
    const throughLink = (clientId: string) => ({
      brokers: [`127.0.0.1:${link.port}`],
      clientId,
      connectionTimeout: 500,
      route: () => ({ host: '127.0.0.1', port: link.port }),
    });

    const relayErrors: unknown[] = [];
    const publisher = new KafkaIntegrationEventPublisher(throughLink(`relay-${kit.runId}`));
    const relay = new IntegrationEventRelay({
      context: 'needs',
      store: log,
      publisher,
      topicFor: () => topic,
      subscriptionName: `relay:needs:${kit.runId}`,
      retry: { initialMs: 100, maxMs: 400 },
      pollIntervalMs: 25,
      onError: (e) => relayErrors.push(e),
    });

    const effects = `effects_${kit.runId}`;
    const outcomes: ProcessOutcome[] = [];
    const handle = async (m: { key: string; id: string; streamRevision: bigint }) =>
      recordEffect(documents, effects, m.key, m.id, m.streamRevision);
    const processor = new MessageProcessor({
      consumer: {
        name: `pipeline-${kit.runId}`,
        handlers: [
          on(NeedRecordedEvent, handle),
          on(NeedValidatedEvent, handle),
          on(NeedPrioritisedEvent, handle),
        ],
      },
      processed: new DocumentProcessedEvents(documents),
      deadLetters: new DocumentDeadLetterSink(documents),
      onOutcome: (o) => outcomes.push(o),
    });
    const consumer = new KafkaIntegrationSource({
      connection: throughLink(`consumer-${kit.runId}`),
      processor,
      topics: [topic],
      partitionsConsumedConcurrently: 3,
      // Each connection cut mid-join leaves a member the coordinator waits for until its
      // session (or, while joining, the rebalance) times out: the broker's shortest allowed.
      sessionTimeout: 6_000,
      rebalanceTimeout: 6_000,
      heartbeatInterval: 500,
    });

    running.push(
      () => publisher.close(),
      () => relay.stop(),
      () => consumer.stop(),
    );
    // The consumer joins its group while the broker is reachable, then the broker goes away.
    await consumer.start();
    await eventually(() => consumer.joined, 30_000, 'the consumer to join its group');
    await link.cut();
    relay.start();

    /** Three commands' events on one need: recorded, validated, prioritised. */
    const appendNeed = async (i: number) => {
      const needId = `need-${kit.runId}-${i}`;
      const base = { needId, org: 'org-sergas' };
      const started = Date.now();
      await log.append(
        `need-${needId}`,
        [stored('NeedRecorded', { ...NeedRecordedEvent.example, ...base })],
        ANY,
      );
      await log.append(
        `need-${needId}`,
        [stored('NeedValidated', { ...base, region: 'ES11', rationale: null })],
        ANY,
      );
      const last = await log.append(
        `need-${needId}`,
        // a private field the published language leaves out
        [
          stored('NeedPrioritised', {
            ...base,
            score: 50 + i,
            criteria: null,
            internalNote: 'board minutes',
          }),
        ],
        ANY,
      );
      return { elapsed: Date.now() - started, last: last.lastPosition };
    };

    // Broker unreachable: appends go through at their own pace, nothing reaches the topic.
    const whileDown = [];
    for (let i = 0; i < 10; i++) whileDown.push(await appendNeed(i));
    expect(Math.max(...whileDown.map((a) => a.elapsed))).toBeLessThan(2000);
    await eventually(
      () => !relay.status().brokerReachable && relayErrors.length > 0,
      10_000,
      'the relay to fail',
    );
    expect(relay.status().published).toBe(0);
    expect(await kit.countMessages(topic)).toBe(0);
    expect(await log.readCheckpoint(relay.subscriptionName)).toBeNull();

    // The consumer is cut off too: a record put on the topic directly stays unread meanwhile.
    const directId = `need-${kit.runId}-direct`;
    const directData = { ...NeedRecordedEvent.example, needId: directId, org: 'org-sergas' };
    const direct = new KafkaIntegrationEventPublisher({
      brokers: kit.brokers,
      clientId: `direct-${kit.runId}`,
    });
    const directEvent = storedEvent('NeedRecorded', directData, {
      streamId: `need-${directId}`,
      revision: 0n,
    });
    await direct.publish([
      toRecord(integrationMessageOf(directEvent, NeedRecordedEvent, directData), topic),
    ]);
    await direct.close();
    expect(await kit.countMessages(topic)).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(totalCount(await allEffects(documents, effects))).toBe(0);
    expect(outcomes).toEqual([]);

    // Back: the backlog flows. Cut again in the middle of it, append more while cut, restore.
    await link.open();
    await eventually(
      () => relay.status().published >= 5,
      30_000,
      'the first events to be published',
    );
    await link.cut();
    for (let i = 10; i < 15; i++) await appendNeed(i);
    await new Promise((r) => setTimeout(r, 500));
    await link.open();

    const expected = 15 * 3;
    await eventually(
      async () => totalCount(await allEffects(documents, effects)) >= expected + 1,
      90_000,
      'all effects',
    );
    await eventually(() => relay.status().published === expected, 10_000, 'the relay to finish');
    // let any late duplicate arrive and be recognised
    await new Promise((r) => setTimeout(r, 1000));

    const all = await allEffects(documents, effects);
    expect(all.size).toBe(15 + 1);
    expect(all.get(directId)).toMatchObject({ count: 1, eventIds: [directEvent.id] });
    all.delete(directId);
    for (const [key, effect] of all) {
      expect(effect.count).toBe(3);
      expect(new Set(effect.eventIds).size).toBe(3);
      // per aggregate, the events took effect in stream order
      expect(effect.revisions).toEqual(['0', '1', '2']);
      const stream = await log.readStream(`need-${key}`);
      expect(effect.eventIds).toEqual(stream.map((e) => e.id));
    }
    expect(totalCount(all)).toBe(expected);
    expect(outcomes.filter((o) => o.kind === 'handled')).toHaveLength(expected + 1);
    expect(outcomes.filter((o) => o.kind === 'dead-lettered')).toEqual([]);

    // What went over the wire: keyed by need id, CloudEvents headers, private fields left out.
    const onTopic = await kit.read(topic, await kit.countMessages(topic));
    expect(onTopic.length).toBeGreaterThanOrEqual(expected + 1);
    const prioritised = onTopic.find((r) => r.headers['ce_type'] === 'NeedPrioritised');
    expect(prioritised?.key).toMatch(/^need-/);
    expect(prioritised?.headers).toMatchObject({
      ce_source: '/pcp/needs',
      ce_specversion: '1.0',
      ce_subject: `need-${prioritised?.key}`,
      ce_dataschema: 'urn:pcp:needs:NeedPrioritised:v1',
      correlationId,
      streamRevision: '2',
    });
    expect(JSON.parse(prioritised?.value ?? '{}')).not.toHaveProperty('internalNote');

    // The checkpoint moved only as far as acknowledged events.
    await relay.stop();
    await publisher.close();
    await consumer.stop();
    const lastPosition = (await log.readStream(`need-need-${kit.runId}-14`)).at(-1)?.globalPosition;
    expect(await log.readCheckpoint(relay.subscriptionName)).toBe(lastPosition);
  });

  it('parks an event that breaks the published language on the dead-letter topic and relays the next', async () => {
    const topic = `${kit.topicName('needs')}-strict`;
    await kit.createTopics([topic], 1);
    const ownDb = await createTestDatabase();
    const ownLog = await PostgresEventStore.connect(ownDb.url);
    const publisher = new KafkaIntegrationEventPublisher({
      brokers: kit.brokers,
      clientId: `relay2-${kit.runId}`,
    });
    const relay = new IntegrationEventRelay({
      context: 'needs',
      store: ownLog,
      publisher,
      topicFor: () => topic,
      pollIntervalMs: 25,
    });
    const needId = `need-${kit.runId}-strict`;
    await ownLog.append(
      `need-${needId}`,
      [
        stored('NeedRejected', { needId, org: 'org-sergas', reason: '' }), // a reason is mandatory
        stored('NeedWithdrawn', { needId, org: 'org-sergas', reason: 'Merged into a group need' }),
      ],
      ANY,
    );
    relay.start();
    try {
      const [parked] = await kit.read(`${topic}.dlq`, 1);
      expect(parked.headers).toMatchObject({ ce_type: 'NeedRejected', dlq_kind: 'unpublishable' });
      expect(parked.headers['dlq_error']).toContain('reason');
      const published = await kit.read(topic, 1);
      expect(published.map((r) => r.headers['ce_type'])).toEqual(['NeedWithdrawn']);
      await eventually(
        () => relay.status().parked === 1 && relay.status().published === 1,
        5000,
        'relay status',
      );
    } finally {
      await relay.stop();
      await publisher.close();
      await ownLog.close();
      await ownDb.drop();
    }
  });
  it('sends a backlog in batches, one broker round trip per batch, in stream order per key', async () => {
    const topic = `${kit.topicName('needs')}-batched`;
    await kit.createTopics([topic]);
    const ownDb = await createTestDatabase();
    const ownLog = await PostgresEventStore.connect(ownDb.url);
    const kafka = new KafkaIntegrationEventPublisher({
      brokers: kit.brokers,
      clientId: `relay3-${kit.runId}`,
    });
    // The real publisher, counting what each send carried.
    const sends: number[] = [];
    const publisher: IntegrationEventPublisher = {
      publish: async (records) => {
        await kafka.publish(records);
        sends.push(records.length);
      },
      close: () => kafka.close(),
    };
    const errors: unknown[] = [];
    const needs = 40;
    for (let i = 0; i < needs; i++) {
      const base = { needId: `need-${kit.runId}-b${i}`, org: 'org-sergas' };
      await ownLog.append(
        `need-${base.needId}`,
        [
          stored('NeedRecorded', { ...NeedRecordedEvent.example, ...base }),
          stored('NeedValidated', { ...base, region: 'ES11', rationale: null }),
          stored('NeedPrioritised', { ...base, score: 50 + i, criteria: null }),
        ],
        ANY,
      );
    }
    const relay = new IntegrationEventRelay({
      context: 'needs',
      store: ownLog,
      publisher,
      topicFor: () => topic,
      batchSize: 50,
      pollIntervalMs: 25,
      onError: (error) => errors.push(error),
    });
    relay.start();
    try {
      await eventually(() => relay.status().published === needs * 3, 30_000, 'the backlog');
      expect(errors).toEqual([]);
      // 120 events in reads of 50: three sends, none larger than a read.
      expect(sends).toEqual([50, 50, 20]);
      const onTopic = await kit.read(topic, needs * 3);
      expect(onTopic).toHaveLength(needs * 3);
      const revisionsByKey = new Map<string, string[]>();
      for (const record of onTopic) {
        const seen = revisionsByKey.get(record.key ?? '') ?? [];
        seen.push(record.headers['streamRevision']);
        revisionsByKey.set(record.key ?? '', seen);
      }
      expect(revisionsByKey.size).toBe(needs);
      for (const revisions of revisionsByKey.values()) expect(revisions).toEqual(['0', '1', '2']);
      const head = await ownLog.headPosition();
      await eventually(
        async () => (await ownLog.readCheckpoint(relay.subscriptionName)) === head,
        5000,
        'the checkpoint after the last acknowledged batch',
      );
    } finally {
      await relay.stop();
      await publisher.close();
      await ownLog.close();
      await ownDb.drop();
    }
  });

  it('two processes relaying one log take turns: every event goes out once, and the other carries on when the first stops', async () => {
    const topic = `${kit.topicName('needs')}-leased`;
    await kit.createTopics([topic]);
    const ownDb = await createTestDatabase();
    // Two processes' connections to the same log, as two replicas of the needs service.
    const logs = [
      await PostgresEventStore.connect(ownDb.url),
      await PostgresEventStore.connect(ownDb.url),
    ];
    const publisher = new KafkaIntegrationEventPublisher({
      brokers: kit.brokers,
      clientId: `relay4-${kit.runId}`,
    });
    const errors: unknown[] = [];
    const relays = logs.map((log) => {
      const lease = sqlRelayLease(log.client, `pcp relay ${ownDb.url} needs`);
      expect(lease).not.toBeNull();
      return new IntegrationEventRelay({
        context: 'needs',
        store: log,
        publisher,
        topicFor: () => topic,
        lease,
        standbyMs: 100,
        pollIntervalMs: 25,
        onError: (error) => errors.push(error),
      });
    });
    const append = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        const base = { needId: `need-${kit.runId}-l${i}`, org: 'org-sergas' };
        await logs[i % 2].append(
          `need-${base.needId}`,
          [
            stored('NeedRecorded', { ...NeedRecordedEvent.example, ...base }),
            stored('NeedValidated', { ...base, region: 'ES11', rationale: null }),
          ],
          ANY,
        );
      }
    };
    const published = () => relays.reduce((n, r) => n + r.status().published, 0);
    try {
      await append(0, 10);
      for (const relay of relays) relay.start();
      await eventually(() => published() === 20, 30_000, 'the first 20 events');
      await append(10, 5);
      await eventually(() => published() === 30, 30_000, 'the next 10 events');
      const leaders = relays.filter((r) => r.status().leading);
      expect(leaders).toHaveLength(1);
      // Only one relay published: nothing went out twice.
      expect(relays.map((r) => r.status().published).sort((a, b) => a - b)).toEqual([0, 30]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await kit.countMessages(topic)).toBe(30);

      // The leader stops (a rolling update): the other takes the lease and goes on from the checkpoint.
      const [leader] = leaders;
      const other = relays.find((r) => r !== leader) as IntegrationEventRelay;
      await leader.stop();
      await append(15, 5);
      await eventually(() => other.status().published === 10, 30_000, 'the standby taking over');
      expect(other.status().leading).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await kit.countMessages(topic)).toBe(40);
      const ids = (await kit.read(topic, 40)).map((r) => r.headers['ce_id']);
      expect(new Set(ids).size).toBe(40);
      expect(errors).toEqual([]);
    } finally {
      for (const relay of relays) await relay.stop();
      await publisher.close();
      for (const log of logs) await log.close();
      await ownDb.drop();
    }
  });
});
