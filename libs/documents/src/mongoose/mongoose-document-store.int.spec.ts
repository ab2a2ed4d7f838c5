import { randomUUID } from 'node:crypto';
import { requireEngine } from '@pcp/testing';
import { documentStoreContract } from '../document-store.contract';
import { MongooseDocumentStore } from './mongoose-document-store';

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
});
