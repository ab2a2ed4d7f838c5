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
  assertDeleteFilter,
  assertFilter,
  decodeCursor,
  encodeCursor,
  pageSize,
  revisionNumber,
  type AppliedEvent,
  appliedEvents,
} from '../document-store';
import { EqualityIndex, indexablePaths, requiredKeys } from './equality-index';
import { compareSortValues, matches, sortValue, valuesAt } from './filter-matching';
import { frozenCopy } from './frozen-data';
import { RecentValues } from './recent-values';

interface Entry {
  /** Deeply frozen: handed out as it is. */
  data: DocumentData;
  /** The data holds values freezing does not protect, so reads hand out copies. */
  exotic: boolean;
  version: number;
  /**
   * The stream revisions the document reflects: the first stream and its revision in the
   * entry itself (null: none), any others in `more`. Most documents reflect one stream; an
   * array of their own for it took some 64 bytes a document (a frozen dictionary, 120).
   */
  stream: string | null;
  revision: number;
  more: AppliedPairs;
}

/** Stream revisions as `[stream, revision, stream, revision, ...]`. */
type AppliedPairs = readonly (string | number)[];

function entryOf(data: DocumentData, exotic: boolean, version: number, pairs: AppliedPairs): Entry {
  const first = pairs.length > 0;
  return {
    data,
    exotic,
    version,
    stream: first ? (pairs[0] as string) : null,
    revision: first ? (pairs[1] as number) : 0,
    more: pairs.length > 2 ? Object.freeze(pairs.slice(2)) : NOTHING_APPLIED,
  };
}

/** The entry's stream revisions, in a new array. */
function pairsOf(entry: Entry | undefined): (string | number)[] {
  if (!entry || entry.stream === null) return [];
  return [entry.stream, entry.revision, ...entry.more];
}

/** `next` (a new array, changed in place) with the events' revisions. */
function withApplied(
  next: (string | number)[],
  events: readonly AppliedEvent[],
  recent: RecentValues,
): AppliedPairs {
  for (const event of events) {
    const revision = revisionNumber(event.revision);
    let i = 0;
    while (i < next.length && next[i] !== event.streamId) i += 2;
    if (i < next.length) next[i + 1] = revision;
    else next.push(recent.string(event.streamId), revision);
  }
  return next;
}

/** The pairs as the record StoredDocument shows, built when asked for. */
function appliedRecord(pairs: AppliedPairs): Record<string, number> {
  const record = Object.create(null) as Record<string, number>;
  for (let i = 0; i < pairs.length; i += 2) record[pairs[i] as string] = pairs[i + 1] as number;
  return record;
}

function appliedPairs(record: Readonly<Record<string, number>>): AppliedPairs {
  const pairs: (string | number)[] = [];
  for (const streamId in record) pairs.push(streamId, record[streamId]);
  return pairs;
}

/** One equality (or `$in`) on one path, which the path's index answers exactly. */
function isAnsweredByIndex(filter: Filter): boolean {
  const paths = Object.keys(filter);
  if (paths.length !== 1) return false;
  const condition = filter[paths[0]];
  if (requiredKeys(condition) === null) return false;
  return condition === null || typeof condition !== 'object' || Object.keys(condition).length === 1;
}

const NOTHING_APPLIED: AppliedPairs = Object.freeze([]);

/**
 * The id as the key of the entries, sharing the string when the data repeats it (an event's
 * id as a timeline entry's id and its eventId): one copy instead of two per document.
 */
function keyOf(id: string, data: DocumentData): string {
  for (const key in data) if (data[key] === id) return data[key] as string;
  return id;
}

class InMemoryCollection<T extends DocumentData> implements DocumentCollection<T> {
  private readonly entries = new Map<string, Entry>();
  private uniqueIndexes: string[][] = [];
  /** Ids in order, for pages by id; dropped when an id comes or goes, rebuilt on the next read. */
  private sortedIds: string[] | null = null;
  /** By path: built at the first find or count with equality on it, kept on every write. */
  private readonly indexes = new Map<string, EqualityIndex>();
  /** Writes so far (upserts, deletes, drops), for writeMark. */
  private writes = 0;
  /** What the collection's documents repeat, kept once (see RecentValues). */
  private readonly recent = new RecentValues();

  constructor(readonly name: string) {}

