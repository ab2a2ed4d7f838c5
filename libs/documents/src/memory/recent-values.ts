/**
 * Equal values met lately, so that a collection keeps one copy of what its documents repeat:
 * the stream, actor, event type and date a timeline entry has in common with its neighbours,
 * the one-need list of every entry of that need. Without it a million entries read back
 * from a snapshot held a million copies of each (about 1.3 GB of heap instead of 0.6 GB).
 *
 * Bounded: each table is dropped once it holds LIMIT values, so values met once (ids,
 * hashes) cost a lookup and no lasting memory, while those repeated nearby are found again.
 */
const LIMIT = 4096;
/** Longer strings, and composites with a longer text, are rarely repeated word for word. */
const MAX_LENGTH = 256;
/** Composites with more members than this are kept as they are (documents themselves). */
const MAX_MEMBERS = 8;

export class RecentValues {
  private strings = new Map<string, string>();
  private composites = new Map<string, object>();

  /** An equal string met lately, else this one (remembered). */
  string(value: string): string {
    if (value.length > MAX_LENGTH) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size >= LIMIT) this.strings = new Map();
    this.strings.set(value, value);
    return value;
  }

  /**
   * An equal array or plain object met lately, else this one (remembered). Only for deeply
   * frozen plain data: what is shared must not change under any of the documents holding it.
   */
  composite<T extends object>(value: T): T {
    const key = textOf(value, MAX_MEMBERS);
    if (key === null || key.length > MAX_LENGTH) return value;
    const known = this.composites.get(key);
    if (known !== undefined) return known as T;
    if (this.composites.size >= LIMIT) this.composites = new Map();
    this.composites.set(key, value);
    return value;
  }
}

/**
 * The value's JSON when JSON tells it apart from every other value (no undefined, NaN,
 * infinities, -0 or non-plain objects, which JSON would blur), else null.
 */
function textOf(value: object, maxMembers: number): string | null {
  return faithful(value, maxMembers) ? JSON.stringify(value) : null;
}

function faithful(value: unknown, maxMembers: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        if (value.length > maxMembers) return false;
        for (let i = 0; i < value.length; i++)
          if (!(i in value) || !faithful(value[i], maxMembers)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      const keys = Object.keys(value);
      if (keys.length > maxMembers || Object.getOwnPropertySymbols(value).length > 0) return false;
      for (const key of keys)
        if (!faithful((value as Record<string, unknown>)[key], maxMembers)) return false;
      return true;
    }
    default:
      return false;
  }
}
