/**
 * The read-model port: named collections of JSON documents with optimistic versions and a
 * record of which event-stream revisions each document already reflects (the revision
 * guard of projections). Adapters: mongoose (MongoDB wire protocol) and in-memory.
 */

export type DocumentData = Record<string, unknown>;

export interface StoredDocument<T extends DocumentData = DocumentData> {
  id: string;
  data: T;
  /** Increments on every write; 1 after the first. */
  version: number;
  /** Per source stream, the last revision this document reflects. */
  applied: Record<string, number>;
}

export type Scalar = string | number | boolean | null;

export interface FieldCondition {
  $eq?: Scalar;
  $ne?: Scalar;
  $in?: Scalar[];
  $nin?: Scalar[];
  $gt?: string | number;
  $gte?: string | number;
  $lt?: string | number;
  $lte?: string | number;
  $exists?: boolean;
}

/**
 * Field (dotted path into `data`) to a value or a condition, all of which must hold. On an
 * array field a value matches when any element matches, as in MongoDB.
 */
export type Filter = Record<string, Scalar | FieldCondition>;

export interface SortOrder {
  /** Dotted path into `data`; documents without a string or number there are left out. */
  field: string;
  direction?: 'asc' | 'desc';
}

export interface FindOptions {
  filter?: Filter;
  /** 1-500; default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
  /** Default: by id, ascending. Ties break on id. */
  sort?: SortOrder;
}

export interface Page<T extends DocumentData> {
  items: StoredDocument<T>[];
  nextCursor: string | null;
}

/** Marks a write as the effect of one event of one stream. */
export interface AppliedEvent {
  streamId: string;
  revision: bigint | number;
}

export interface WriteOptions {
  /** The version the caller read; 0 means the document must not exist yet. */
  expectedVersion?: number;
  /** The event (or, for a write that stands for several, the events) the write reflects. */
  applied?: AppliedEvent | readonly AppliedEvent[];
}

/** The events a write reflects, as a list. */
export const appliedEvents = (applied: WriteOptions['applied']): readonly AppliedEvent[] =>
  applied === undefined ? [] : 'streamId' in applied ? [applied] : applied;

export type WriteOutcome =
  { written: true; version: number } | { written: false; reason: 'version-conflict' };

export interface IndexSpec {
  /** Dotted paths into `data`, in order. */
  fields: string[];
  unique?: boolean;
}

/** One write of a `writeMany`, guarded by the version the writer read (0: must not exist). */
export type DocumentWrite<T extends DocumentData = DocumentData> =
  | {
      kind: 'upsert';
      id: string;
      data: T;
      expectedVersion: number;
      applied?: WriteOptions['applied'];
    }
  | { kind: 'delete'; id: string; expectedVersion: number };

export interface DocumentCollection<T extends DocumentData = DocumentData> {
  readonly name: string;
  get(id: string): Promise<StoredDocument<T> | null>;
  /** Creates or replaces the document's data; refused when `expectedVersion` does not hold. */
  upsert(id: string, data: T, options?: WriteOptions): Promise<WriteOutcome>;
  /** True when a document was removed. */
  delete(id: string, options?: { expectedVersion?: number }): Promise<boolean>;
  /**
   * Several guarded writes, in order, in one round trip, for stores where a round trip is
   * what a write costs (absent elsewhere). True when every write found its expected version;
   * when one did not (or an index refused one), false, and the others may have been made.
   */
  writeMany?(writes: DocumentWrite<T>[]): Promise<boolean>;
  find(options?: FindOptions): Promise<Page<T>>;
  count(filter?: Filter): Promise<number>;
  /** Removes every document the filter matches (at least one condition); how many went. */
  deleteMany(filter: Filter): Promise<number>;
  ensureIndexes(indexes: IndexSpec[]): Promise<void>;
  /** Removes every document (and the adapter's indexes). */
  drop(): Promise<void>;
  /**
   * A number that changes on every write to the collection, for stores that can tell it
   * without a round trip (the in-memory one); absent elsewhere. Lets a reader reuse an answer
   * built from the collection as long as nothing was written since.
   */
  writeMark?(): number;
}

export interface DocumentStore {
  collection<T extends DocumentData = DocumentData>(name: string): DocumentCollection<T>;
  close(): Promise<void>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super('The cursor is not one this list returned');
    this.name = 'InvalidCursorError';
  }
}

/** A unique index refused a write. */
export class DuplicateKeyError extends Error {
  constructor(
    readonly collection: string,
    readonly fields: string[],
  ) {
    super(`${collection}: another document has the same ${fields.join(', ')}`);
    this.name = 'DuplicateKeyError';
  }
}

export class InvalidQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQueryError';
  }
}

export const pageSize = (limit: number | undefined): number => {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidQueryError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
};

export const revisionNumber = (revision: bigint | number): number => {
  const n = Number(revision);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`Revision ${String(revision)} is out of range`);
  return n;
};

export const COLLECTION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
export const assertCollectionName = (name: string): void => {
  if (!COLLECTION_NAME.test(name)) throw new InvalidQueryError(`Invalid collection name "${name}"`);
};

const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
export const assertFieldPath = (path: string): void => {
  if (!FIELD_PATH.test(path)) throw new InvalidQueryError(`Invalid field "${path}"`);
};

/** Cursor: where the previous page ended, opaque to callers. */
export interface CursorPosition {
  /** Sort value of the last item (absent when sorting by id). */
  v?: string | number;
  id: string;
}

export const encodeCursor = (position: CursorPosition): string =>
  Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

export function decodeCursor(cursor: string, bySortField: boolean): CursorPosition {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPosition;
    const okValue = bySortField
      ? typeof parsed.v === 'string' || typeof parsed.v === 'number'
      : parsed.v === undefined;
    if (typeof parsed.id === 'string' && okValue) return parsed;
  } catch {
    // fall through
  }
  throw new InvalidCursorError(cursor);
}

const CONDITION_KEYS = new Set([
  '$eq',
  '$ne',
  '$in',
  '$nin',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$exists',
]);

/** A filter for deleteMany: a valid one with at least one condition (drop empties a collection). */
export function assertDeleteFilter(filter: Filter): void {
  assertFilter(filter);
  if (Object.keys(filter).length === 0)
    throw new InvalidQueryError('deleteMany needs at least one condition; drop removes all');
}

/** Refuses what the adapters would read differently (operators outside the supported set). */
export function assertFilter(filter: Filter): void {
  for (const [path, condition] of Object.entries(filter)) {
    assertFieldPath(path);
    if (condition !== null && typeof condition === 'object') {
      if (Array.isArray(condition))
        throw new InvalidQueryError(`Field "${path}": use $in for a list of values`);
      for (const key of Object.keys(condition)) {
        if (!CONDITION_KEYS.has(key))
          throw new InvalidQueryError(`Field "${path}": unsupported operator ${key}`);
      }
    }
  }
}
