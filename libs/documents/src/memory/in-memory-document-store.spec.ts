import { documentStoreContract } from '../document-store.contract';
import { InMemoryDocumentStore } from './in-memory-document-store';

documentStoreContract('in-memory', async () => new InMemoryDocumentStore());

describe('InMemoryDocumentStore', () => {
  it('hands out copies, so callers cannot change stored documents behind its back', async () => {
    const c = new InMemoryDocumentStore().collection<{ tags: string[] }>('copies');
    const data = { tags: ['a'] };
    await c.upsert('x', data);
    data.tags.push('b');
    const read = await c.get('x');
    read?.data.tags.push('c');
    expect((await c.get('x'))?.data.tags).toEqual(['a']);
  });
});
