import { MAX_JSON_DEPTH, screenJsonBody } from './json-screen';
import { corsOrigins } from './cors';
import { redactUrl } from './redaction';

describe('screenJsonBody', () => {
  it('lets ordinary bodies through, however wide', () => {
    expect(screenJsonBody(undefined)).toBeNull();
    expect(
      screenJsonBody({ a: [1, 'two', { b: null, c: true }], d: 2.5, e: -9007199254740991 }),
    ).toBeNull();
    expect(screenJsonBody({ items: Array.from({ length: 10_000 }, (_, i) => ({ i })) })).toBeNull();
  });

  it('names the first key that reaches a prototype', () => {
    expect(screenJsonBody(JSON.parse('{"a": [{"__proto__": {"x": 1}}]}'))?.field).toBe(
      'a.0.__proto__',
    );
    expect(screenJsonBody({ constructor: { prototype: {} } })?.field).toBe('constructor');
    expect(screenJsonBody({ ok: { prototype: 1 } })?.constraints).toHaveProperty('forbiddenKey');
  });

  it('refuses nesting beyond the limit without exhausting the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const problem = screenJsonBody({ top: deep });
    expect(problem?.constraints).toHaveProperty('maxDepth');
    expect(problem?.field.split('.')).toHaveLength(MAX_JSON_DEPTH);
    let fine: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH - 1; i++) fine = { n: fine };
    expect(screenJsonBody(fine)).toBeNull();
  });

  it('refuses numbers that cannot be held exactly and text no store keeps', () => {
    expect(screenJsonBody({ n: Infinity })?.field).toBe('n');
    expect(screenJsonBody({ n: 2 ** 60 })?.constraints).toHaveProperty('numberRange');
    expect(screenJsonBody({ n: [NaN] })?.field).toBe('n.0');
    expect(screenJsonBody({ t: 'a\u0000b' })?.constraints).toHaveProperty('text');
    expect(screenJsonBody({ t: 'a\ud800b' })?.field).toBe('t');
    expect(screenJsonBody({ t: 'emoji 😷 and \u202e are text' })).toBeNull();
  });
});

describe('corsOrigins', () => {
  it('reads a comma-separated list; empty means none', () => {
    expect(corsOrigins(undefined)).toEqual([]);
    expect(corsOrigins('')).toEqual([]);
    expect(corsOrigins('https://a.eu, http://localhost:5173')).toEqual([
      'https://a.eu',
      'http://localhost:5173',
    ]);
  });
});

describe('redactUrl', () => {
  it('hides credential-named query values and anything shaped like a token', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
    expect(redactUrl('/needs?limit=5&access_token=abc&Region=ES11')).toBe(
      '/needs?limit=5&access_token=[redacted]&Region=ES11',
    );
    expect(redactUrl(`/needs/${jwt}/history`)).toBe('/needs/[redacted]/history');
    expect(redactUrl(`/x?q=${jwt}&API_KEY=k&password=p&%74oken=t`)).toBe(
      '/x?q=[redacted]&API_KEY=[redacted]&password=[redacted]&%74oken=[redacted]',
    );
    expect(redactUrl('/needs?org=org-a&cursor=abc')).toBe('/needs?org=org-a&cursor=abc');
    expect(redactUrl('/bad?%E0%A4%A=1')).toBe('/bad?%E0%A4%A=1');
    expect(redactUrl(undefined)).toBeUndefined();
  });
});
