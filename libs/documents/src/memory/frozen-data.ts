/**
 * Stored documents are kept deeply frozen, so reads can hand them out without copying: a
 * caller that tries to change what it read gets a TypeError instead of changing the store.
 * A write copies only what is not already stored data; a document read, spread and changed
 * shares its untouched parts with the version before.
 */

/** Objects and arrays this module froze itself, with everything under them. */
const frozen = new WeakSet<object>();

export interface FrozenCopy<T> {
  value: T;
  /** Holds values freezing cannot protect (dates, maps, buffers): reads copy those documents. */
  exotic: boolean;
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

export function frozenCopy<T>(value: T): FrozenCopy<T> {
  const state = { exotic: false };
  const copied = copyInto(value, state) as T;
  return { value: copied, exotic: state.exotic };
}

function copyInto(value: unknown, state: { exotic: boolean }): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (frozen.has(value)) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyInto(value[i], state);
    frozen.add(Object.freeze(out));
    return out;
  }
  if (!isPlainObject(value)) {
    state.exotic = true;
    return structuredClone(value);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = copyInto((value as Record<string, unknown>)[key], state);
    // an own "__proto__" (as JSON.parse makes) stays a field, not the prototype
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: field, enumerable: true, writable: true });
    else out[key] = field;
  }
  frozen.add(Object.freeze(out));
  return out;
}
