/**
 * The behaviour every DocumentStore adapter must show. Each adapter's spec calls this with
 * a factory; collection names are unique per test so runs never see each other's data.
 */
import { randomUUID } from 'node:crypto';
import {
  type DocumentStore,
  DuplicateKeyError,
  InvalidCursorError,
  InvalidQueryError,
} from './document-store';

interface Tender extends Record<string, unknown> {
  title: string;
  status: string;
  budgetEur: number;
  regions: string[];
  phases?: { name: string; suppliers: number }[];
  owner?: { org: string } | null;
}

export function documentStoreContract(
  adapter: string,
  open: () => Promise<DocumentStore>,
  dispose?: () => Promise<void>,
) {
  describe(`DocumentStore contract: ${adapter}`, () => {
    let store: DocumentStore;
    const fresh = (prefix = 'c') => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
      await dispose?.();
    });

    const tender = (over: Partial<Tender> = {}): Tender => ({
      title: 'Sepsis early warning',
      status: 'PUBLISHED',
      budgetEur: 1000,
      regions: ['ES11'],
      ...over,
    });

    it('gets what it upserted, with version 1, and null for an unknown id', async () => {
      const c = store.collection<Tender>(fresh());
      expect(await c.upsert('t-1', tender())).toEqual({ written: true, version: 1 });
      expect(await c.get('t-1')).toEqual({ id: 't-1', data: tender(), version: 1, applied: {} });
      expect(await c.get('t-2')).toBeNull();
    });

    it('replaces the data whole on the next upsert and counts versions', async () => {
      const c = store.collection<Tender>(fresh());
      await c.upsert('t-1', tender({ owner: { org: 'o-1' } }));
      const second = tender({ status: 'AWARDED' });
      expect(await c.upsert('t-1', second)).toEqual({ written: true, version: 2 });
      const got = await c.get('t-1');
      expect(got?.data).toEqual(second);
      expect(got?.data).not.toHaveProperty('owner');
      expect(got?.version).toBe(2);
    });

    it('keeps empty objects, nulls and nested arrays as written', async () => {
      const c = store.collection<Record<string, unknown>>(fresh());
      const data = { empty: {}, none: null, nested: [{ a: [1, 2] }, { a: [] }], flag: false, n: 0 };
      await c.upsert('x', data);
      expect((await c.get('x'))?.data).toEqual(data);
    });

    it('refuses a write whose expected version does not hold', async () => {
      const c = store.collection<Tender>(fresh());
      expect(await c.upsert('t-1', tender(), { expectedVersion: 0 })).toEqual({
        written: true,
        version: 1,
      });
      expect(await c.upsert('t-1', tender(), { expectedVersion: 0 })).toEqual({
        written: false,
        reason: 'version-conflict',
      });
      expect(await c.upsert('t-1', tender({ status: 'X' }), { expectedVersion: 2 })).toEqual({
        written: false,
        reason: 'version-conflict',
      });
      expect(await c.upsert('t-1', tender({ status: 'Y' }), { expectedVersion: 1 })).toEqual({
        written: true,
        version: 2,
      });
      expect((await c.get('t-1'))?.data.status).toBe('Y');
      expect(await c.upsert('t-9', tender(), { expectedVersion: 3 })).toEqual({
        written: false,
        reason: 'version-conflict',
      });
      expect(await c.get('t-9')).toBeNull();
    });

    it('lets exactly one of several concurrent writers with the same expected version win', async () => {
      const c = store.collection<Tender>(fresh());
      const ids = Array.from({ length: 8 }, (_, i) => `t-${i}`);
      await Promise.all(ids.map((id) => c.upsert(id, tender())));
      // five writers race on each of eight documents at once
      const outcomes = await Promise.all(
        ids.map((id) =>
          Promise.all(
            Array.from({ length: 5 }, (_, i) =>
              c.upsert(id, tender({ budgetEur: i }), { expectedVersion: 1 }),
            ),
          ),
        ),
      );
      for (const [n, id] of ids.entries()) {
        const winners = outcomes[n].flatMap((o, i) => (o.written ? [i] : []));
        expect(winners).toHaveLength(1);
        expect(outcomes[n].filter((o) => !o.written)).toEqual(
          Array(4).fill({ written: false, reason: 'version-conflict' }),
        );
        const stored = await c.get(id);
        expect(stored?.version).toBe(2);
        expect(stored?.data.budgetEur).toBe(winners[0]);
      }
    });

    it('counts every one of several concurrent unconditional writes in the version', async () => {
      const c = store.collection<Tender>(fresh());
      await c.upsert('t-1', tender());
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, (_, i) => c.upsert('t-1', tender({ budgetEur: i }))),
      );
      expect(outcomes.map((o) => (o.written ? o.version : 0)).sort((a, b) => a - b)).toEqual([
        2, 3, 4, 5, 6,
      ]);
      expect((await c.get('t-1'))?.version).toBe(6);
    });

    it('records the stream revisions a document reflects, stream by stream', async () => {
      const c = store.collection<Tender>(fresh());
      await c.upsert('i-1', tender(), { applied: { streamId: 'tender-1', revision: 0n } });
      await c.upsert('i-1', tender(), {
        applied: { streamId: 'pilot.with.dots$and%', revision: 4n },
      });
      await c.upsert('i-1', tender(), { applied: { streamId: 'tender-1', revision: 3 } });
      expect((await c.get('i-1'))?.applied).toEqual({ 'tender-1': 3, 'pilot.with.dots$and%': 4 });
    });

    it('deletes, optionally only at an expected version', async () => {
      const c = store.collection<Tender>(fresh());
      await c.upsert('t-1', tender());
      expect(await c.delete('t-1', { expectedVersion: 5 })).toBe(false);
      expect(await c.get('t-1')).not.toBeNull();
      expect(await c.delete('t-1', { expectedVersion: 1 })).toBe(true);
      expect(await c.get('t-1')).toBeNull();
      expect(await c.delete('t-1')).toBe(false);
    });

    describe('find', () => {
      const name = fresh('find');
      const seed = async () => {
        const c = store.collection<Tender>(name);
        if ((await c.count()) > 0) return c;
        await c.upsert(
          't-01',
          tender({ status: 'DRAFT', budgetEur: 500, regions: ['ES11', 'ES22'] }),
        );
        await c.upsert(
          't-02',
          tender({ status: 'PUBLISHED', budgetEur: 1500, regions: ['BE2'], owner: { org: 'o-1' } }),
        );
        await c.upsert(
          't-03',
          tender({ status: 'PUBLISHED', budgetEur: 2500, regions: ['ES11'], owner: null }),
        );
        await c.upsert(
          't-04',
          tender({
            status: 'AWARDED',
            budgetEur: 1500,
            regions: [],
            phases: [{ name: 'DESIGN', suppliers: 9 }],
          }),
        );
        await c.upsert(
          't-05',
          tender({ status: 'CANCELLED', budgetEur: 99, regions: ['DE1'], title: 'Another' }),
        );
        return c;
      };
      const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id);

      it('filters by equality, also inside arrays and nested objects', async () => {
        const c = await seed();
        expect(ids(await c.find({ filter: { status: 'PUBLISHED' } }))).toEqual(['t-02', 't-03']);
        expect(ids(await c.find({ filter: { regions: 'ES11' } }))).toEqual(['t-01', 't-03']);
        expect(ids(await c.find({ filter: { 'owner.org': 'o-1' } }))).toEqual(['t-02']);
        expect(ids(await c.find({ filter: { 'phases.name': 'DESIGN' } }))).toEqual(['t-04']);
        expect(ids(await c.find({ filter: { status: 'PUBLISHED', budgetEur: 2500 } }))).toEqual([
          't-03',
        ]);
      });

      it('filters with $in, $nin, $ne, ranges and $exists', async () => {
        const c = await seed();
        expect(ids(await c.find({ filter: { status: { $in: ['DRAFT', 'AWARDED'] } } }))).toEqual([
          't-01',
          't-04',
        ]);
        expect(ids(await c.find({ filter: { status: { $nin: ['DRAFT', 'PUBLISHED'] } } }))).toEqual(
          ['t-04', 't-05'],
        );
        expect(ids(await c.find({ filter: { status: { $ne: 'PUBLISHED' } } }))).toEqual([
          't-01',
          't-04',
          't-05',
        ]);
        expect(ids(await c.find({ filter: { budgetEur: { $gte: 1500, $lt: 2500 } } }))).toEqual([
          't-02',
          't-04',
        ]);
        expect(ids(await c.find({ filter: { budgetEur: { $gt: 'a' } } }))).toEqual([]);
        expect(ids(await c.find({ filter: { owner: { $exists: true } } }))).toEqual([
          't-02',
          't-03',
        ]);
        expect(ids(await c.find({ filter: { phases: { $exists: false } } }))).toEqual([
          't-01',
          't-02',
          't-03',
          't-05',
        ]);
        expect(ids(await c.find({ filter: { regions: { $in: ['DE1', 'BE2'] } } }))).toEqual([
          't-02',
          't-05',
        ]);
      });

      it('matches null against null and missing fields alike', async () => {
        const c = await seed();
        expect(ids(await c.find({ filter: { owner: null } }))).toEqual([
          't-01',
          't-03',
          't-04',
          't-05',
        ]);
        expect(await c.count({ owner: null })).toBe(4);
      });

      it('pages by id with a cursor until the end', async () => {
        const c = await seed();
        const first = await c.find({ limit: 2 });
        expect(ids(first)).toEqual(['t-01', 't-02']);
        expect(first.nextCursor).toEqual(expect.any(String));
        const second = await c.find({ limit: 2, cursor: first.nextCursor });
        expect(ids(second)).toEqual(['t-03', 't-04']);
        const third = await c.find({ limit: 2, cursor: second.nextCursor });
        expect(ids(third)).toEqual(['t-05']);
        expect(third.nextCursor).toBeNull();
        expect((await c.find({ limit: 5 })).nextCursor).toBeNull();
      });

      it('pages by a sort field, ties broken by id, both directions, with a filter', async () => {
        const c = await seed();
        const walk = async (direction: 'asc' | 'desc') => {
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const page: Awaited<ReturnType<typeof c.find>> = await c.find({
              limit: 2,
              cursor,
              sort: { field: 'budgetEur', direction },
              filter: { status: { $ne: 'DRAFT' } },
            });
            seen.push(...ids(page));
            cursor = page.nextCursor;
          } while (cursor);
          return seen;
        };
        expect(await walk('asc')).toEqual(['t-05', 't-02', 't-04', 't-03']);
        expect(await walk('desc')).toEqual(['t-03', 't-04', 't-02', 't-05']);
      });

      it('leaves out documents without a value to sort on', async () => {
        const c = await seed();
        expect(ids(await c.find({ sort: { field: 'owner.org' } }))).toEqual(['t-02']);
      });

      it('refuses a foreign cursor, an out-of-range limit and unsupported operators', async () => {
        const c = await seed();
        await expect(c.find({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
        const byId = (await c.find({ limit: 1 })).nextCursor as string;
        await expect(c.find({ cursor: byId, sort: { field: 'budgetEur' } })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
        await expect(c.find({ limit: 0 })).rejects.toBeInstanceOf(InvalidQueryError);
        await expect(c.find({ limit: 501 })).rejects.toBeInstanceOf(InvalidQueryError);
        await expect(
          c.find({ filter: { status: { $where: 'x' } as never } }),
        ).rejects.toBeInstanceOf(InvalidQueryError);
        await expect(c.find({ filter: { $or: [] as never } })).rejects.toBeInstanceOf(
          InvalidQueryError,
        );
      });
    });

    it('counts with a filter', async () => {
      const c = store.collection<Tender>(fresh());
      await c.upsert('a', tender({ status: 'DRAFT' }));
      await c.upsert('b', tender({ status: 'PUBLISHED' }));
      expect(await c.count()).toBe(2);
      expect(await c.count({ status: 'DRAFT' })).toBe(1);
    });

    it('deletes the documents a filter matches, and only those', async () => {
      const c = store.collection<Tender>(fresh());
      await c.ensureIndexes([{ fields: ['status'] }]);
      await c.upsert('a', tender({ status: 'DRAFT', budgetEur: 10 }));
      await c.upsert('b', tender({ status: 'DRAFT', budgetEur: 20 }));
      await c.upsert('c', tender({ status: 'DRAFT', budgetEur: 30 }));
      await c.upsert('d', tender({ status: 'PUBLISHED', budgetEur: 5 }));
      expect(await c.count({ status: 'DRAFT' })).toBe(3);
      expect(await c.deleteMany({ status: 'DRAFT', budgetEur: { $lte: 20 } })).toBe(2);
      expect((await c.find()).items.map((d) => d.id)).toEqual(['c', 'd']);
      expect(await c.count({ status: 'DRAFT' })).toBe(1);
      expect(await c.deleteMany({ status: 'AWARDED' })).toBe(0);
      await expect(c.deleteMany({})).rejects.toBeInstanceOf(InvalidQueryError);
      await expect(c.deleteMany({ status: { $regex: 'D' } } as never)).rejects.toBeInstanceOf(
        InvalidQueryError,
      );
      expect(await c.count()).toBe(2);
    });

    it('enforces unique indexes and keeps the other document intact', async () => {
      const c = store.collection<Tender>(fresh());
      await c.ensureIndexes([
        { fields: ['title'], unique: true },
        { fields: ['status', 'budgetEur'] },
      ]);
      await c.upsert('a', tender({ title: 'one' }));
      await expect(c.upsert('b', tender({ title: 'one' }))).rejects.toBeInstanceOf(
        DuplicateKeyError,
      );
      expect(await c.get('b')).toBeNull();
      expect(await c.upsert('a', tender({ title: 'one', status: 'AWARDED' }))).toEqual({
        written: true,
        version: 2,
      });
    });

    it('drops every document; dropping twice is fine', async () => {
      const c = store.collection<Tender>(fresh());
      await c.upsert('a', tender());
      await c.upsert('b', tender());
      await c.drop();
      await c.drop();
      expect(await c.count()).toBe(0);
      expect(await c.get('a')).toBeNull();
      await c.upsert('a', tender());
      expect((await c.get('a'))?.version).toBe(1);
    });

    it('refuses collection names that are not plain identifiers', () => {
      expect(() => store.collection('system.users')).toThrow(InvalidQueryError);
      expect(() => store.collection('$cmd')).toThrow(InvalidQueryError);
    });
  });
}
