/**
 * MongoDB's matching rules for the filter subset of the port, so the in-memory adapter
 * answers exactly as the mongoose one does (the contract suite runs both).
 */
import type { DocumentData, FieldCondition, Filter, Scalar } from '../document-store';

/** Every value a dotted path reaches; arrays along the way are walked element by element. */
export function valuesAt(data: unknown, path: string): unknown[] {
  // A top-level field of a document, the usual case, without walking a path.
  if (
    !path.includes('.') &&
    data !== null &&
    typeof data === 'object' &&
    !Array.isArray(data) &&
    path in data
  ) {
    const value = (data as Record<string, unknown>)[path];
    if (value === undefined) return [];
    return Array.isArray(value) ? [value, ...value].filter((v) => v !== undefined) : [value];
  }
  let current: unknown[] = [data];
  for (const segment of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value)) {
        const index = /^\d+$/.test(segment) ? Number(segment) : NaN;
        if (!Number.isNaN(index) && index < value.length) next.push(value[index]);
        for (const element of value) {
          if (
            element !== null &&
            typeof element === 'object' &&
            !Array.isArray(element) &&
            segment in element
          ) {
            next.push((element as Record<string, unknown>)[segment]);
          }
        }
      } else if (value !== null && typeof value === 'object' && segment in (value as object)) {
        next.push((value as Record<string, unknown>)[segment]);
      }
    }
    current = next;
  }
  // a leaf array matches through its elements as well as whole
  return current
    .flatMap((v) => (Array.isArray(v) ? [v, ...v] : [v]))
    .filter((v) => v !== undefined);
}

const equals = (candidates: unknown[], expected: Scalar): boolean =>
  expected === null
    ? candidates.length === 0 || candidates.includes(null)
    : candidates.includes(expected);

const comparable = (a: unknown, b: string | number): boolean =>
  (typeof a === 'number' && typeof b === 'number') ||
  (typeof a === 'string' && typeof b === 'string');

function matchesCondition(candidates: unknown[], condition: FieldCondition): boolean {
  const leaves = candidates.filter((c) => !Array.isArray(c));
  const any = (test: (v: string | number) => boolean, bound: string | number) =>
    leaves.some((c) => comparable(c, bound) && test(c as string | number));
  for (const [op, operand] of Object.entries(condition) as [keyof FieldCondition, unknown][]) {
    switch (op) {
      case '$eq':
        if (!equals(candidates, operand as Scalar)) return false;
        break;
      case '$ne':
        if (equals(candidates, operand as Scalar)) return false;
        break;
      case '$in':
        if (!(operand as Scalar[]).some((v) => equals(candidates, v))) return false;
        break;
      case '$nin':
        if ((operand as Scalar[]).some((v) => equals(candidates, v))) return false;
        break;
      case '$gt':
        if (!any((v) => v > (operand as string | number), operand as string | number)) return false;
        break;
      case '$gte':
        if (!any((v) => v >= (operand as string | number), operand as string | number))
          return false;
        break;
      case '$lt':
        if (!any((v) => v < (operand as string | number), operand as string | number)) return false;
        break;
      case '$lte':
        if (!any((v) => v <= (operand as string | number), operand as string | number))
          return false;
        break;
      case '$exists':
        if (candidates.length > 0 !== Boolean(operand)) return false;
        break;
    }
  }
  return true;
}

export function matches(data: DocumentData, filter: Filter): boolean {
  return Object.entries(filter).every(([path, condition]) => {
    const candidates = valuesAt(data, path);
    return condition !== null && typeof condition === 'object'
      ? matchesCondition(candidates, condition)
      : equals(candidates, condition);
  });
}

/** The sort key of a document: a top-level string or number at the path, else none. */
export function sortValue(data: DocumentData, path: string): string | number | undefined {
  let current: unknown = data;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return typeof current === 'string' || typeof current === 'number' ? current : undefined;
}

/** MongoDB order for the sort subset: numbers before strings; strings by code point (binary). */
export function compareSortValues(a: string | number, b: string | number): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
