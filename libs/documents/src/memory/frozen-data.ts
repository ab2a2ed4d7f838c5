/**
 * Stored documents are kept deeply frozen, so reads can hand them out without copying: a
 * caller that tries to change what it read gets a TypeError instead of changing the store.
 * A write copies only what is not already deeply frozen; a document read, spread and changed
 * shares its untouched parts with the version before.
 */

import type { RecentValues } from './recent-values';

export interface FrozenCopy<T> {
  value: T;
  /** Holds values freezing cannot protect (dates, maps, buffers): reads copy those documents. */
  exotic: boolean;
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

interface CopyState {
  exotic: boolean;
  /** Where equal strings and small composites met lately are found again, if anywhere. */
  recent: RecentValues | null;
}

/** `recent`: share what equals a value met lately instead of keeping another copy. */
export function frozenCopy<T>(value: T, recent: RecentValues | null = null): FrozenCopy<T> {
  const state: CopyState = { exotic: false, recent };
  const copied = copyInto(value, state) as T;
  return { value: copied, exotic: state.exotic };
}

const setField = (out: Record<string, unknown>, key: string, value: unknown): void => {
  // an own "__proto__" (as JSON.parse makes) stays a field, not the prototype
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true });
  else out[key] = value;
};

/**
 * A frozen array or plain object whose every part is frozen too (plain data, no accessors
 * in JSON documents) cannot change under anyone: it is shared, not copied. Anything else is
 * copied and frozen; in a copy, strings and small composites equal to ones met lately are
 * shared with the documents that had them first.
 */
function copyInto(value: unknown, state: CopyState): unknown {
  if (typeof value === 'string') return state.recent ? state.recent.string(value) : value;
  if (value === null || typeof value !== 'object') return value;
  const exoticBefore = state.exotic;
  if (Array.isArray(value)) {
    let out: unknown[] | null = Object.isFrozen(value) ? null : new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (!out && typeof element === 'string') continue;
      const copied = copyInto(element, state);
      if (out) out[i] = copied;
      else if (copied !== element) {
        out = value.slice();
        out[i] = copied;
      }
    }
    return out ? shared(Object.freeze(out), state, exoticBefore) : value;
  }
  if (!isPlainObject(value)) {
    state.exotic = true;
    return structuredClone(value);
  }
  const source = value as Record<string, unknown>;
  let out: Record<string, unknown> | null = Object.isFrozen(source) ? null : { ...source };
  for (const key of Object.keys(source)) {
    const field = source[key];
    if (field === null || typeof field !== 'object') {
      if (out && typeof field === 'string' && state.recent)
        setField(out, key, state.recent.string(field));
      continue;
    }
    const copied = copyInto(field, state);
    if (out) setField(out, key, copied);
    else if (copied !== field) {
      out = { ...source };
      setField(out, key, copied);
    }
  }
  return out ? shared(Object.freeze(out), state, exoticBefore) : value;
}

/** The frozen copy, or an equal one met lately when it holds nothing exotic. */
function shared<T extends object>(copy: T, state: CopyState, exoticBefore: boolean): T {
  // a part cloned from a date or a map is frozen in nothing: it is never shared
  if (!state.recent || state.exotic !== exoticBefore) return copy;
  return state.recent.composite(copy);
}
