/**
 * Embedded mode: consumers fed from the shared event log (PostgreSQL adapter on PGlite, the
 * embedded default) instead of Kafka. The last test runs one consumer definition both ways,
 * through the relay and the broker and straight from the log, and compares what its
 * handlers received.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BidSubmittedEvent,
  NeedRecordedEvent,
  NeedValidatedEvent,
  TenderPublishedEvent,
  DEAD_LETTER_HEADER,
} from '@pcp/contracts';
import { InMemoryDocumentStore } from '@pcp/documents';
import { ANY, LogTail, type NewEvent, PostgresEventStore } from '@pcp/eventsourcing';
import { requireEngine } from '@pcp/testing';
import { DEAD_LETTERS_COLLECTION, DocumentDeadLetterSink } from '../consumer/dead-letters';
import { type IntegrationConsumer, on } from '../consumer/integration-consumer';
import { MessageProcessor, type ProcessOutcome } from '../consumer/message-processor';
import { DocumentProcessedEvents, PROCESSED_EVENTS_COLLECTION } from '../consumer/processed-events';
import type { IntegrationMessage } from '../integration-message';
import { KafkaIntegrationEventPublisher } from '../kafka/kafka-publisher';
import { KafkaIntegrationSource } from '../kafka/kafka-integration-source';
import { KafkaTestKit, eventually } from '../kafka/testing/kafka-test-kit';
import { IntegrationEventRelay } from '../relay/integration-event-relay';
import { integrationTranslator } from '../translation';
import { EventLogIntegrationSource } from './event-log-integration-source';

jest.setTimeout(90_000);

const dataDir = mkdtempSync(join(tmpdir(), 'pcp-embedded-source-'));
let log: PostgresEventStore;
const running = new Set<{ stop(): Promise<void> }>();

beforeAll(async () => {
  log = await PostgresEventStore.embedded(dataDir);
});
afterEach(async () => {
  await Promise.all([...running].map((r) => r.stop()));
  running.clear();
});
afterAll(async () => {
  await log.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const procurer = { userId: 'user-1', org: 'org-sergas', roles: ['procurer'] };
const stored = (type: string, data: object, actor = procurer): NewEvent => ({
  type,
  data,
  actor,
  correlationId: randomUUID(),
});

/** A consumer that records what its handlers saw. */
function recordingConsumer(name: string, seen: IntegrationMessage[]): IntegrationConsumer {
  const keep = async (m: IntegrationMessage<unknown>) => {
    seen.push(m);
  };
  return {
    name,
    handlers: [
      on(NeedRecordedEvent, keep),
      on(NeedValidatedEvent, keep),
      on(BidSubmittedEvent, keep),
    ],
  };
}

/** Processed ids and dead letters in `documents`; every outcome into `outcomes`. */
function processorFor(
  consumer: IntegrationConsumer,
  documents: InMemoryDocumentStore,
  outcomes: ProcessOutcome[],
): MessageProcessor {
  return new MessageProcessor({
    consumer,
    processed: new DocumentProcessedEvents(documents),
    deadLetters: new DocumentDeadLetterSink(documents),
    onOutcome: (o) => outcomes.push(o),
  });
}

