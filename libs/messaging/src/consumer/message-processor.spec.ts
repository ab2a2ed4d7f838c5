import {
  BidSubmittedEvent,
  DEAD_LETTER_HEADER,
  NeedRecordedEvent,
  type NeedRecorded,
  TenderPublishedEvent,
  defineIntegrationEvent,
  IntegrationEventRegistry,
  allIntegrationEvents,
} from '@pcp/contracts';
import { InMemoryDocumentStore } from '@pcp/documents';
import {
  integrationMessageOf,
  toRecord,
  type IncomingRecord,
  type IntegrationMessage,
} from '../integration-message';
import { storedEvent } from '../test-support/envelopes';
import { DEAD_LETTERS_COLLECTION, DocumentDeadLetterSink } from './dead-letters';
import { PermanentFailure, on } from './integration-consumer';
import { MessageProcessor, type ProcessOutcome } from './message-processor';
import { DocumentProcessedEvents } from './processed-events';

const recordOf = (
  type: string,
  data: object,
  definition = NeedRecordedEvent,
  offset = '0',
): IncomingRecord => {
  const envelope = storedEvent(type, data, { streamId: 'need-7f3a9c' });
  const r = toRecord(integrationMessageOf(envelope, definition, data), 'pcp.needs.events');
  return { ...r, partition: 0, offset };
};

