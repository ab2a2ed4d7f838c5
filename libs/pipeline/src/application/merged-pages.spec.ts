import { BadRequestException } from '@nestjs/common';
import { mergedPage, type SourcePage } from './merged-pages';

type Item = { at: number; pos: string };

/** Two logs with their own positions, listed together by time. */
const logs: Record<string, Item[]> = {
  needs: [1, 4, 5, 9].map((at, i) => ({ at, pos: String(i + 1) })),
  tenders: [2, 3, 6, 7, 8].map((at, i) => ({ at, pos: String(i + 10) })),
  pilots: [],
};

function fetch(source: string, cursor: string | undefined, limit: number): SourcePage<Item> {
  const after = cursor === undefined ? -1 : Number(cursor);
  const rest = logs[source].filter((i) => Number(i.pos) > after);
  const items = rest.slice(0, limit);
  return {
    items,
    nextCursor: rest.length > limit ? items[items.length - 1].pos : null,
  };
}

const page = (cursor: string | undefined, limit: number) =>
  mergedPage<Item>({
    sources: Object.keys(logs),
    cursor,
    limit,
    fetch: async (source, at) => fetch(source, at, limit),
    resumeAt: (i) => String(Number(i.pos) - 1),
    compare: (a, b) => a.at - b.at,
  });

describe('mergedPage', () => {
  it('walks every source once, in the merged order, page by page', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const result = await page(cursor, 2);
      seen.push(...result.items.map((i) => i.at));
      cursor = result.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined && pages < 20);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pages).toBe(5);
  });

  it('ends with a null cursor when every source is exhausted', async () => {
    expect(await page(undefined, 50)).toMatchObject({ nextCursor: null });
    expect((await page(undefined, 50)).items).toHaveLength(9);
  });

  it('refuses a cursor it did not give', async () => {
    await expect(page('abc', 2)).rejects.toThrow(BadRequestException);
    const foreign = Buffer.from(JSON.stringify({ elsewhere: '1' })).toString('base64url');
    await expect(page(foreign, 2)).rejects.toThrow(BadRequestException);
  });

  it('newest first: what a source gains between pages never comes out of order', async () => {
    const anchors: Record<string, number[]> = { needs: [9, 5, 1], tenders: [8, 7] };
    const newestFirst = (cursor: string | undefined) =>
      mergedPage<{ id: number; source: string }>({
        sources: ['needs', 'tenders'],
        cursor,
        limit: 2,
        fetch: async (source, before) => {
          const older = anchors[source].filter((id) => before === undefined || id < Number(before));
          const items = older.slice(0, 2).map((id) => ({ id, source }));
          return { items, nextCursor: older.length > 2 ? String(items[1].id) : null };
        },
        resumeAt: (a) => String(a.id + 1),
        compare: (a, b) => b.id - a.id,
      });
    const first = await newestFirst(undefined);
    expect(first.items.map((a) => a.id)).toEqual([9, 8]);
    anchors.tenders.unshift(10);
    const second = await newestFirst(first.nextCursor ?? undefined);
    expect(second.items.map((a) => a.id)).toEqual([7, 5]);
  });
});
