import { BadRequestException } from '@nestjs/common';

/**
 * One list over several stores, each paged by a cursor of its own: a page takes the first
 * `limit` items of the sources' pages in the given order, and the next cursor holds, per
 * source, where its part of the list goes on (or that it is exhausted).
 */
export interface SourcePage<T> {
  items: T[];
  nextCursor: string | null;
}

type Positions = Record<string, string | null>;

const encode = (positions: Positions) =>
  Buffer.from(JSON.stringify(positions), 'utf8').toString('base64url');

function decode(cursor: string, sources: string[]): Positions {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const valid =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.entries(parsed).every(
      ([key, value]) => sources.includes(key) && (value === null || typeof value === 'string'),
    );
  if (!valid) throw new BadRequestException('cursor is not one this list returned');
  return parsed as Positions;
}

export async function mergedPage<T>(options: {
  sources: string[];
  cursor: string | undefined;
  limit: number;
  fetch: (source: string, cursor: string | undefined) => Promise<SourcePage<T>>;
  /**
   * The cursor of the item's own source at which its list resumes with that very item. A
   * source resumes at its first item not taken, so that what it gains between two pages
   * (a newer anchor in a newest-first list) never comes out of order.
   */
  resumeAt: (item: T) => string;
  /** The merged order; each source's page must already be in it. */
  compare: (a: T, b: T) => number;
}): Promise<{ items: T[]; nextCursor: string | null }> {
  const { sources, limit } = options;
  // '' is a source's beginning; a source the cursor does not name starts there too.
  const start: Positions = {
    ...Object.fromEntries(sources.map((s) => [s, ''])),
    ...(options.cursor === undefined ? {} : decode(options.cursor, sources)),
  };
  const open = sources.filter((s) => start[s] !== null);
  const pages = await Promise.all(
    open.map(async (source) => ({
      source,
      page: await options.fetch(source, start[source] || undefined),
    })),
  );
  const tagged = pages.flatMap(({ source, page }) => page.items.map((item) => ({ source, item })));
  const rank = (source: string) => sources.indexOf(source);
  tagged.sort((a, b) => options.compare(a.item, b.item) || rank(a.source) - rank(b.source));
  const taken = tagged.slice(0, limit);
  const next: Positions = { ...start };
  for (const { source, page } of pages) {
    const mine = taken.filter((t) => t.source === source).length;
    next[source] =
      mine === page.items.length ? page.nextCursor : options.resumeAt(page.items[mine]);
  }
  const exhausted = sources.every((s) => next[s] === null);
  return { items: taken.map((t) => t.item), nextCursor: exhausted ? null : encode(next) };
}
