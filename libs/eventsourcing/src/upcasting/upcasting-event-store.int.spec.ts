import { requireEngine } from '@pcp/testing';
import { randomUUID } from 'node:crypto';
import { verifyEventStore } from '../integrity/verifier';
import { type EventEnvelope, NO_STREAM, systemActor } from '../store/event-store';
import { PostgresEventStore } from '../store/postgres/postgres-event-store';
import { UpcasterRegistry } from './upcasters';
import { UpcastingEventStore } from './upcasting-event-store';

interface BudgetV2 {
  title: string;
  budget: { amount: number; currency: string };
}

describe('upcasting on read over the PostgreSQL adapter', () => {
  const schema = `es_upcast_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  let stored: PostgresEventStore;
  let store: UpcastingEventStore;
  const upcasters = new UpcasterRegistry().register('NeedSubmitted', 1, (data) => {
    const { budgetEur, ...rest } = data as { title: string; budgetEur: number };
    return { ...rest, budget: { amount: budgetEur, currency: 'EUR' } };
  });

  beforeAll(async () => {
    stored = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
    store = new UpcastingEventStore(stored, upcasters);
    // Written as an older release did: schemaVersion 1 with a flat budget.
    await store.append(
      'need-1',
      [
        {
          type: 'NeedSubmitted',
          schemaVersion: 1,
          data: { title: 'Smart lighting', budgetEur: 125000 },
          actor: systemActor('import'),
          correlationId: randomUUID(),
        },
        {
          type: 'NeedSubmitted',
          schemaVersion: 2,
          data: { title: 'Heat pumps', budget: { amount: 9, currency: 'SEK' } },
          actor: systemActor('import'),
          correlationId: randomUUID(),
        },
      ],
      NO_STREAM,
    );
  });

  afterAll(async () => {
    await stored.client.exec(`DROP SCHEMA ${schema} CASCADE`);
    await store.close();
  });

  const expectCurrentShape = (events: EventEnvelope[]) => {
    expect(events.map((event) => event.schemaVersion)).toEqual([2, 2]);
    expect(events.map((event) => (event.data as BudgetV2).budget)).toEqual([
      { amount: 125000, currency: 'EUR' },
      { amount: 9, currency: 'SEK' },
    ]);
  };

  it('reads old events in the current shape from readStream', async () => {
    expectCurrentShape(await store.readStream('need-1'));
  });

  it('reads old events in the current shape from readAll', async () => {
    expectCurrentShape(await store.readAll(-1n, 10));
  });

  it('hands old events to subscribers in the current shape', async () => {
    const seen: EventEnvelope[] = [];
    const subscription = store.subscribe('upcast-test', (event) => {
      seen.push(event);
    });
    const deadline = Date.now() + 10_000;
    while (seen.length < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await subscription.stop();
    expectCurrentShape(seen);
  });

  it('never rewrites the stored event, whose hash still verifies', async () => {
    const [first] = await stored.readStream('need-1');
    expect(first.schemaVersion).toBe(1);
    expect(first.data).toEqual({ title: 'Smart lighting', budgetEur: 125000 });
    const [upcast] = await store.readStream('need-1');
    expect(upcast.hash).toBe(first.hash);
    const report = await verifyEventStore(store);
    expect(report).toMatchObject({ ok: true, checkedStreams: 1, checkedEvents: 2 });
  });
});
