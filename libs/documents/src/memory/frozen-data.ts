/**
 * Stored documents are kept deeply frozen, so reads can hand them out without copying: a
 * caller that tries to change what it read gets a TypeError instead of changing the store.
 * A write copies only what is not already deeply frozen; a document read, spread and changed
 * shares its untouched parts with the version before.
 */

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

const setField = (out: Record<string, unknown>, key: string, value: unknown): void => {
  // an own "__proto__" (as JSON.parse makes) stays a field, not the prototype
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true });
  else out[key] = value;
};

/**
 * A frozen array or plain object whose every part is frozen too (plain data, no accessors
 * in JSON documents) cannot change under anyone: it is shared, not copied. Anything else is
 * copied and frozen.
 */
function copyInto(value: unknown, state: { exotic: boolean }): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = Object.isFrozen(value) ? null : new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      const copied = copyInto(element, state);
      if (out) out[i] = copied;
      else if (copied !== element) {
        out = value.slice();
        out[i] = copied;
      }
    }
    return out ? Object.freeze(out) : value;
  }
  if (!isPlainObject(value)) {
    state.exotic = true;
    return structuredClone(value);
  }
  const source = value as Record<string, unknown>;
  let out: Record<string, unknown> | null = Object.isFrozen(source) ? null : { ...source };
  for (const key of Object.keys(source)) {
    const field = source[key];
    if (field === null || typeof field !== 'object') continue;
    const copied = copyInto(field, state);
    if (out) setField(out, key, copied);
    else if (copied !== field) {
      out = { ...source };
      setField(out, key, copied);
    }
  }
  return out ? Object.freeze(out) : value;
}

/**
 * Freezes data that nobody else holds (just deserialised from a snapshot) where it is,
 * without the copy `frozenCopy` makes: half the memory while a large snapshot is taken in.
 */
export function frozenInPlace<T>(value: T): FrozenCopy<T> {
  const state = { exotic: false };
  freezeInto(value, state);
  return { value, exotic: state.exotic };
}

function freezeInto(value: unknown, state: { exotic: boolean }): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  if (Array.isArray(value)) {
    for (const element of value) freezeInto(element, state);
  } else if (!isPlainObject(value)) {
    // dates, maps, buffers: freezing cannot protect them, reads hand out copies
    state.exotic = true;
    return;
  } else {
    for (const key of Object.keys(value))
      freezeInto((value as Record<string, unknown>)[key], state);
  }
  Object.freeze(value);
}
