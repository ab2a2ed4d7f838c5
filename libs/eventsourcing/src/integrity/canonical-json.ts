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
    if (keys.length > 1) keys.sort();
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
