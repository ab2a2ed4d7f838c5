import { randomUUID } from 'node:crypto';
import { requireEngine } from '@pcp/testing';
import type { DocumentCollection } from '../document-store';
import { documentStoreContract } from '../document-store.contract';
import { ProjectionView } from '../projection/projection';
import { StagedDocuments, StagedWriteConflict } from '../projection/staged-documents';
import { MongooseDocumentStore } from './mongoose-document-store';

/** The mongoose collection's writeMany (optional on the port, always there on this adapter). */
function writeManyOf(collection: DocumentCollection): NonNullable<DocumentCollection['writeMany']> {
  if (!collection.writeMany) throw new Error(`${collection.name} has no writeMany`);
  return collection.writeMany.bind(collection);
}

// One throwaway database per run, dropped at the end.
const dbName = `pcp_documents_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const connect = () => MongooseDocumentStore.connect(requireEngine('mongo'), { dbName });

afterAll(async () => {
  const cleanup = await connect();
  await cleanup.dropDatabase();
  await cleanup.close();
});

documentStoreContract('mongoose on the MongoDB wire protocol', connect);

describe('MongooseDocumentStore', () => {
  it('stores documents so that plain MongoDB queries read them: data, version and applied revisions', async () => {
    const store = await connect();
    try {
      const c = store.collection('raw_shape');
      await c.upsert(
        'n-1',
        { region: 'ES11' },
        { applied: { streamId: 'need.n-1', revision: 3n } },
      );
      const raw = await store.connection.collection('raw_shape').findOne({ _id: 'n-1' as never });
      expect(raw).toEqual({
        _id: 'n-1',
        data: { region: 'ES11' },
        _version: 1,
        _applied: { 'need%2En-1': 3 },
      });
    } finally {
      await store.close();
    }
  });

  describe('writeMany', () => {
    it('makes, changes and removes several documents in one call, each guarded by its version', async () => {
      const store = await connect();
      try {
        const c = store.collection('bulk_guarded');
        await c.upsert('kept', { n: 1 }, { expectedVersion: 0 });
        await c.upsert('gone', { n: 1 }, { expectedVersion: 0 });
        const ok = await writeManyOf(c)([
          {
            kind: 'upsert',
            id: 'new-1',
            data: { n: 10 },
            expectedVersion: 0,
            applied: { streamId: 's.a', revision: 0n },
          },
          {
            kind: 'upsert',
            id: 'kept',
            data: { n: 2 },
            expectedVersion: 1,
            applied: { streamId: 's.b', revision: 4n },
          },
          { kind: 'delete', id: 'gone', expectedVersion: 1 },
          { kind: 'upsert', id: 'new-2', data: { n: 20 }, expectedVersion: 0 },
        ]);
        expect(ok).toBe(true);
        expect(await c.get('new-1')).toEqual({
          id: 'new-1',
          data: { n: 10 },
          version: 1,
          applied: { 's.a': 0 },
        });
        expect(await c.get('kept')).toEqual({
          id: 'kept',
          data: { n: 2 },
          version: 2,
          applied: { 's.b': 4 },
        });
        expect(await c.get('gone')).toBeNull();
        expect((await c.get('new-2'))?.data).toEqual({ n: 20 });
      } finally {
        await store.close();
      }
    });

    it('answers false when a version no longer holds or a document exists already, and writes nothing over them', async () => {
      const store = await connect();
      try {
        const c = store.collection('bulk_conflicts');
        await c.upsert('moved-on', { n: 1 }, { expectedVersion: 0 });
        await c.upsert('moved-on', { n: 2 }, { expectedVersion: 1 });
        expect(
          await writeManyOf(c)([
            { kind: 'upsert', id: 'moved-on', data: { n: 99 }, expectedVersion: 1 },
            { kind: 'upsert', id: 'fresh', data: { n: 1 }, expectedVersion: 0 },
          ]),
        ).toBe(false);
        expect((await c.get('moved-on'))?.data).toEqual({ n: 2 });
        expect(
          await writeManyOf(c)([
            { kind: 'upsert', id: 'fresh', data: { n: 5 }, expectedVersion: 0 },
            { kind: 'upsert', id: 'other', data: { n: 5 }, expectedVersion: 0 },
          ]),
        ).toBe(false);
        expect(await c.get('fresh')).toMatchObject({ data: { n: 1 }, version: 1 });
      } finally {
        await store.close();
      }
    });

    it('is how a staged batch is written: one call for the documents it changed', async () => {
      const store = await connect();
      try {
        const c = store.collection<{ events: number }>('bulk_staged');
        const bulk = jest.spyOn(c, 'writeMany');
        const single = jest.spyOn(c, 'upsert');
        const staged = new StagedDocuments(store);
        for (const [id, stream, revision] of [
          ['org-a', 's-1', 0n],
          ['org-b', 's-2', 0n],
          ['org-a', 's-1', 1n],
        ] as const) {
          const event = {
            id: `${stream}-${revision}`,
            type: 'Counted',
            streamId: stream,
            revision,
            occurredAt: '2026-11-24T09:00:00.000Z',
            data: {},
          };
          await new ProjectionView(staged, event).update<{ events: number }>(
            'bulk_staged',
            id,
            (current) => ({ events: (current?.events ?? 0) + 1 }),
          );
        }
        await staged.flush();
        expect(bulk).toHaveBeenCalledTimes(1);
        expect(single).not.toHaveBeenCalled();
        expect(await c.get('org-a')).toMatchObject({
          data: { events: 2 },
          version: 1,
          applied: { 's-1': 1 },
        });
        expect(await c.get('org-b')).toMatchObject({ data: { events: 1 }, version: 1 });

        // another writer moved org-a on since this batch read it: the batch is refused
        const again = new StagedDocuments(store);
        for (const id of ['org-a', 'org-b'])
          await new ProjectionView(again, {
            id: `x-${id}`,
            type: 'Counted',
            streamId: 's-3',
            revision: 0n,
            occurredAt: '2026-11-24T09:00:00.000Z',
            data: {},
          }).update<{ events: number }>('bulk_staged', id, (current) => ({
            events: (current?.events ?? 0) + 1,
          }));
        await c.upsert('org-a', { events: 100 });
        await expect(again.flush()).rejects.toBeInstanceOf(StagedWriteConflict);
        expect((await c.get('org-a'))?.data).toEqual({ events: 100 });
      } finally {
        await store.close();
      }
    });
  });
});
