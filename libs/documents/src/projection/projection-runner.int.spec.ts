/**
 * The projection runner on a real event log (the PostgreSQL adapter embedded on PGlite) and
 * on both document adapters: in memory and mongoose on the MongoDB wire protocol.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANY, type NewEvent, PostgresEventStore } from '@pcp/eventsourcing';
import { requireEngine } from '@pcp/testing';
import type { DocumentStore } from '../document-store';
import { InMemoryDocumentStore } from '../memory/in-memory-document-store';
import { MongooseDocumentStore } from '../mongoose/mongoose-document-store';
import {
  type ProjectedEvent,
  type Projection,
  ProjectionView,
  applyToProjection,
} from './projection';
import { CHECKPOINT_COLLECTION, ProjectionRunner } from './projection-runner';

interface TenderRow extends Record<string, unknown> {
  title: string;
  status: string;
  /** How many events shaped this row: a double application would show here. */
  events: number;
}

interface OrgRow extends Record<string, unknown> {
  tenders: number;
  events: number;
}

/** Tender list, plus a per-organisation tally fed by many tender streams at once. */
function tenderList(
  tag: string,
  collections: { tenders: string; orgs: string },
  failOnce?: Set<string>,
): Projection & {
  applications: string[];
} {
  const applications: string[] = [];
  return {
    name: `tender_list_${collections.tenders}`,
    collections: [collections.tenders, collections.orgs],
    eventTypes: ['TenderDrafted', 'TenderPublished', 'TenderCancelled'],
    applications,
    async apply(event: ProjectedEvent, view: ProjectionView) {
      const data = event.data as { tenderId: string; org: string; title?: string };
      // the log is shared by every test of the file: keep to this test's tenders
      if (!data.tenderId.startsWith(`${tag}-`)) return;
      if (failOnce?.delete(event.id)) throw new Error('read model briefly unavailable');
      applications.push(event.id);
      await view.update<TenderRow>(collections.tenders, data.tenderId, (current) => {
        if (event.type === 'TenderDrafted')
          return { title: data.title ?? '', status: 'DRAFT', events: 1 };
        if (!current) return undefined;
        return {
          ...current,
          status: event.type === 'TenderPublished' ? 'PUBLISHED' : 'CANCELLED',
          events: current.events + 1,
        };
      });
      await view.update<OrgRow>(collections.orgs, data.org, (current) => ({
        tenders: (current?.tenders ?? 0) + (event.type === 'TenderDrafted' ? 1 : 0),
        events: (current?.events ?? 0) + 1,
      }));
    },
  };
}

const actor = { userId: 'user-1', org: 'org-a', roles: ['procurer'] };
const event = (type: string, data: object): NewEvent => ({
  type,
  data,
  actor,
  correlationId: randomUUID(),
});

