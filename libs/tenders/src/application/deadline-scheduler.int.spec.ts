import { randomBytes, randomUUID } from 'node:crypto';
import { InMemoryDocumentStore, ProjectionView } from '@pcp/documents';
import {
  CommandHandler,
  NO_STREAM,
  PostgresEventStore,
  PostgresPersonalDataVault,
  type EventStore,
} from '@pcp/eventsourcing';
import { requireEngine } from '@pcp/testing';
import { tenderDecider } from '../domain';
import { KnownConsultations } from '../integration/known-consultations';
import { tendersProjection } from '../read-models/tenders.projection';
import { DeadlineScheduler } from './deadline-scheduler';
import type { Clock, TenderSettings } from './settings';
import { TenderCommands } from './tender-commands';
import { TenderQueries } from './tender-queries';
import { tenderStream } from './streams';

const sealingKey = randomBytes(32);

const settings: TenderSettings = {
  consistencyWaitMs: 0,
  consistencyPollMs: 10,
  deadlineCheckMs: 0,
};

class MovableClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

// Two service instances, each with its own connection pool, over one PostgreSQL event store
// and one read model, as when the tenders service runs with several replicas.
describe('the deadline scheduler on PostgreSQL', () => {
  const schema = `tenders_deadline_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const clock = new MovableClock();
  const documents = new InMemoryDocumentStore();
  let first: PostgresEventStore;
  let second: PostgresEventStore;
  let vault: PostgresPersonalDataVault;

  beforeAll(async () => {
    const url = requireEngine('postgres');
    first = await PostgresEventStore.connect(url, { schema });
    second = await PostgresEventStore.connect(url, { schema });
    vault = await PostgresPersonalDataVault.open(first.client, { schema: `${schema}_pd` });
  });
  afterAll(async () => {
    await first?.client.query(`DROP SCHEMA IF EXISTS ${schema}_pd CASCADE`);
    await first?.client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await first?.close();
    await second?.close();
  });

  const instance = (store: EventStore) => {
    const queries = new TenderQueries(store, documents, vault, sealingKey);
    const commands = new TenderCommands(
      store,
      clock,
      new KnownConsultations(documents, settings),
      vault,
      sealingKey,
    );
    return new DeadlineScheduler(commands, queries, clock, settings);
  };

  /** A published PCP call whose deadline is `inMs` from now, projected into the read model. */
  async function publishedTender(inMs: number): Promise<string> {
    const id = randomUUID();
    const tenders = new CommandHandler(first, tenderDecider, { now: () => clock.now() });
    const actor = { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] };
    const meta = { actor, correlationId: randomUUID() };
    await tenders.handle(
      tenderStream(id),
      {
        type: 'DraftTender',
        tenderId: id,
        actorOrg: 'org-sergas',
        consultationId: 'c-1',
        consultation: { consultationId: 'c-1', org: 'org-sergas', regions: ['ES11'], route: 'PCP' },
        now: clock.now(),
        procedure: 'PCP',
        title: 'PCP: sepsis',
        description: 'Early warning of sepsis.',
        budgetEur: 1_000_000,
        submissionDeadline: new Date(clock.now().getTime() + inMs).toISOString(),
        criteria: [{ name: 'quality', weight: 100 }],
        phases: [
          { budgetEur: 100_000, durationMonths: 3, maxSuppliers: 3 },
          { budgetEur: 200_000, durationMonths: 6, maxSuppliers: 2 },
        ],
      },
      meta,
      NO_STREAM,
    );
    await tenders.handle(
      tenderStream(id),
      { type: 'PublishTender', actorOrg: 'org-sergas', now: clock.now() },
      meta,
    );
    await project(id);
    return id;
  }

  async function project(id: string): Promise<void> {
    for (const event of await first.readStream(tenderStream(id))) {
      await tendersProjection.apply(event, new ProjectionView(documents, event));
    }
  }

  const closings = async (id: string) =>
    (await first.readStream(tenderStream(id))).filter((e) => e.type === 'BiddingClosed');

  it('leaves a tender before its deadline alone', async () => {
    const id = await publishedTender(60_000);
    expect(await instance(first).closeDue()).toBe(0);
    expect(await closings(id)).toHaveLength(0);
  });

  it('two instances firing together close each tender past its deadline exactly once, as the system', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => publishedTender(1_000)));
    clock.offsetMs += 2_000;
    const [a, b] = await Promise.all([instance(first).closeDue(), instance(second).closeDue()]);
    expect(a + b).toBe(ids.length);
    for (const id of ids) {
      const closed = await closings(id);
      expect(closed).toHaveLength(1);
      expect(closed[0].actor).toEqual({
        userId: 'system:tender-deadline',
        org: null,
        roles: ['system'],
      });
      await project(id);
    }
    // Another round, as after a restart: the read model says closed, nothing more is appended.
    expect(await instance(second).closeDue()).toBe(0);
    for (const id of ids) expect(await closings(id)).toHaveLength(1);
  });

  it('closes on start a tender whose deadline passed while no instance ran', async () => {
    const id = await publishedTender(500);
    clock.offsetMs += 1_000;
    const restarted = new DeadlineScheduler(
      new TenderCommands(
        second,
        clock,
        new KnownConsultations(documents, settings),
        vault,
        sealingKey,
      ),
      new TenderQueries(second, documents, vault, sealingKey),
      clock,
      { ...settings, deadlineCheckMs: 60_000 },
    );
    restarted.onApplicationBootstrap();
    const deadline = Date.now() + 5_000;
    while ((await closings(id)).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await restarted.onApplicationShutdown();
    expect(await closings(id)).toHaveLength(1);
  });
});
