import type { EventEnvelope } from '@pcp/eventsourcing';
import { InMemoryDocumentStore } from '../memory/in-memory-document-store';
import { type ProjectedEvent, type Projection, ProjectionView } from './projection';
import { ProjectionRunner } from './projection-runner';
import { StagedDocuments, StagedWriteConflict } from './staged-documents';

interface Tally extends Record<string, unknown> {
  events: number;
}

const projected = (streamId: string, revision: number): ProjectedEvent => ({
  id: `${streamId}-${revision}`,
  type: 'Counted',
  streamId,
  revision: BigInt(revision),
  occurredAt: '2026-11-23T09:00:00.000Z',
  data: {},
});

const count = (view: ProjectionView, id: string) =>
  view.update<Tally>('tallies', id, (current) => ({ events: (current?.events ?? 0) + 1 }));

describe('StagedDocuments', () => {
  it('writes a document once for all the events of a batch, with every stream they came from', async () => {
    const store = new InMemoryDocumentStore();
    const staged = new StagedDocuments(store);
    for (const [stream, revision] of [
      ['s-1', 0],
      ['s-1', 1],
      ['s-2', 0],
      ['s-1', 2],
    ] as const)
      await count(new ProjectionView(staged, projected(stream, revision)), 'org-a');
    expect(await store.collection('tallies').get('org-a')).toBeNull();
    await staged.flush();
    const written = await store.collection<Tally>('tallies').get('org-a');
    expect(written).toMatchObject({ data: { events: 4 }, version: 1 });
    expect({ ...written?.applied }).toEqual({ 's-1': 2, 's-2': 0 });
  });

  it('skips an event the staged document already reflects, as the store would', async () => {
    const store = new InMemoryDocumentStore();
    const staged = new StagedDocuments(store);
    expect(await count(new ProjectionView(staged, projected('s-1', 0)), 'x')).toBe('applied');
    expect(await count(new ProjectionView(staged, projected('s-1', 0)), 'x')).toBe(
      'already-applied',
    );
    await staged.flush();
    const again = new StagedDocuments(store);
    expect(await count(new ProjectionView(again, projected('s-1', 0)), 'x')).toBe(
      'already-applied',
    );
    expect((await store.collection<Tally>('tallies').get('x'))?.data.events).toBe(1);
  });

  it('deletes, and makes anew what the batch deleted and wrote again', async () => {
    const store = new InMemoryDocumentStore();
    await store.collection('tallies').upsert('gone', { events: 7 }, { expectedVersion: 0 });
    await store.collection('tallies').upsert('back', { events: 7 }, { expectedVersion: 0 });
    const staged = new StagedDocuments(store);
    const remove = (id: string, revision: number) =>
      new ProjectionView(staged, projected('s-del', revision)).update('tallies', id, () => null);
    expect(await remove('gone', 0)).toBe('deleted');
    expect(await remove('back', 1)).toBe('deleted');
    await count(new ProjectionView(staged, projected('s-new', 0)), 'back');
    await staged.flush();
    expect(await store.collection('tallies').get('gone')).toBeNull();
    const back = await store.collection<Tally>('tallies').get('back');
    expect(back?.data).toEqual({ events: 1 });
    expect({ ...back?.applied }).toEqual({ 's-new': 0 });
  });

  it('refuses to overwrite what another writer changed since the batch read it', async () => {
    const store = new InMemoryDocumentStore();
    const staged = new StagedDocuments(store);
    await count(new ProjectionView(staged, projected('s-1', 0)), 'org-a');
    await store.collection('tallies').upsert('org-a', { events: 100 });
    await expect(staged.flush()).rejects.toBeInstanceOf(StagedWriteConflict);
    expect((await store.collection<Tally>('tallies').get('org-a'))?.data.events).toBe(100);
  });
});

describe('ProjectionRunner batches', () => {
  const envelope = (position: number, streamId: string, revision: number): EventEnvelope =>
    ({
      id: `e-${position}`,
      type: 'Counted',
      streamId,
      revision: BigInt(revision),
      globalPosition: BigInt(position),
      occurredAt: '2026-11-23T09:00:00.000Z',
      data: {},
    }) as unknown as EventEnvelope;
  const log = Array.from({ length: 30 }, (_, i) => envelope(i, `s-${i % 3}`, Math.floor(i / 3)));
  const events = {
    readAll: async (after: bigint, limit: number) =>
      log.filter((e) => e.globalPosition > after).slice(0, limit),
  };

  it('applies each event once even when another writer changes a document mid-batch', async () => {
    const documents = new InMemoryDocumentStore();
    let interfered = 0;
    const projection: Projection = {
      name: 'tallies',
      collections: ['tallies'],
      eventTypes: ['Counted'],
      async apply(event, view) {
        await count(view, 'all');
        await count(view, event.streamId);
        // another writer touches the stream's tally once, in the middle of the first batch
        if (event.id === 'e-4' && interfered++ === 0) {
          const current = await documents.collection<Tally>('tallies').get('s-1');
          await documents.collection('tallies').upsert('s-1', { events: 0, ...current?.data });
        }
      },
    };
    const runner = new ProjectionRunner({ events, documents, projection, batchSize: 10 });
    runner.start();
    try {
      await runner.waitFor(29n, 5_000);
    } finally {
      await runner.stop();
    }
    const tallies = documents.collection<Tally>('tallies');
    expect((await tallies.get('all'))?.data.events).toBe(30);
    for (const stream of ['s-0', 's-1', 's-2'])
      expect((await tallies.get(stream))?.data.events).toBe(10);
    expect(interfered).toBe(2);
    expect(runner.status().lastError).toBeNull();
  });
});

describe("a stream's own view (streamView)", () => {
  const own = (view: ProjectionView, id: string) =>
    view.update<Tally>('tallies', id, (current) => ({ events: (current?.events ?? 0) + 1 }), {
      streamView: true,
    });

  it("is made by the stream's first event without reading it, and a replay of that event changes nothing", async () => {
    const store = new InMemoryDocumentStore();
    const reads = jest.spyOn(store.collection('tallies'), 'get');
    expect(await own(new ProjectionView(store, projected('s-1', 0)), 's-1')).toBe('applied');
    expect(reads).not.toHaveBeenCalled();
    // the same event again (a replay after a crash before the checkpoint)
    expect(await own(new ProjectionView(store, projected('s-1', 0)), 's-1')).toBe(
      'already-applied',
    );
    // the refused write sent it to the read and the revision guard
    expect(reads).toHaveBeenCalledTimes(1);
    expect(await store.collection<Tally>('tallies').get('s-1')).toMatchObject({
      data: { events: 1 },
      version: 1,
    });
  });

  it('is not read from the store within a batch, and a batch that finds it made already is refused', async () => {
    const store = new InMemoryDocumentStore();
    const reads = jest.spyOn(store.collection('tallies'), 'get');
    const staged = new StagedDocuments(store);
    await own(new ProjectionView(staged, projected('s-1', 0)), 's-1');
    await own(new ProjectionView(staged, projected('s-1', 1)), 's-1');
    await staged.flush();
    expect(reads).not.toHaveBeenCalled();
    expect(await store.collection<Tally>('tallies').get('s-1')).toMatchObject({
      data: { events: 2 },
      applied: { 's-1': 1 },
    });

    const replay = new StagedDocuments(store);
    await own(new ProjectionView(replay, projected('s-1', 0)), 's-1');
    await expect(replay.flush()).rejects.toBeInstanceOf(StagedWriteConflict);
    expect((await store.collection<Tally>('tallies').get('s-1'))?.data.events).toBe(2);
  });
});
