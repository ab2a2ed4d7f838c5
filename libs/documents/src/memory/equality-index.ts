/**
 * Ids of a collection's documents by the values found at one path (a field, or the elements
 * of an array field), so a find with equality on that path visits only those documents.
 */
import type { DocumentData, FieldCondition, Filter, Scalar } from '../document-store';
import { valuesAt } from './filter-matching';

type Key = string | number | boolean;

interface Bucket {
  ids: Set<string>;
  /** The ids in order, kept until the bucket changes. */
  sorted: string[] | null;
}

/** The scalar values at `path`: what an equality on a non-null value can match. */
function keysAt(data: DocumentData, path: string): Set<Key> {
  const keys = new Set<Key>();
  for (const value of valuesAt(data, path)) {
    const type = typeof value;
    if (type === 'string' || type === 'number' || type === 'boolean') keys.add(value as Key);
  }
  return keys;
}

export class EqualityIndex {
  private readonly buckets = new Map<Key, Bucket>();

  constructor(readonly path: string) {}

  add(id: string, data: DocumentData): void {
    for (const key of keysAt(data, this.path)) {
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = { ids: new Set(), sorted: null };
        this.buckets.set(key, bucket);
      }
      if (!bucket.ids.has(id)) {
        bucket.ids.add(id);
        bucket.sorted = null;
      }
    }
  }

  remove(id: string, data: DocumentData): void {
    for (const key of keysAt(data, this.path)) {
      const bucket = this.buckets.get(key);
      if (!bucket?.ids.delete(id)) continue;
      if (bucket.ids.size === 0) this.buckets.delete(key);
      else bucket.sorted = null;
    }
  }

  /** Ids of the documents holding `key` at the path, in order; shared, not to be changed. */
  sortedIds(key: Key): readonly string[] {
    const bucket = this.buckets.get(key);
    if (!bucket) return [];
    return (bucket.sorted ??= [...bucket.ids].sort());
  }

  size(key: Key): number {
    return this.buckets.get(key)?.ids.size ?? 0;
  }
}

/**
 * The values a condition on one path requires the document to hold one of, when that can be
 * answered from an index: equality on a non-null scalar, or `$in` of non-null scalars. Null
 * also matches a missing field, which an index of present values cannot answer.
 */
export function requiredKeys(condition: Scalar | FieldCondition): Key[] | null {
  const usable = (v: unknown): v is Key =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (condition === null) return null;
  if (typeof condition !== 'object') return usable(condition) ? [condition] : null;
  if (condition.$eq !== undefined) return usable(condition.$eq) ? [condition.$eq] : null;
  if (condition.$in !== undefined)
    return condition.$in.every(usable) ? [...new Set(condition.$in)] : null;
  return null;
}

/** The paths of a filter an index could narrow. */
export function indexablePaths(filter: Filter): string[] {
  return Object.entries(filter)
    .filter(([, condition]) => requiredKeys(condition) !== null)
    .map(([path]) => path);
}
