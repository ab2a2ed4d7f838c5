import { RequestValidationError } from '../errors/validation';
import { pageOf } from './page-of';

const letters = 'abcdefghij'.split('');

function cursorError(run: () => unknown): RequestValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestValidationError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('pageOf', () => {
  it('walks the whole list in pages of limit, in order, and ends with a null cursor', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = pageOf(letters, { limit: 3, cursor });
      seen.push(...page.items);
      pages += 1;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(letters);
    expect(pages).toBe(4);
  });

  it('gives 50 items by default and no cursor when the list fits', () => {
    const many = Array.from({ length: 120 }, (_, i) => i);
    expect(pageOf(many, {}).items).toHaveLength(50);
    expect(pageOf(letters, {})).toEqual({ items: letters, nextCursor: null });
    expect(pageOf([], { limit: 5 })).toEqual({ items: [], nextCursor: null });
  });

  it('keeps its place by key, not by index, when an item appears before the cursor', () => {
    // Positions in the full sequence: the viewer first sees 1, 3, 5, 7; then 2 becomes visible.
    const first = pageOf([1, 3, 5, 7], { limit: 2 }, (n) => n);
    expect(first.items).toEqual([1, 3]);
    const next = pageOf(
      [1, 2, 3, 5, 7],
      { limit: 2, cursor: first.nextCursor ?? undefined },
      (n) => n,
    );
    expect(next.items).toEqual([5, 7]);
    expect(next.nextCursor).toBeNull();
  });

  it('pages by string keys in ascending order', () => {
    const ids = ['t-01', 't-02', 't-03'];
    const first = pageOf(ids, { limit: 2 }, (id) => id);
    expect(first.items).toEqual(['t-01', 't-02']);
    expect(pageOf(ids, { limit: 2, cursor: first.nextCursor ?? undefined }, (id) => id)).toEqual({
      items: ['t-03'],
      nextCursor: null,
    });
  });

  it('refuses a cursor it did not issue with a 400 naming cursor', () => {
    const foreign = Buffer.from(JSON.stringify({ after: 'x' })).toString('base64url');
    for (const cursor of ['not-a-cursor', '', Buffer.from('{"after":1.5}').toString('base64url')]) {
      expect(cursorError(() => pageOf(letters, { cursor })).fields[0].field).toBe('cursor');
    }
    // a string key where the list is keyed by position
    expect(cursorError(() => pageOf(letters, { cursor: foreign })).fields).toEqual([
      { field: 'cursor', constraints: { isCursor: 'The cursor is not one this list returned' } },
    ]);
  });
});
