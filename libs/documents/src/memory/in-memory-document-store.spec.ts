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

  it('pages by id in order when documents come and go between pages', async () => {
    const c = new InMemoryDocumentStore().collection<{ kind: string }>('paging');
    for (const id of ['d', 'b', 'f', 'a']) await c.upsert(id, { kind: 'x' });
    await c.upsert('skip', { kind: 'y' });
    const first = await c.find({ filter: { kind: 'x' }, limit: 2 });
    expect(first.items.map((d) => d.id)).toEqual(['a', 'b']);
    await c.upsert('c', { kind: 'x' });
    await c.upsert('bb', { kind: 'x' });
    await c.delete('d');
    await c.upsert('e', { kind: 'x' });
    const second = await c.find({ filter: { kind: 'x' }, limit: 2, cursor: first.nextCursor });
    expect(second.items.map((d) => d.id)).toEqual(['bb', 'c']);
    const third = await c.find({ filter: { kind: 'x' }, limit: 2, cursor: second.nextCursor });
    expect(third.items.map((d) => d.id)).toEqual(['e', 'f']);
    expect(third.nextCursor).toBeNull();
  });

  it('keeps the top of a sorted page right whatever the order of insertion', async () => {
    const c = new InMemoryDocumentStore().collection<{ n: number }>('sorted');
    const values = [5, 3, 9, 1, 7, 3, 8, 2, 6, 4];
    for (const [i, n] of values.entries()) await c.upsert(`id${i}`, { n });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof c.find>> = await c.find({
        sort: { field: 'n', direction: 'desc' },
        limit: 3,
        cursor,
      });
      seen.push(...page.items.map((d) => d.data.n));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...values].sort((a, b) => b - a));
  });
});