const dataDir = mkdtempSync(join(tmpdir(), 'pcp-projection-'));
let log: PostgresEventStore;
let mongo: MongooseDocumentStore | null = null;
const mongoDb = `pcp_projection_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

beforeAll(async () => {
  log = await PostgresEventStore.embedded(dataDir);
});
afterAll(async () => {
  await log.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (mongo) {
    await mongo.dropDatabase();
    await mongo.close();
  }
});

const adapters: [string, () => Promise<DocumentStore>][] = [
  ['in-memory documents', async () => new InMemoryDocumentStore()],
  [
    'mongoose documents',
    async () =>
      (mongo ??= await MongooseDocumentStore.connect(requireEngine('mongo'), { dbName: mongoDb })),
  ],
];

describe.each(adapters)('ProjectionRunner with %s', (_, openDocuments) => {
  let documents: DocumentStore;
  let names: { tenders: string; orgs: string };
  let tag: string;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    documents = await openDocuments();
    tag = randomUUID().slice(0, 8);
    names = { tenders: `tenders_${tag}`, orgs: `orgs_${tag}` };
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });

  const run = (projection: Projection) => {
    const runner = new ProjectionRunner({
      events: log,
      documents,
      projection,
      batchSize: 7,
      pollIntervalMs: 20,
      retry: { initialMs: 20, maxMs: 100 },
    });
    runners.push(runner);
    runner.start();
    return runner;
  };

  /** Drafts and publishes tenders for two organisations; cancels every third. */
  async function writeTenders(count: number, from = 0): Promise<bigint> {
    let last = 0n;
    for (let i = from; i < from + count; i++) {
      const tenderId = `${tag}-t${i}`;
      const org = i % 2 === 0 ? `${tag}-org-even` : `${tag}-org-odd`;
      const events = [
        event('TenderDrafted', { tenderId, org, title: `Tender ${i}` }),
        event('TenderPublished', { tenderId, org }),
      ];
      if (i % 3 === 0) events.push(event('TenderCancelled', { tenderId, org }));
      // an event no projection reads, between the ones it does
      events.push(event('TenderNoteAdded', { tenderId, org }));
      last = (await log.append(`tender-${tenderId}`, events, ANY)).lastPosition;
    }
    return last;
  }

  async function expectTally(count: number) {
    const tenders = documents.collection<TenderRow>(names.tenders);
    const all = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof tenders.find>> = await tenders.find({
        limit: 500,
        cursor,
      });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(count);
    for (const row of all) {
      const i = Number(row.id.split('-t')[1]);
      const cancelled = i % 3 === 0;
      expect(row.data).toEqual({
        title: `Tender ${i}`,
        status: cancelled ? 'CANCELLED' : 'PUBLISHED',
        events: cancelled ? 3 : 2,
      });
      expect(row.applied[`tender-${row.id}`]).toBe(cancelled ? 2 : 1);
    }
    const orgs = documents.collection<OrgRow>(names.orgs);
    const even = Math.ceil(count / 2);
    const eventsOf = (parity: number) =>
      Array.from({ length: count }, (_, i) => i)
        .filter((i) => i % 2 === parity)
        .reduce((n, i) => n + (i % 3 === 0 ? 3 : 2), 0);
    expect((await orgs.get(`${tag}-org-even`))?.data).toEqual({
      tenders: even,
      events: eventsOf(0),
    });
    expect((await orgs.get(`${tag}-org-odd`))?.data).toEqual({
      tenders: count - even,
      events: eventsOf(1),
    });
  }

  it('builds the read model from the log, stores its checkpoint, and keeps following new events', async () => {
    const projection = tenderList(tag, names);
    let last = await writeTenders(10);
    const runner = run(projection);
    await runner.waitFor(last);
    await expectTally(10);
    last = await writeTenders(5, 10);
    await runner.waitFor(last);
    await expectTally(15);
    await runner.stop();
    const checkpoint = await documents.collection(CHECKPOINT_COLLECTION).get(projection.name);
    expect(BigInt(checkpoint?.data['position'] as string)).toBeGreaterThanOrEqual(last);
  });

  it('resumes after its checkpoint: a restart applies only what it has not seen', async () => {
    const first = tenderList(tag, names);
    const runner = run(first);
    await runner.waitFor(await writeTenders(6));
    await runner.stop();
    const applied = first.applications.length;
    expect(applied).toBe(6 * 2 + 2);

    const last = await writeTenders(4, 6);
    const second = tenderList(tag, names);
    await run(second).waitFor(last);
    expect(second.applications).toHaveLength(4 * 2 + 2);
    expect(second.applications.some((id) => first.applications.includes(id))).toBe(false);
    await expectTally(10);
  });

  it('skips an event the document already reflects (redelivery), per stream', async () => {
    const projection = tenderList(tag, names);
    const last = await writeTenders(2);
    await run(projection).waitFor(last);
    const [drafted] = await log.readStream(`tender-${tag}-t1`);
    const replay = { ...drafted, data: drafted.data };
    // apply the old event again, as a redelivery would
    await applyToProjection(projection, documents, replay);
    await expectTally(2);
    const view = new ProjectionView(documents, replay);
    expect(
      await view.update<TenderRow>(names.tenders, `${tag}-t1`, () => ({
        title: 'x',
        status: 'x',
        events: 99,
      })),
    ).toBe('already-applied');
    // another stream's first event is not stale for the same document
    const other = new ProjectionView(documents, {
      ...replay,
      streamId: 'tender-other',
      revision: 0n,
    });
    expect(
      await other.update<OrgRow>(names.orgs, `${tag}-org-odd`, (c) => ({
        tenders: c?.tenders ?? 0,
        events: 0,
      })),
    ).toBe('applied');
  });

  it('retries from the checkpoint after a failure, without applying anything twice', async () => {
    const last = await writeTenders(8);
    const events = await log.readAll(-1n, 100_000);
    const mine = events.filter(
      (e) =>
        e.type !== 'TenderNoteAdded' && (e.data as { tenderId?: string }).tenderId?.startsWith(tag),
    );
    // fail on an event in the middle of a batch, after others of the same batch were applied
    const failing = new Set([mine[9].id]);
    const runner = run(tenderList(tag, names, failing));
    await runner.waitFor(last);
    expect(failing.size).toBe(0);
    await expectTally(8);
  });

  it('rebuilds from zero: drops its collections and checkpoint, then replays the whole log', async () => {
    const projection = tenderList(tag, names);
    const runner = run(projection);
    const last = await writeTenders(5);
    await runner.waitFor(last);
    // damage the read model and leave a stray document behind
    await documents
      .collection<TenderRow>(names.tenders)
      .upsert(`${tag}-t0`, { title: 'wrong', status: 'wrong', events: 0 });
    await documents
      .collection<TenderRow>(names.tenders)
      .upsert(`${tag}-stray`, { title: 'x', status: 'x', events: 0 });
    projection.applications.length = 0;

    await runner.rebuild();
    expect(runner.status().running).toBe(true);
    await runner.waitFor(last);
    await expectTally(5);
    expect(await documents.collection(names.tenders).get(`${tag}-stray`)).toBeNull();
    expect(projection.applications).toHaveLength(5 * 2 + 2);
  });
});