describe('event-log integration source (embedded mode)', () => {
  it.each([
    ['its own subscription', false],
    ['a tail of the log shared with other readers', true],
  ])(
    'feeds the handlers from the log (through %s), parks what breaks the contract, and resumes without repeats',
    async (_, shared) => {
      const tag = randomUUID().slice(0, 8);
      const tail = shared ? LogTail.of(log) : null;
      if (tail) running.add({ stop: async () => tail.close() });
      // another reader of the same tail, further behind: it must not hold the source back
      const other = tail?.reader();
      const documents = new InMemoryDocumentStore();
      const seen: IntegrationMessage[] = [];
      const outcomes: ProcessOutcome[] = [];
      const consumer = recordingConsumer(`pipeline-${tag}`, seen);
      const start = () => {
        const source = new EventLogIntegrationSource({
          store: log,
          consumer,
          processor: processorFor(consumer, documents, outcomes),
          translators: [
            integrationTranslator('needs'),
            integrationTranslator('tenders', {
              mappings: {
                // the stored event holds the sealed bid; the published one only its existence
                BidPlaced: (e) => {
                  const d = e.data as { tenderId: string; bidId: string; bidsSoFar: number };
                  return {
                    type: 'BidSubmitted',
                    data: { tenderId: d.tenderId, bidId: d.bidId, count: d.bidsSoFar },
                  };
                },
              },
            }),
          ],
          ...(tail ? { log: tail.reader() } : { pollIntervalMs: 20 }),
        });
        source.start();
        running.add(source);
        return source;
      };

      // from here on: the log is shared with the other cases
      await log.writeCheckpoint(`consumer:pipeline-${tag}`, await log.headPosition());
      const needId = `need-${tag}`;
      const tenderId = `tender-${tag}`;
      await log.append(
        `need-${needId}`,
        [stored('NeedRecorded', { ...NeedRecordedEvent.example, needId })],
        ANY,
      );
      await log.append(
        `tender-${tenderId}`,
        [
          stored('TenderPublished', { ...TenderPublishedEvent.example, tenderId }), // nobody here listens to it
          stored(
            'BidPlaced',
            {
              tenderId,
              bidId: 'bid-1',
              bidsSoFar: 1,
              priceEur: 990000,
              technicalProposal: 'secret',
            },
            { userId: 'user-bidder', org: 'org-bidder', roles: ['supplier'] },
          ),
        ],
        ANY,
      );
      await log.append(
        `need-${needId}`,
        [stored('NeedValidated', { needId, org: 'org-sergas', region: 'nowhere' })],
        ANY,
      );

      await other?.readAll(-1n, 1);
      let source = start();
      await eventually(() => outcomes.length === 4, 20_000, 'four outcomes');
      expect(outcomes.map((o) => o.kind)).toEqual([
        'handled',
        'ignored',
        'handled',
        'dead-lettered',
      ]);
      expect(seen.map((m) => m.type)).toEqual(['NeedRecorded', 'BidSubmitted']);
      const bid = seen[1];
      expect(bid.data).toEqual({ tenderId, bidId: 'bid-1', count: 1 });
      expect(bid.actor).toBeNull();
      expect(JSON.stringify(bid, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toMatch(
        /org-bidder|secret|990000/,
      );
      expect(seen[0]).toMatchObject({
        source: '/pcp/needs',
        subject: `need-${needId}`,
        key: needId,
        streamRevision: 0n,
        actor: procurer,
      });
      const [letter] = (await documents.collection(DEAD_LETTERS_COLLECTION).find()).items;
      expect(letter.data['headers']).toMatchObject({
        ce_type: 'NeedValidated',
        [DEAD_LETTER_HEADER.kind]: 'invalid',
        [DEAD_LETTER_HEADER.consumer]: `pipeline-${tag}`,
      });

      // Restart: nothing is handled twice; new events flow.
      await source.stop();
      await log.append(
        `need-${needId}`,
        [stored('NeedValidated', { needId, org: 'org-sergas', region: 'ES11', rationale: null })],
        ANY,
      );
      source = start();
      await eventually(() => outcomes.length === 5, 20_000, 'the fifth outcome');
      await new Promise((r) => setTimeout(r, 200));
      await source.stop();
      expect(outcomes.map((o) => o.kind)).toEqual([
        'handled',
        'ignored',
        'handled',
        'dead-lettered',
        'handled',
      ]);
      expect(seen.map((m) => m.type)).toEqual(['NeedRecorded', 'BidSubmitted', 'NeedValidated']);
    },
  );

  it('turns away a repeat after a failed checkpoint, and drops processed ids once one is stored', async () => {
    const tag = randomUUID().slice(0, 8);
    const tail = LogTail.of(log);
    running.add({ stop: async () => tail.close() });
    const documents = new InMemoryDocumentStore();
    const seen: IntegrationMessage[] = [];
    const outcomes: ProcessOutcome[] = [];
    const consumer = recordingConsumer(`journeys-${tag}`, seen);
    const name = `consumer:journeys-${tag}`;
    await log.writeCheckpoint(name, await log.headPosition());
    for (const n of [1, 2])
      await log.append(
        `need-${tag}-${n}`,
        [stored('NeedRecorded', { ...NeedRecordedEvent.example, needId: `${tag}-${n}` })],
        ANY,
      );
    // The first checkpoint after the batch cannot be stored (nor its retry on failing):
    // the subscription starts again from the old one and hands both events again.
    let refusals = 2;
    const source = new EventLogIntegrationSource({
      store: {
        subscribe: (...args) => log.subscribe(...args),
        readCheckpoint: (n) => log.readCheckpoint(n),
        writeCheckpoint: async (n, position) => {
          if (n === name && refusals-- > 0) throw new Error('checkpoint store unavailable');
          await log.writeCheckpoint(n, position);
        },
      },
      log: tail.reader(),
      checkpointIntervalMs: 0,
      retry: { initialMs: 10, maxMs: 20 },
      consumer,
      processor: processorFor(consumer, documents, outcomes),
      translators: [integrationTranslator('needs')],
    });
    source.start();
    running.add(source);
    const processed = documents.collection(PROCESSED_EVENTS_COLLECTION);
    await eventually(() => outcomes.length === 4, 20_000, 'four outcomes');
    expect(outcomes.map((o) => o.kind)).toEqual(['handled', 'handled', 'duplicate', 'duplicate']);
    expect(seen).toHaveLength(2);
    // stored at last: the ids up to it go, and only this consumer's
    await processed.upsert('other:kept', { consumer: 'other', eventId: 'kept', position: 1 });
    await eventually(
      async () => (await processed.count({ consumer: `journeys-${tag}` })) === 0,
      20_000,
      'the processed ids to be dropped',
    );
    expect(await log.readCheckpoint(name)).toBe(await log.headPosition());
    expect(await processed.get('other:kept')).not.toBeNull();
  });

  it('hands the same handlers the same messages as the Kafka path does', async () => {
    const kit = new KafkaTestKit(requireEngine('kafka'));
    const topic = kit.topicName('needs');
    await kit.createTopics([topic]);
    const tag = randomUUID().slice(0, 8);
    for (let i = 0; i < 3; i++) {
      const needId = `need-${tag}-${i}`;
      await log.append(
        `need-${needId}`,
        [
          stored('NeedRecorded', { ...NeedRecordedEvent.example, needId }),
          stored('NeedValidated', {
            needId,
            org: 'org-sergas',
            region: 'ES11',
            rationale: `ok ${i}`,
          }),
        ],
        ANY,
      );
    }
    const mine = (m: IntegrationMessage) => m.key.startsWith(`need-${tag}-`);

    const viaLog: IntegrationMessage[] = [];
    const logConsumer = recordingConsumer(`same-${tag}-log`, viaLog);
    const documents = new InMemoryDocumentStore();
    const embedded = new EventLogIntegrationSource({
      store: log,
      consumer: logConsumer,
      processor: new MessageProcessor({
        consumer: logConsumer,
        processed: new DocumentProcessedEvents(documents),
        deadLetters: new DocumentDeadLetterSink(documents),
      }),
      pollIntervalMs: 20,
    });

    const viaKafka: IntegrationMessage[] = [];
    const kafkaConsumer = recordingConsumer(`same-${tag}-kafka`, viaKafka);
    const publisher = new KafkaIntegrationEventPublisher({
      brokers: kit.brokers,
      clientId: `relay-${tag}`,
    });
    const relay = new IntegrationEventRelay({
      context: 'needs',
      store: log,
      publisher,
      topicFor: () => topic,
      subscriptionName: `relay:${tag}`,
      pollIntervalMs: 20,
    });
    const kafka = new KafkaIntegrationSource({
      connection: { brokers: kit.brokers, clientId: `consumer-${tag}` },
      processor: new MessageProcessor({
        consumer: kafkaConsumer,
        processed: new DocumentProcessedEvents(documents),
        deadLetters: new DocumentDeadLetterSink(documents),
      }),
      topics: [topic],
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
    });

    embedded.start();
    relay.start();
    await kafka.start();
    try {
      await eventually(
        () => viaLog.filter(mine).length === 6 && viaKafka.filter(mine).length === 6,
        60_000,
        'both',
      );
    } finally {
      await Promise.all([embedded.stop(), relay.stop(), kafka.stop()]);
      await publisher.close();
    }
    const byId = (list: IntegrationMessage[]) =>
      [...list.filter(mine)].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(viaKafka)).toEqual(byId(viaLog));
  });
});
