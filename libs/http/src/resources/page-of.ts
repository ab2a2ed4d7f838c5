import { RequestValidationError } from '../errors/validation';
import { DEFAULT_LIST_LIMIT, type ListPage } from './list-query';

type Key = string | number;

/** `?limit=&cursor=` of a list, as `ListQueryDto` validates them. */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/**
 * One page of a list held whole in memory (a consultation's questions, a pilot's
 * measurements, an organisation's tenders), `?limit=&cursor=` like every other list.
 *
 * The items come in ascending order of `keyOf`: their place in the full, unfiltered sequence
 * (or an id they are sorted by). The cursor is the key after which the next page starts, not
 * an index into what this viewer sees, so an item that another viewer may see, or that
 * becomes visible later, never shifts a page already read.
 */
export function pageOf<T>(
  items: readonly T[],
  query: PageQuery,
  keyOf: (item: T, index: number) => Key = (_item, index) => index,
): ListPage<T> {
  const limit = query.limit ?? DEFAULT_LIST_LIMIT;
  let start = 0;
  if (query.cursor !== undefined) {
    const after = decodePageCursor(query.cursor);
    if (items.length > 0 && typeof keyOf(items[0], 0) !== typeof after) throw notOurs();
    while (start < items.length && !(keyOf(items[start], start) > after)) start += 1;
  }
  const page = items.slice(start, start + limit);
  const last = start + page.length - 1;
  return {
    items: page,
    nextCursor: last + 1 < items.length ? encodePageCursor(keyOf(items[last], last)) : null,
  };
}

function encodePageCursor(after: Key): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

function decodePageCursor(cursor: string): Key {
  try {
    const { after } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      after?: unknown;
    };
    if (typeof after === 'string' || (typeof after === 'number' && Number.isInteger(after))) {
      return after;
    }
  } catch {
    // not one of ours: the 400 below
  }
  throw notOurs();
}

function notOurs(): RequestValidationError {
  return new RequestValidationError([
    { field: 'cursor', constraints: { isCursor: 'The cursor is not one this list returned' } },
  ]);
}
