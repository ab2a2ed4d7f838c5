import {
  type DocumentCollection,
  type DocumentData,
  type DocumentStore,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Page,
  type StoredDocument,
  type WriteOptions,
  type WriteOutcome,
  DuplicateKeyError,
  InvalidQueryError,
  assertCollectionName,
  assertFieldPath,
  assertFilter,
  decodeCursor,
  encodeCursor,
  pageSize,
  revisionNumber,
} from '../document-store';
import { compareSortValues, matches, sortValue, valuesAt } from './filter-matching';

interface Entry {
  data: DocumentData;
  version: number;
  applied: Record<string, number>;
}

const copy = <T>(value: T): T => structuredClone(value);

class InMemoryCollection<T extends DocumentData> implements DocumentCollection<T> {
  private readonly entries = new Map<string, Entry>();
  private uniqueIndexes: string[][] = [];
  /** Ids in order, for pages by id; dropped when an id comes or goes, rebuilt on the next read. */
  private sortedIds: string[] | null = null;

  constructor(readonly name: string) {}

  async get(id: string): Promise<StoredDocument<T> | null> {
    const entry = this.entries.get(id);
    return entry ? this.toStored(id, entry) : null;
  }

  async upsert(id: string, data: T, options: WriteOptions = {}): Promise<WriteOutcome> {
    const current = this.entries.get(id);
    const { expectedVersion, applied } = options;
    if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion) {
      return { written: false, reason: 'version-conflict' };
    }
    this.assertUnique(id, data);
    const next: Entry = {
      data: copy(data),
      version: (current?.version ?? 0) + 1,
      applied: { ...(current?.applied ?? {}) },
    };
    if (applied) next.applied[applied.streamId] = revisionNumber(applied.revision);
    if (!current) this.sortedIds = null;
    this.entries.set(id, next);
    return { written: true, version: next.version };
  }

  async delete(id: string, options: { expectedVersion?: number } = {}): Promise<boolean> {
    const current = this.entries.get(id);
    if (!current) return false;
    if (options.expectedVersion !== undefined && current.version !== options.expectedVersion)
      return false;
    this.sortedIds = null;
    return this.entries.delete(id);
  }

  async find(options: FindOptions = {}): Promise<Page<T>> {
    const limit = pageSize(options.limit);
    const filter = options.filter ?? {};
    assertFilter(filter);
    const sort = options.sort;
    if (sort) assertFieldPath(sort.field);
    const descending = sort?.direction === 'desc';
    const after = options.cursor ? decodeCursor(options.cursor, Boolean(sort)) : null;

    type Row = { id: string; key: string | number; entry?: Entry };
    const order = (a: Row, b: Row) => {
      const byKey = compareSortValues(a.key, b.key) || compareSortValues(a.id, b.id);
      return descending ? -byKey : byKey;
    };
    const from: Row | null = after
      ? { id: after.id, key: sort ? (after.v as string | number) : after.id }
      : null;
    const page: Row[] = [];
    const wanted = limit + 1;
    if (!sort) {
      // By id: start at the cursor in the ids kept in order and stop once the page is full,
      // so reading a collection page by page walks it once, not once per page.
      const ids = (this.sortedIds ??= [...this.entries.keys()].sort());
      let i = 0;
      if (from) {
        let hi = ids.length;
        while (i < hi) {
          const mid = (i + hi) >>> 1;
          if (ids[mid] <= from.id) i = mid + 1;
          else hi = mid;
        }
      }
      for (; i < ids.length && page.length < wanted; i++) {
        const entry = this.entries.get(ids[i]) as Entry;
        if (matches(entry.data, filter)) page.push({ id: ids[i], key: ids[i], entry });
      }
    } else {
      // Only the page (and one more, to know whether another follows) is kept, in order: a
      // page costs one pass over the collection, not a sort of all of it.
      for (const [id, entry] of this.entries) {
        if (!matches(entry.data, filter)) continue;
        const key = sortValue(entry.data, sort.field);
        if (key === undefined) continue;
        const row = { id, key, entry };
        if (from && order(row, from) <= 0) continue;
        if (page.length === wanted && order(row, page[wanted - 1]) >= 0) continue;
        let lo = 0;
        let hi = page.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (order(page[mid], row) < 0) lo = mid + 1;
          else hi = mid;
        }
        page.splice(lo, 0, row);
        if (page.length > wanted) page.pop();
      }
    }
    const items = page.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor =
      page.length > limit && last
        ? encodeCursor(sort ? { v: last.key, id: last.id } : { id: last.id })
        : null;
    return { items: items.map((r) => this.toStored(r.id, r.entry as Entry)), nextCursor };
  }

  async count(filter: Filter = {}): Promise<number> {
    assertFilter(filter);
    let n = 0;
    for (const entry of this.entries.values()) if (matches(entry.data, filter)) n++;
    return n;
  }

  async ensureIndexes(indexes: IndexSpec[]): Promise<void> {
    for (const index of indexes) index.fields.forEach(assertFieldPath);
    const unique = indexes.filter((i) => i.unique).map((i) => i.fields);
    for (const fields of unique) {
      const seen = new Set<string>();
      for (const entry of this.entries.values()) {
        const key = this.uniqueKey(entry.data, fields);
        if (seen.has(key))
          throw new InvalidQueryError(`Existing documents break the unique index on ${fields}`);
        seen.add(key);
      }
    }
    this.uniqueIndexes = [...this.uniqueIndexes, ...unique];
  }

  async drop(): Promise<void> {
    this.entries.clear();
    this.sortedIds = null;
    this.uniqueIndexes = [];
  }

  private uniqueKey(data: DocumentData, fields: string[]): string {
    return JSON.stringify(fields.map((f) => valuesAt(data, f)[0] ?? null));
  }

  private assertUnique(id: string, data: DocumentData): void {
    for (const fields of this.uniqueIndexes) {
      const key = this.uniqueKey(data, fields);
      for (const [otherId, entry] of this.entries) {
        if (otherId !== id && this.uniqueKey(entry.data, fields) === key) {
          throw new DuplicateKeyError(this.name, fields);
        }
      }
    }
  }

  private toStored(id: string, entry: Entry): StoredDocument<T> {
    return {
      id,
      data: copy(entry.data) as T,
      version: entry.version,
      applied: { ...entry.applied },
    };
  }
}

/** Documents held in the process: the embedded default, rebuilt from the log at start. */
export class InMemoryDocumentStore implements DocumentStore {
  private readonly collections = new Map<string, InMemoryCollection<DocumentData>>();

  collection<T extends DocumentData = DocumentData>(name: string): DocumentCollection<T> {
    assertCollectionName(name);
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new InMemoryCollection(name);
      this.collections.set(name, collection);
    }
    return collection as unknown as DocumentCollection<T>;
  }

  async close(): Promise<void> {
    this.collections.clear();
  }
}
