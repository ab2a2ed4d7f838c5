import { canonicalCopy, canonicalJson, CanonicalJsonError, toStoredJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('matches the RFC 8785 example for numbers, strings and literals', () => {
    const value = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(value)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('orders keys by UTF-16 code units, as RFC 8785 does', () => {
    // U+1F600 is a surrogate pair starting 0xD83D, which sorts before U+FB33.
    expect(canonicalJson({ '\ufb33': 1, '\u{1f600}': 2, é: 3, z: 4, '1': 5 })).toBe(
      '{"1":5,"z":4,"\u00e9":3,"\u{1f600}":2,"\ufb33":1}',
    );
  });

  it('orders keys given in any order as the built-in sort does', () => {
    const pool = ['b', 'a', 'aa', 'A', 'Z', '_', 'é', '\u{1f600}', '\ufb33', 'ab', 'a b', '~', ''];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let round = 0; round < 200; round += 1) {
      const keys = pool.filter(() => next() % 3 > 0);
      for (let i = keys.length - 1; i > 0; i -= 1) {
        const j = next() % (i + 1);
        [keys[i], keys[j]] = [keys[j], keys[i]];
      }
      // Now and then a large object, past the keys sorted by insertion.
      if (round % 50 === 0) for (let k = 0; k < 40; k += 1) keys.push(`k${(k * 37) % 40}x`);
      const value = Object.fromEntries(keys.map((key) => [key, { [key]: 1, z: 2, a: 3 }]));
      const sorted = [...keys].sort();
      expect(Object.keys(JSON.parse(canonicalJson(value)))).toEqual(sorted);
      expect(Object.keys(canonicalCopy(value).value as object)).toEqual(sorted);
    }
  });

  it('writes bigints as decimal strings', () => {
    expect(canonicalJson({ revision: 2n ** 63n - 1n, list: [1n] })).toBe(
      '{"list":["1"],"revision":"9223372036854775807"}',
    );
  });

  it('drops undefined members and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1], c: () => 1 })).toBe('{"b":[null,1]}');
  });

  it('writes array holes as null, like JSON.stringify', () => {
    const holes: unknown[] = [1];
    holes[3] = 2;
    expect(canonicalJson(holes)).toBe('[1,null,null,2]');
    expect(toStoredJson(holes)).toEqual([1, null, null, 2]);
  });

  it('escapes keys as JSON.stringify does', () => {
    const keys = ['a"b', 'back\\slash', 'tab\t', '\u007f', '\u2028', 'é', '\ud800', '~ !#[]'];
    const value = Object.fromEntries(keys.map((key, n) => [key, n]));
    const expected = [...keys]
      .sort()
      .map((key) => `${JSON.stringify(key)}:${keys.indexOf(key)}`)
      .join(',');
    expect(canonicalJson(value)).toBe(`{${expected}}`);
  });

  it('uses toJSON (dates become ISO strings)', () => {
    expect(canonicalJson({ at: new Date('2024-01-02T03:04:05.006Z') })).toBe(
      '{"at":"2024-01-02T03:04:05.006Z"}',
    );
  });

  it('refuses values without a JSON form', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(undefined)).toThrow(CanonicalJsonError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(CanonicalJsonError);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('gives the stored form: plain JSON data that hashes the same again', () => {
    const stored = toStoredJson({ big: 5n, when: new Date(0), gone: undefined, list: [1, 'a'] });
    expect(stored).toEqual({ big: '5', when: '1970-01-01T00:00:00.000Z', list: [1, 'a'] });
    expect(canonicalJson(stored)).toBe(
      canonicalJson({ big: 5n, when: new Date(0), list: [1, 'a'] }),
    );
  });
});

describe('canonicalCopy', () => {
  // Every case: the text is canonicalJson's, the value what that text parses back to.
  const cases: Record<string, unknown> = {
    'nested objects with unsorted keys': { b: { d: [3, { z: 1, a: 2 }], c: 'x' }, a: null },
    'keys in UTF-16 code unit order': { '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, é: 4, a: 5 },
    'array-index keys, which JavaScript moves first': { b: 1, '10': 2, '9': 3, '1a': 4 },
    'bigints, dates, undefined members and holes': {
      big: 2n ** 64n,
      at: new Date(0),
      gone: undefined,
      list: [undefined, () => 1, , 'x'], // eslint-disable-line no-sparse-arrays
    },
    'minus zero and large numbers': { z: -0, e: 1e21, f: 0.1 },
    'escaped strings and keys': { 'a"b': 'line\nbreak \ud800 \u0000', '\\': '\\' },
    'a top-level string': 'plain',
    'a top-level array': [{ b: 1, a: 2 }],
  };
  it.each(Object.entries(cases))('%s', (_name, value) => {
    const { json, value: copied } = canonicalCopy(value);
    expect(json).toBe(canonicalJson(value));
    expect(copied).toEqual(JSON.parse(json));
    expect(JSON.stringify(copied)).toBe(JSON.stringify(JSON.parse(json)));
  });

  it('keeps a __proto__ key as a member, as JSON.parse does', () => {
    const value = JSON.parse('{"__proto__":{"admin":true},"b":1}') as object;
    const { json, value: copied } = canonicalCopy(value);
    expect(json).toBe('{"__proto__":{"admin":true},"b":1}');
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.hasOwn(copied as object, '__proto__')).toBe(true);
  });

  it('copies: later changes to the value do not reach the copy', () => {
    const value = { list: [1], inner: { a: 1 } };
    const { value: copied } = canonicalCopy(value);
    value.list.push(2);
    value.inner.a = 2;
    expect(copied).toEqual({ inner: { a: 1 }, list: [1] });
  });

  it('refuses what canonicalJson refuses', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = [cyclic];
    for (const bad of [{ n: Number.NaN }, Number.NEGATIVE_INFINITY, undefined, cyclic])
      expect(() => canonicalCopy(bad)).toThrow(CanonicalJsonError);
  });
});