describe('MessageProcessor', () => {
  let documents: InMemoryDocumentStore;
  let seen: IntegrationMessage<NeedRecorded>[];
  let failuresLeft: number;
  let outcomes: ProcessOutcome[];
  let processor: MessageProcessor;
  const waits: number[] = [];

  beforeEach(() => {
    documents = new InMemoryDocumentStore();
    seen = [];
    failuresLeft = 0;
    outcomes = [];
    waits.length = 0;
    processor = new MessageProcessor({
      consumer: {
        name: 'pipeline',
        handlers: [
          on(NeedRecordedEvent, async (m) => {
            if (m.data.title === 'permanent')
              throw new PermanentFailure('need contradicts the pipeline');
            if (failuresLeft-- > 0) throw new Error('read model briefly unavailable');
            seen.push(m);
          }),
        ],
      },
      processed: new DocumentProcessedEvents(documents),
      deadLetters: new DocumentDeadLetterSink(documents),
      retry: { attempts: 3, initialMs: 10 },
      wait: async (ms) => {
        waits.push(ms);
      },
      onOutcome: (o) => outcomes.push(o),
    });
  });

  const deadLetters = async () =>
    (await documents.collection(DEAD_LETTERS_COLLECTION).find()).items;

  it('hands a valid message to its handler once; a duplicate delivery changes nothing', async () => {
    const record = recordOf('NeedRecorded', NeedRecordedEvent.example);
    expect((await processor.process(record)).kind).toBe('handled');
    expect((await processor.process({ ...record, offset: '1' })).kind).toBe('duplicate');
    expect(seen).toHaveLength(1);
    expect(seen[0].data).toEqual(NeedRecordedEvent.example);
    expect(await deadLetters()).toEqual([]);
  });

  it('ignores events it has no handler for, without recording them', async () => {
    const data = TenderPublishedEvent.example;
    const r = toRecord(
      integrationMessageOf(storedEvent('TenderPublished', data), TenderPublishedEvent, data),
      't',
    );
    expect((await processor.process({ ...r, partition: 0, offset: '0' })).kind).toBe('ignored');
    expect(seen).toEqual([]);
  });

  it('retries a transient failure with growing waits, then succeeds', async () => {
    failuresLeft = 2;
    const outcome = await processor.process(recordOf('NeedRecorded', NeedRecordedEvent.example));
    expect(outcome).toMatchObject({ kind: 'handled', attempts: 3 });
    expect(waits).toEqual([10, 20]);
    expect(seen).toHaveLength(1);
  });

  it('parks a message whose handler keeps failing, with the error, and goes on', async () => {
    failuresLeft = 10;
    const poison = recordOf('NeedRecorded', NeedRecordedEvent.example, NeedRecordedEvent, '5');
    expect(await processor.process(poison)).toMatchObject({
      kind: 'dead-lettered',
      deadLetter: 'failed',
    });
    const [letter] = await deadLetters();
    expect(letter.data['headers']).toMatchObject({
      [DEAD_LETTER_HEADER.kind]: 'failed',
      [DEAD_LETTER_HEADER.attempts]: '3',
      [DEAD_LETTER_HEADER.offset]: '5',
      [DEAD_LETTER_HEADER.consumer]: 'pipeline',
      [DEAD_LETTER_HEADER.error]: expect.stringContaining('read model briefly unavailable'),
    });
    failuresLeft = 0;
    const next = recordOf('NeedRecorded', { ...NeedRecordedEvent.example, needId: 'need-2' });
    expect((await processor.process(next)).kind).toBe('handled');
    // the parked one is not retried by a redelivery
    expect((await processor.process(poison)).kind).toBe('duplicate');
  });

  it('parks at once when the handler says retrying cannot help', async () => {
    const outcome = await processor.process(
      recordOf('NeedRecorded', { ...NeedRecordedEvent.example, title: 'permanent' }),
    );
    expect(outcome).toMatchObject({ kind: 'dead-lettered', deadLetter: 'failed' });
    expect(waits).toEqual([]);
  });

  it.each([
    [
      'breaks its schema',
      { ...NeedRecordedEvent.example, region: 'Galicia' },
      /breaks its schema.*region/,
    ],
    ['lacks a required field', { needId: 'need-1' }, /breaks its schema/],
  ])('parks a message that %s, without calling the handler', async (_, data, pattern) => {
    const outcome = await processor.process(recordOf('NeedRecorded', data));
    expect(outcome).toMatchObject({ kind: 'dead-lettered', deadLetter: 'invalid' });
    expect((outcome as { error: string }).error).toMatch(pattern);
    expect(seen).toEqual([]);
    expect(await deadLetters()).toHaveLength(1);
  });

  it('parks a record that is not an integration message at all', async () => {
    const outcome = await processor.process({
      topic: 't',
      partition: 1,
      offset: '3',
      key: null,
      value: 'x',
      headers: {},
    });
    expect(outcome).toMatchObject({ kind: 'dead-lettered', deadLetter: 'invalid', message: null });
    expect((await deadLetters())[0].data['headers']).toMatchObject({
      dlq_error: 'Missing header ce_specversion',
    });
  });

  it('parks a message whose key is not its aggregate id (ordering would break)', async () => {
    const record = { ...recordOf('NeedRecorded', NeedRecordedEvent.example), key: 'other' };
    expect(await processor.process(record)).toMatchObject({
      kind: 'dead-lettered',
      deadLetter: 'invalid',
    });
  });

  it('parks a version it has no handler for instead of feeding it to the wrong one', async () => {
    const v2 = defineIntegrationEvent<{ needId: string }>({
      ...NeedRecordedEvent,
      version: 2,
      schema: { type: 'object', required: ['needId'], properties: { needId: { type: 'string' } } },
      example: { needId: 'need-7f3a9c' },
    } as never);
    const registry = new IntegrationEventRegistry([...allIntegrationEvents, v2]);
    const strict = new MessageProcessor({
      consumer: { name: 'pipeline', handlers: [on(NeedRecordedEvent, async () => undefined)] },
      registry,
      processed: new DocumentProcessedEvents(documents),
      deadLetters: new DocumentDeadLetterSink(documents),
    });
    const r = toRecord(
      integrationMessageOf(storedEvent('NeedRecorded', v2.example), v2, v2.example),
      'x',
    );
    const outcome = await strict.process({ ...r, partition: 0, offset: '0' });
    expect(outcome).toMatchObject({
      kind: 'dead-lettered',
      error: 'No handler for needs.NeedRecorded.v2',
    });
  });

  it('refuses to bind the same event twice', () => {
    expect(
      () =>
        new MessageProcessor({
          consumer: {
            name: 'x',
            handlers: [
              on(BidSubmittedEvent, async () => undefined),
              on(BidSubmittedEvent, async () => undefined),
            ],
          },
          processed: new DocumentProcessedEvents(documents),
          deadLetters: new DocumentDeadLetterSink(documents),
        }),
    ).toThrow(/twice/);
  });
});
