import { canonicalJson, requestFingerprint } from './request-fingerprint';

describe('requestFingerprint', () => {
  it('ignores key order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}',
    );
    expect(requestFingerprint('post', '/needs', { a: 1, b: 2 })).toBe(
      requestFingerprint('POST', '/needs', { b: 2, a: 1 }),
    );
  });

  it('tells apart method, path, query, body and array order', () => {
    const base = requestFingerprint('POST', '/needs', { a: [1, 2] });
    expect(requestFingerprint('PUT', '/needs', { a: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('POST', '/needs/x', { a: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('POST', '/needs?dry=1', { a: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('POST', '/needs', { a: [2, 1] })).not.toBe(base);
    expect(requestFingerprint('POST', '/needs', { a: [1, 2], b: undefined })).toBe(base);
  });

  it('treats a missing body as null', () => {
    expect(requestFingerprint('POST', '/x', undefined)).toBe(
      requestFingerprint('POST', '/x', null),
    );
  });
});
