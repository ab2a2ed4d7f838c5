/**
 * Consumers on the real broker, with processed ids and effects in FerretDB: duplicates,
 * poison messages, and a consumer group sharing (and re-sharing) a 3-partition topic.
 */
import { randomUUID } from 'node:crypto';
import { NeedValidatedEvent, type NeedValidated } from '@pcp/contracts';
import { MongooseDocumentStore } from '@pcp/documents';
import type { EventEnvelope } from '@pcp/eventsourcing';
import { requireEngine } from '@pcp/testing';
import { TopicDeadLetterSink } from '../consumer/dead-letters';
import { PermanentFailure, type HandlerBinding, on } from '../consumer/integration-consumer';
import { MessageProcessor, type ProcessOutcome } from '../consumer/message-processor';
import { DocumentProcessedEvents } from '../consumer/processed-events';
import { type OutgoingRecord, integrationMessageOf, toRecord } from '../integration-message';
import { KafkaIntegrationEventPublisher } from './kafka-publisher';
import { KafkaIntegrationSource } from './kafka-integration-source';
import { allEffects, recordEffect, totalCount } from './testing/effects';
import { KafkaTestKit, eventually } from './testing/kafka-test-kit';

jest.setTimeout(120_000);

let kit: KafkaTestKit;
let documents: MongooseDocumentStore;
let publisher: KafkaIntegrationEventPublisher;
const sources: KafkaIntegrationSource[] = [];

beforeAll(async () => {
  kit = new KafkaTestKit(requireEngine('kafka'));
  documents = await MongooseDocumentStore.connect(requireEngine('mongo'), {
    dbName: `pcp_consumer_${kit.runId}`,
  });
  publisher = new KafkaIntegrationEventPublisher({
    brokers: kit.brokers,
    clientId: `publisher-${kit.runId}`,
  });
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await publisher?.close();
  await documents?.dropDatabase();
  await documents?.close();
});

/** A record as the relay would publish it for one stored event. */
function validated(
  needId: string,
  revision: bigint,
  over: Partial<NeedValidated> = {},
  topic = '',
): OutgoingRecord {
  const data: NeedValidated = {
    needId,
    org: 'org-sergas',
    region: 'ES11',
    rationale: null,
    ...over,
  };
  const envelope: EventEnvelope = {
    id: randomUUID(),
    type: 'NeedValidated',
    schemaVersion: 1,
    streamId: `need-${needId}`,
    revision,
    globalPosition: revision,
    occurredAt: new Date().toISOString(),
    recordedAt: new Date().toISOString(),
    actor: { userId: 'user-1', org: 'org-sergas', roles: ['procurer'] },
    reason: null,
    correlationId: randomUUID(),
    causationId: null,
    data,
    prevHash: '0'.repeat(64),
    hash: 'b'.repeat(64),
  };
  return toRecord(integrationMessageOf(envelope, NeedValidatedEvent, data), topic);
}

function consumerOf(
  name: string,
  topic: string,
  handlers: HandlerBinding[],
  outcomes: ProcessOutcome[],
) {
  const source = new KafkaIntegrationSource({
    connection: { brokers: kit.brokers, clientId: `${name}-${randomUUID().slice(0, 4)}` },
    processor: new MessageProcessor({
      consumer: { name, handlers },
      processed: new DocumentProcessedEvents(documents),
      deadLetters: new TopicDeadLetterSink(publisher),
      retry: { attempts: 3, initialMs: 50 },
      onOutcome: (o) => outcomes.push(o),
    }),
    topics: [topic],
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    rebalanceTimeout: 10_000,
  });
  sources.push(source);
  return source;
}

