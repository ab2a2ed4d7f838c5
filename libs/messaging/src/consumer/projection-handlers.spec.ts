import {
  type IntegrationEventDefinition,
  NeedRecordedEvent,
  NeedValidatedEvent,
  TenderPublishedEvent,
} from '@pcp/contracts';
import { InMemoryDocumentStore, type Projection } from '@pcp/documents';
import { fromRecord, integrationMessageOf, toRecord } from '../integration-message';
import { storedEvent } from '../test-support/envelopes';
import { projectionHandlers } from './projection-handlers';

interface NeedRow extends Record<string, unknown> {
  status: string;
  changes: number;
}

const needs: Projection = {
  name: 'needs_by_status',
  collections: ['needs'],
  eventTypes: ['NeedRecorded', 'NeedValidated'],
  async apply(event, view) {
    const { needId } = event.data as { needId: string };
    await view.update<NeedRow>('needs', needId, (current) => ({
      status: event.type === 'NeedRecorded' ? 'RECORDED' : 'VALIDATED',
      changes: (current?.changes ?? 0) + 1,
    }));
  },
};

describe('projection handlers', () => {
  it('apply Kafka messages under the revision guard: a late, older message changes nothing', async () => {
    const documents = new InMemoryDocumentStore();
    const [recorded, validated] = projectionHandlers(needs, documents, [
      NeedRecordedEvent,
      NeedValidatedEvent,
    ]);
    const message = (
      type: string,
      data: object,
      revision: bigint,
      definition: IntegrationEventDefinition = NeedRecordedEvent,
    ) => {
      const envelope = storedEvent(type, data, { streamId: 'need-7f3a9c', revision });
      return fromRecord({
        ...toRecord(integrationMessageOf(envelope, definition, data), 't'),
        partition: 0,
        offset: '0',
      });
    };
    const first = message('NeedRecorded', NeedRecordedEvent.example, 0n);
    const second = message(
      'NeedValidated',
      { needId: 'need-7f3a9c', org: 'org-sergas', region: 'ES11', rationale: null },
      1n,
      NeedValidatedEvent,
    );
    await recorded.handle(first);
    await validated.handle(second);
    await recorded.handle(first); // redelivered after the newer one
    const row = await documents.collection<NeedRow>('needs').get('need-7f3a9c');
    expect(row?.data).toEqual({ status: 'VALIDATED', changes: 2 });
    expect(row?.applied).toEqual({ 'need-7f3a9c': 1 });
  });

  it('refuses to bind an event the projection does not read', () => {
    expect(() =>
      projectionHandlers(needs, new InMemoryDocumentStore(), [TenderPublishedEvent]),
    ).toThrow(/does not read TenderPublished/);
  });
});
