/**
 * Canonical JSON in the style of RFC 8785 (JCS): object keys sorted by UTF-16 code units,
 * no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them. Two
 * differences on purpose: bigints are written as decimal strings (revisions and positions
 * are bigint), and `undefined` members are dropped as JSON.stringify drops them, so a value
 * hashes the same before it is stored and after it is read back.
 */
export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  const out = write(value, []);
  if (out === undefined)
    throw new CanonicalJsonError('A top-level value must be JSON-serialisable');
  return out;
}

/** The JSON value a store keeps: what `canonicalJson` describes, as plain data. */
export function toStoredJson<T>(value: T): T {
  return JSON.parse(canonicalJson(value)) as T;
}

/**
 * `value`'s canonical JSON and the plain data that JSON parses back to, from one walk: the
 * walk copies `value` with every object's keys in sorted order, and JSON.stringify writes
 * such a copy canonically at native speed. Objects with a key that JavaScript orders before
 * the others whatever the insertion order (an array index) are written by `canonicalJson`.
 */
export function canonicalCopy(value: unknown): { json: string; value: unknown } {
  const walk = { indexKeys: false };
  const copied = copy(value, [], walk);
  if (copied === undefined)
    throw new CanonicalJsonError('A top-level value must be JSON-serialisable');
  return { json: walk.indexKeys ? canonicalJson(copied) : JSON.stringify(copied), value: copied };
}

// Up to this many keys, sorted by insertion (quadratic: a large object takes the built-in sort).
const INSERTION_SORT_KEYS = 32;

/**
 * Sorts an object's keys in place by UTF-16 code units, as `Array.prototype.sort` does, by
 * insertion when they are few: an object has few keys, often already in order, and the
 * built-in sort allocates working arrays for every call (about as many bytes per stored event
 * as its text).
 */
function sortKeys(keys: string[]): void {
  if (keys.length > INSERTION_SORT_KEYS) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i];
    let j = i - 1;
    if (keys[j] < key) continue;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j -= 1;
    }
    keys[j + 1] = key;
  }
}

/** `write`'s rules, building the parsed-back value instead of the text. */
function copy(value: unknown, path: object[], walk: { indexKeys: boolean }): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`Number ${value} has no JSON form`);
      // -0 is written 0, and parses back as 0
      return value === 0 ? 0 : value;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  const withToJson = object as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return copy(withToJson.toJSON(), path, walk);
  if (path.includes(object)) throw new CanonicalJsonError('Cyclic value has no JSON form');
  path.push(object);
  let out: unknown;
  if (Array.isArray(object)) {
    const items = new Array<unknown>(object.length);
    for (let index = 0; index < object.length; index += 1)
      items[index] = copy(object[index], path, walk) ?? null;
    out = items;
  } else {
    const keys = Object.keys(object);
    sortKeys(keys);
    const members: Record<string, unknown> = {};
    for (const key of keys) {
      const member = copy((object as Record<string, unknown>)[key], path, walk);
      if (member === undefined) continue;
      const first = key.charCodeAt(0);
      if (first >= 48 && first <= 57) walk.indexKeys = true;
      // as JSON.parse makes it: an own member, never the prototype
      if (key === '__proto__')
        Object.defineProperty(members, key, {
          value: member,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else members[key] = member;
    }
    out = members;
  }
  path.pop();
  return out;
}

// A key JSON.stringify writes unchanged between quotes (printable ASCII but " and \): most
// keys, written without a call.
const PLAIN_KEY = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * Every stored event is written here, so this is built for speed: one string built in place
 * rather than arrays of parts joined. `path` holds the objects being written (a cycle would
 * recurse forever); values are seldom deep, so a list is enough.
 */
function write(value: unknown, path: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`Number ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'bigint':
      return `"${value.toString()}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      // undefined, functions and symbols have no JSON form.
      return undefined;
  }
  if (value === null) return 'null';
  const object = value as object;
  const withToJson = object as { toJSON?: () => unknown };
  // Dates and similar values define their own JSON form.
  if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON(), path);
  if (path.includes(object)) throw new CanonicalJsonError('Cyclic value has no JSON form');
  // Not restored when a member throws: the error ends the whole call.
  path.push(object);
  let out: string;
  if (Array.isArray(object)) {
    out = '[';
    for (let index = 0; index < object.length; index += 1) {
      if (index > 0) out += ',';
      // Holes and members without a JSON form are null, as JSON.stringify writes them.
      out += write(object[index], path) ?? 'null';
    }
    out += ']';
  } else {
    const keys = Object.keys(object);
    sortKeys(keys);
    out = '{';
    for (const key of keys) {
      const member = write((object as Record<string, unknown>)[key], path);
      if (member === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${PLAIN_KEY.test(key) ? `"${key}"` : JSON.stringify(key)}:${member}`;
    }
    out += '}';
  }
  path.pop();
  return out;
}
