import { documentStoreContract } from '../document-store.contract';
import { InMemoryDocumentStore } from './in-memory-document-store';

documentStoreContract('in-memory', async () => new InMemoryDocumentStore());

/** A snapshot taken back as the platform does it: emptied, then a document at a time. */
function restore(
  store: InMemoryDocumentStore,
  collections: ReturnType<InMemoryDocumentStore['snapshot']>,
): void {
  store.clearForRestore();
  for (const { name, documents } of collections)
    for (const doc of documents) store.restoreDocument(name, doc);
}

async function present<T>(read: Promise<T | null>): Promise<T> {
  const found = await read;
  if (found === null) throw new Error('expected a document');
  return found;
}

describe('InMemoryDocumentStore', () => {
  it('hands out its collections for a snapshot and takes them back, frozen, versions kept', async () => {
    const first = new InMemoryDocumentStore();
    await first.collection('needs').upsert('n-1', { title: 'Falls', tags: ['a'] });
    await first
      .collection('needs')
      .upsert(
        'n-1',
        { title: 'Falls at night', tags: ['a'] },
        { applied: { streamId: 's-1', revision: 3 } },
      );
    await first.collection('orgs').upsert('o-1', { needs: 1 });
    const snapshot = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<
      InMemoryDocumentStore['snapshot']
    >;

    const second = new InMemoryDocumentStore();
    await second.collection('stale').upsert('x', { left: 'over' });
    await second.collection('needs').ensureIndexes([{ fields: ['title'], unique: true }]);
    restore(second, snapshot);
    const need = await second.collection('needs').get('n-1');
    expect(need).toMatchObject({ data: { title: 'Falls at night' }, version: 2 });
    expect({ ...need?.applied }).toEqual({ 's-1': 3 });
    expect(() => (need?.data.tags as string[]).push('b')).toThrow(TypeError);
    expect(await second.collection('stale').count()).toBe(0);
    expect(
      (await second.collection('needs').find({ filter: { title: 'Falls at night' } })).items,
    ).toHaveLength(1);
    // the unique index declared before the restore still holds
    await expect(
      second.collection('needs').upsert('n-2', { title: 'Falls at night' }),
    ).rejects.toThrow(/same title/);
    expect(await second.collection('orgs').get('o-1')).toMatchObject({ data: { needs: 1 } });
  });

  it('moves its write mark on every write and only then', async () => {
    const c = new InMemoryDocumentStore().collection<{ n: number }>('marks');
    const mark = () => c.writeMark?.();
    expect(mark()).toEqual(expect.any(Number));
    const marks = [mark()];
    await c.upsert('a', { n: 1 });
    marks.push(mark());
    await c.get('a');
    await c.find({ filter: { n: 1 } });
    await c.count();
    expect(mark()).toBe(marks[1]);
    expect(await c.upsert('a', { n: 2 }, { expectedVersion: 5 })).toMatchObject({
      written: false,
    });
    expect(mark()).toBe(marks[1]);
    await c.upsert('a', { n: 2 });
    marks.push(mark());
    await c.delete('a');
    marks.push(mark());
    await c.delete('a');
    expect(mark()).toBe(marks[3]);
    await c.drop();
    marks.push(mark());
    expect(new Set(marks).size).toBe(marks.length);
  });

  it('keeps its own copy, so callers cannot change stored documents behind its back', async () => {
    const c = new InMemoryDocumentStore().collection<{ tags: string[]; owner: { org: string } }>(
      'copies',
    );
    const data = { tags: ['a'], owner: { org: 'o-1' } };
    await c.upsert('x', data);
    data.tags.push('b');
    data.owner.org = 'o-2';
    const read = await present(c.get('x'));
    expect(() => read.data.tags.push('c')).toThrow(TypeError);
    expect(() => {
      read.data.owner.org = 'o-3';
    }).toThrow(TypeError);
    expect(() => {
      read.applied.other = 1;
    }).toThrow(TypeError);
    const page = await c.find({ filter: { tags: 'a' } });
    expect(() => page.items[0].data.tags.splice(0)).toThrow(TypeError);
    expect((await c.get('x'))?.data).toEqual({ tags: ['a'], owner: { org: 'o-1' } });
  });

  it('shares the untouched parts of a document read, changed and written back', async () => {
    const c = new InMemoryDocumentStore().collection<{ tags: string[]; n: number }>('shared');
    await c.upsert('x', { tags: ['a'], n: 1 });
    const first = await present(c.get('x'));
    await c.upsert('x', { ...first.data, n: 2 });
    const second = await present(c.get('x'));
    expect(second.data).toEqual({ tags: ['a'], n: 2 });
    expect(second.data.tags).toBe(first.data.tags);
    expect(first.data.n).toBe(1);
  });

  it('copies what a caller froze only on the surface', async () => {
    const c = new InMemoryDocumentStore().collection<{ tags: string[] }>('surface');
    const tags = ['a'];
    await c.upsert('x', Object.freeze({ tags }));
    tags.push('b');
    expect((await present(c.get('x'))).data.tags).toEqual(['a']);
  });

  it('copies dates out on every read, since freezing cannot protect them', async () => {
    const c = new InMemoryDocumentStore().collection<{ at: Date }>('dates');
    await c.upsert('x', { at: new Date(0) });
    (await present(c.get('x'))).data.at.setTime(5);
    expect((await present(c.get('x'))).data.at.getTime()).toBe(0);
  });

  it('answers equality finds from its index as a full walk would, as documents change', async () => {
    const c = new InMemoryDocumentStore().collection<{ tags: string[]; kind: string | null }>(
      'indexed',
    );
    for (let i = 0; i < 30; i++)
      await c.upsert(`d${String(i).padStart(2, '0')}`, {
        tags: i % 3 === 0 ? ['x', 'y'] : ['y'],
        kind: i % 2 ? 'odd' : null,
      });
    const ids = async (filter: Parameters<typeof c.find>[0]) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof c.find>> = await c.find({ ...filter, cursor });
        out.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    };
    expect(await ids({ filter: { tags: 'x' }, limit: 4 })).toHaveLength(10);
    await c.upsert('d00', { tags: ['y'], kind: 'odd' });
    await c.delete('d03');
    await c.upsert('d99', { tags: ['x'], kind: 'odd' });
    expect(await ids({ filter: { tags: 'x' }, limit: 4 })).toEqual([
      'd06',
      'd09',
      'd12',
      'd15',
      'd18',
      'd21',
      'd24',
      'd27',
      'd99',
    ]);
    expect(await ids({ filter: { tags: 'x', kind: 'odd' } })).toEqual([
      'd09',
      'd15',
      'd21',
      'd27',
      'd99',
    ]);
    expect(await ids({ filter: { kind: { $in: ['odd', 'none'] }, tags: { $eq: 'x' } } })).toEqual([
      'd09',
      'd15',
      'd21',
      'd27',
      'd99',
    ]);
    expect(await c.count({ kind: null })).toBe(14);
    expect(await c.count({ tags: { $in: [] } })).toBe(0);
    expect(
      await ids({ filter: { tags: 'x' }, sort: { field: 'kind', direction: 'desc' } }),
    ).toEqual(['d99', 'd27', 'd21', 'd15', 'd09']);
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

describe('InMemoryDocumentStore memory', () => {
  const entry = (eventId: string, revision: number) => ({
    eventId,
    type: 'NeedPrioritised',
    streamId: `needs-need-${'1'}`,
    revision,
    actor: { userId: 'u-1', org: 'org-1', roles: ['procurer'] },
    needIds: ['n-1'],
    innovationIds: [],
  });

  it('keeps one copy of what documents of a collection repeat, written or restored', async () => {
    const store = new InMemoryDocumentStore();
    const timeline = store.collection<ReturnType<typeof entry>>('timeline');
    await timeline.upsert('e-1', entry('e-1', 0));
    await timeline.upsert('e-2', entry('e-2', 1));
    const [one, two] = [await present(timeline.get('e-1')), await present(timeline.get('e-2'))];
    expect(two.data.actor).toBe(one.data.actor);
    expect(two.data.needIds).toBe(one.data.needIds);
    expect(two.data.innovationIds).toBe(one.data.innovationIds);
    expect(two.data).not.toBe(one.data);
    expect(() => (two.data.actor.roles as string[]).push('auditor')).toThrow(TypeError);

    const restored = new InMemoryDocumentStore();
    restore(
      restored,
      JSON.parse(JSON.stringify(store.snapshot())) as ReturnType<InMemoryDocumentStore['snapshot']>,
    );
    const back = restored.collection<ReturnType<typeof entry>>('timeline');
    const [a, b] = [await present(back.get('e-1')), await present(back.get('e-2'))];
    expect(b.data.actor).toBe(a.data.actor);
    expect(b.data).toEqual(entry('e-2', 1));
    expect((await back.find({ filter: { needIds: 'n-1' } })).items.map((d) => d.id)).toEqual([
      'e-1',
      'e-2',
    ]);
  });

  it('does not let a shared part tie documents together: each changes on its own', async () => {
    const c = new InMemoryDocumentStore().collection<{ actor: { org: string } }>('shared');
    await c.upsert('a', { actor: { org: 'org-1' } });
    await c.upsert('b', { actor: { org: 'org-1' } });
    await c.upsert('b', { actor: { org: 'org-2' } });
    expect((await present(c.get('a'))).data.actor.org).toBe('org-1');
    expect((await present(c.get('b'))).data.actor.org).toBe('org-2');
    expect(await c.count({ 'actor.org': 'org-1' })).toBe(1);
  });
});
