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
  const out = write(value, new Set());
  if (out === undefined)
    throw new CanonicalJsonError('A top-level value must be JSON-serialisable');
  return out;
}

function write(value: unknown, path: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`Number ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      break;
  }
  if (value === null) return 'null';
  const object = value as object;
  const withToJson = object as { toJSON?: () => unknown };
  // Dates and similar values define their own JSON form.
  if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON(), path);
  if (path.has(object)) throw new CanonicalJsonError('Cyclic value has no JSON form');
  path.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item) => write(item, path) ?? 'null').join(',')}]`;
    }
    const members: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const member = write((object as Record<string, unknown>)[key], path);
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    path.delete(object);
  }
}

/** The JSON value a store keeps: what `canonicalJson` describes, as plain data. */
export function toStoredJson<T>(value: T): T {
  return JSON.parse(canonicalJson(value)) as T;
}