describe('Kafka integration source', () => {
  it('takes a duplicate delivery into account once', async () => {
    const topic = kit.topicName(`dup-${randomUUID().slice(0, 4)}`);
    await kit.createTopics([topic]);
    const effects = `effects_dup_${kit.runId}`;
    const outcomes: ProcessOutcome[] = [];
    const record = validated('need-dup', 1n, {}, topic);
    await publisher.publish([record]);
    await publisher.publish([record]); // the same event id again, as after a relay retry

    const source = consumerOf(
      `dup-${kit.runId}`,
      topic,
      [
        on(NeedValidatedEvent, (m) =>
          recordEffect(documents, effects, m.key, m.id, m.streamRevision),
        ),
      ],
      outcomes,
    );
    expect(source.joined).toBe(false);
    await source.start();
    // readiness hangs on this: start resolves only once the group gave it its partitions
    expect(source.joined).toBe(true);

    await eventually(() => outcomes.length === 2, 30_000, 'both deliveries');
    expect(outcomes.map((o) => o.kind)).toEqual(['handled', 'duplicate']);
    const all = await allEffects(documents, effects);
    expect(all.get('need-dup')).toMatchObject({ count: 1, eventIds: [record.headers['ce_id']] });
  });

  it('parks poison messages on the dead-letter topic with the error, and goes on to the next', async () => {
    const topic = kit.topicName(`poison-${randomUUID().slice(0, 4)}`);
    await kit.createTopics([topic], 1);
    const effects = `effects_poison_${kit.runId}`;
    const outcomes: ProcessOutcome[] = [];
    const key = 'need-poison';
    const first = validated(key, 0n, {}, topic);
    const invalid = validated(key, 1n, { region: 'Galicia' }, topic);
    const rejectedByHandler = validated(key, 2n, { rationale: 'contradiction' }, topic);
    const flaky = validated(key, 3n, { rationale: 'flaky' }, topic);
    const last = validated(key, 4n, {}, topic);
    const notAnEvent: OutgoingRecord = {
      topic,
      key,
      value: 'hello',
      headers: { 'content-type': 'text/plain' },
    };
    await publisher.publish([first, invalid, notAnEvent, rejectedByHandler, flaky, last]);

    let flakyFailures = 0;
    await consumerOf(
      `poison-${kit.runId}`,
      topic,
      [
        on(NeedValidatedEvent, async (m) => {
          if (m.data.rationale === 'contradiction')
            throw new PermanentFailure('validation of an unknown need');
          if (m.data.rationale === 'flaky' && flakyFailures++ < 1)
            throw new Error('read model briefly unavailable');
          await recordEffect(documents, effects, m.key, m.id, m.streamRevision);
        }),
      ],
      outcomes,
    ).start();

    await eventually(() => outcomes.length === 6, 30_000, 'six outcomes');
    expect(
      outcomes.map((o) => (o.kind === 'dead-lettered' ? `parked:${o.deadLetter}` : o.kind)),
    ).toEqual([
      'handled',
      'parked:invalid',
      'parked:invalid',
      'parked:failed',
      'handled',
      'handled',
    ]);
    expect((await allEffects(documents, effects)).get(key)?.revisions).toEqual(['0', '3', '4']);

    const parked = await kit.read(`${topic}.dlq`, 3);
    expect(parked.map((p) => p.headers['dlq_kind'])).toEqual(['invalid', 'invalid', 'failed']);
    expect(parked[0]).toMatchObject({ key, value: invalid.value });
    expect(parked[0].headers).toMatchObject({
      ce_id: invalid.headers['ce_id'],
      dlq_topic: topic,
      dlq_partition: '0',
      dlq_offset: '1',
      dlq_consumer: `poison-${kit.runId}`,
      dlq_attempts: '0',
    });
    expect(parked[0].headers['dlq_error']).toMatch(/breaks its schema.*region/);
    expect(parked[1].headers['dlq_error']).toMatch(/Missing header ce_specversion/);
    expect(parked[2].headers).toMatchObject({
      ce_id: rejectedByHandler.headers['ce_id'],
      dlq_attempts: '1',
    });
    expect(parked[2].headers['dlq_error']).toContain(
      'PermanentFailure: validation of an unknown need',
    );
  });

  it('splits a 3-partition topic across two members of a group and loses nothing when one leaves mid-stream', async () => {
    const topic = kit.topicName(`group-${randomUUID().slice(0, 4)}`);
    await kit.createTopics([topic], 3);
    const group = `group-${kit.runId}`;
    const effects = `effects_group_${kit.runId}`;
    const keys = Array.from({ length: 24 }, (_, i) => `need-g${i}`);
    const perKey = 10;

    const byMember: Record<'a' | 'b', { key: string; revision: bigint }[]> = { a: [], b: [] };
    const outcomes: ProcessOutcome[] = [];
    const handlerFor = (member: 'a' | 'b') =>
      on(NeedValidatedEvent, async (m) => {
        await new Promise((r) => setTimeout(r, 5)); // keep the stream going long enough to leave mid-way
        await recordEffect(documents, effects, m.key, m.id, m.streamRevision);
        byMember[member].push({ key: m.key, revision: m.streamRevision });
      });
    const a = consumerOf(group, topic, [handlerFor('a')], outcomes);
    const b = consumerOf(group, topic, [handlerFor('b')], outcomes);
    await Promise.all([a.start(), b.start()]);

    // publish in rounds, every key's revisions in order, while the group consumes
    const publishing = (async () => {
      for (let revision = 0; revision < perKey; revision++) {
        await publisher.publish(keys.map((k) => validated(k, BigInt(revision), {}, topic)));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await eventually(
      () => byMember.a.length > 10 && byMember.b.length > 10,
      60_000,
      'both members to handle messages',
    );
    const handledByBBeforeLeaving = byMember.b.length;
    await b.stop();
    sources.splice(sources.indexOf(b), 1);
    await publishing;

    const expected = keys.length * perKey;
    await eventually(
      async () => totalCount(await allEffects(documents, effects)) >= expected,
      90_000,
      'every effect',
    );
    await new Promise((r) => setTimeout(r, 500));

    const all = await allEffects(documents, effects);
    expect(all.size).toBe(keys.length);
    for (const key of keys) {
      const effect = all.get(key);
      // exactly once, and in order per key across the hand-over
      expect(effect?.count).toBe(perKey);
      expect(effect?.revisions).toEqual(Array.from({ length: perKey }, (_, r) => String(r)));
    }
    expect(handledByBBeforeLeaving).toBeLessThan(expected);
    expect(byMember.b.length).toBeGreaterThan(0);
    // a took over b's share after it left
    const keysOfB = new Set(byMember.b.map((h) => h.key));
    expect(byMember.a.some((h) => keysOfB.has(h.key))).toBe(true);
    expect(outcomes.filter((o) => o.kind === 'handled')).toHaveLength(expected);
  });
});