  writeMark(): number {
    return this.writes;
  }

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
    const copied = frozenCopy(data as DocumentData, this.recent);
    const events = appliedEvents(applied);
    const next = entryOf(
      copied.value,
      copied.exotic,
      (current?.version ?? 0) + 1,
      withApplied(pairsOf(current), events, this.recent),
    );
    // a new document's key shares its string with the data where the data repeats it
    const key = current ? id : keyOf(id, next.data);
    if (!current) this.sortedIds = null;
    for (const index of this.indexes.values()) {
      if (current) index.remove(key, current.data);
      index.add(key, next.data);
    }
    this.entries.set(key, next);
    this.writes++;
    return { written: true, version: next.version };
  }

  async delete(id: string, options: { expectedVersion?: number } = {}): Promise<boolean> {
    const current = this.entries.get(id);
    if (!current) return false;
    if (options.expectedVersion !== undefined && current.version !== options.expectedVersion)
      return false;
    this.sortedIds = null;
    this.writes++;
    for (const index of this.indexes.values()) index.remove(id, current.data);
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
    const candidates = this.candidates(filter);
    // the index answered the whole filter: every candidate matches
    const test = candidates && isAnsweredByIndex(filter) ? () => true : matches;
    if (!sort) {
      // By id: start at the cursor in the ids kept in order and stop once the page is full,
      // so reading a collection page by page walks it once, not once per page.
      const ids = candidates ?? (this.sortedIds ??= [...this.entries.keys()].sort());
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
        const entry = this.entries.get(ids[i]);
        if (entry && test(entry.data, filter)) page.push({ id: ids[i], key: ids[i], entry });
      }
    } else {
      // Only the page (and one more, to know whether another follows) is kept, in order: a
      // page costs one pass over the collection, not a sort of all of it.
      for (const id of candidates ?? this.entries.keys()) {
        const entry = this.entries.get(id);
        if (!entry || !test(entry.data, filter)) continue;
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
    for (const id of this.candidates(filter) ?? this.entries.keys()) {
      const entry = this.entries.get(id);
      if (entry && matches(entry.data, filter)) n++;
    }
    return n;
  }

  async deleteMany(filter: Filter): Promise<number> {
    assertDeleteFilter(filter);
    const doomed: string[] = [];
    for (const id of this.candidates(filter) ?? this.entries.keys()) {
      const entry = this.entries.get(id);
      if (entry && matches(entry.data, filter)) doomed.push(id);
    }
    for (const id of doomed) await this.delete(id);
    return doomed.length;
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
    this.writes++;
    this.entries.clear();
    this.sortedIds = null;
    this.uniqueIndexes = [];
    this.indexes.clear();
  }

  /**
   * The ids, in order, of the only documents that can match, from the narrowest index the
   * filter's equalities allow; null when no equality narrows the search.
   */
  private candidates(filter: Filter): readonly string[] | null {
    let best: readonly string[] | null = null;
    for (const path of indexablePaths(filter)) {
      const keys = requiredKeys(filter[path]) as (string | number | boolean)[];
      const index = this.index(path);
      let ids: readonly string[];
      if (keys.length === 1) ids = index.sortedIds(keys[0]);
      else {
        const union = new Set<string>();
        for (const key of keys) for (const id of index.sortedIds(key)) union.add(id);
        ids = [...union].sort();
      }
      if (best === null || ids.length < best.length) best = ids;
      if (best.length === 0) break;
    }
    return best;
  }

  private index(path: string): EqualityIndex {
    let index = this.indexes.get(path);
    if (!index) {
      index = new EqualityIndex(path);
      for (const [id, entry] of this.entries) index.add(id, entry.data);
      this.indexes.set(path, index);
    }
    return index;
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

  /**
   * Every document as it is stored, for a snapshot of the read models; `exotic` when its
   * data holds values JSON cannot carry (dates, maps, buffers).
   */
  documents(): (StoredDocument & { exotic: boolean })[] {
    return [...this.entries].map(([id, entry]) => ({
      id,
      data: entry.data,
      version: entry.version,
      applied: appliedRecord(pairsOf(entry)),
      exotic: entry.exotic,
    }));
  }

  /** Empties the collection for a restore; indexes declared meanwhile are kept. */
  clearForRestore(): void {
    this.entries.clear();
    this.sortedIds = null;
    this.indexes.clear();
    this.writes++;
  }

  /**
   * One document of a snapshot. Copied, not frozen where it is: an object made by JSON.parse
   * and then frozen took about 130 bytes more than a copy (a million timeline entries: 576
   * against 446 MB of heap), and a snapshot is read a document at a time, so the parsed one
   * is garbage at once.
   */
  restoreDocument(doc: StoredDocument): void {
    const copied = frozenCopy(doc.data, this.recent);
    const key = keyOf(doc.id, copied.value);
    if (!this.entries.has(key)) this.sortedIds = null;
    for (const index of this.indexes.values()) {
      const current = this.entries.get(key);
      if (current) index.remove(key, current.data);
      index.add(key, copied.value);
    }
    this.entries.set(
      key,
      entryOf(copied.value, copied.exotic, doc.version, appliedPairs(doc.applied)),
    );
    this.writes++;
  }

  private toStored(id: string, entry: Entry): StoredDocument<T> {
    let applied: Record<string, number> | undefined;
    return {
      id,
      data: (entry.exotic ? structuredClone(entry.data) : entry.data) as T,
      version: entry.version,
      // built on first use: lists and queries seldom look at it
      get applied() {
        return (applied ??= Object.freeze(appliedRecord(pairsOf(entry))));
      },
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

  /** Every collection with its documents, for a snapshot of the read models. */
  snapshot(): { name: string; documents: (StoredDocument & { exotic: boolean })[] }[] {
    return [...this.collections.values()].map((c) => ({ name: c.name, documents: c.documents() }));
  }

  /** Empties every collection, before a snapshot is taken back a document at a time. */
  clearForRestore(): void {
    for (const collection of this.collections.values()) collection.clearForRestore();
  }

  /**
   * One document of a snapshot into its collection, handed over: a big snapshot is taken
   * back as it is read, never held whole beside the collections it fills.
   */
  restoreDocument(collection: string, doc: StoredDocument): void {
    (this.collection(collection) as unknown as InMemoryCollection<DocumentData>).restoreDocument(
      doc,
    );
  }

  async close(): Promise<void> {
    this.collections.clear();
  }
}
