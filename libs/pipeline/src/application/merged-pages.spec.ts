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
    positionOf: (i) => i.pos,
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
});
