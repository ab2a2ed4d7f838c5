import { EMPTY_ROOT, merkleRoot, sortHeads } from './merkle';

const head = (streamId: string, revision: bigint, fill = 'a') => ({
  streamId,
  revision,
  hash: fill.repeat(64),
});

describe('merkleRoot', () => {
  it('is the same whatever order the heads come in', () => {
    const heads = [head('b', 1n), head('a', 0n), head('c', 4n), head('d', 2n), head('e', 0n)];
    expect(merkleRoot(heads)).toBe(merkleRoot([...heads].reverse()));
    expect(sortHeads(heads).map((h) => h.streamId)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('changes when any head changes, appears or disappears', () => {
    const heads = [head('a', 0n), head('b', 1n), head('c', 4n)];
    const root = merkleRoot(heads);
    expect(merkleRoot([head('a', 0n), head('b', 2n), head('c', 4n)])).not.toBe(root);
    expect(merkleRoot([head('a', 0n), head('b', 1n, 'b'), head('c', 4n)])).not.toBe(root);
    expect(merkleRoot([head('a', 0n), head('c', 4n)])).not.toBe(root);
    expect(merkleRoot([...heads, head('d', 0n)])).not.toBe(root);
    expect(merkleRoot([head('a', 0n), head('bb', 1n), head('c', 4n)])).not.toBe(root);
  });

  it('has a fixed root for no streams and a 64-hex root otherwise', () => {
    expect(merkleRoot([])).toBe(EMPTY_ROOT);
    expect(merkleRoot([head('a', 0n)])).toMatch(/^[0-9a-f]{64}$/);
    expect(merkleRoot([head('a', 0n)])).not.toBe(EMPTY_ROOT);
  });
});
