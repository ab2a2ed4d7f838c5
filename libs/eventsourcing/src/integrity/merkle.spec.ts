import {
  EMPTY_ROOT,
  headProof,
  merkleLeaf,
  merkleProof,
  merkleRoot,
  sortHeads,
  verifyMerkleProof,
} from './merkle';

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

describe('merkleProof', () => {
  const heads = (count: number) =>
    Array.from({ length: count }, (_, n) =>
      head(`stream-${String(n).padStart(2, '0')}`, BigInt(n)),
    );

  it.each([1, 2, 3, 4, 5, 7, 8, 13])('leads every head of %i to the anchors root', (count) => {
    const all = heads(count);
    const root = merkleRoot(all);
    const leaves = sortHeads(all).map(merkleLeaf);
    for (let i = 0; i < count; i++) {
      expect(verifyMerkleProof(leaves[i], merkleProof(leaves, i), root)).toBe(true);
    }
  });

  it('fails for another leaf, another root, or a changed step', () => {
    const all = heads(6);
    const root = merkleRoot(all);
    const leaves = sortHeads(all).map(merkleLeaf);
    const path = merkleProof(leaves, 2);
    expect(verifyMerkleProof(leaves[3], path, root)).toBe(false);
    expect(verifyMerkleProof(leaves[2], path, merkleRoot(heads(5)))).toBe(false);
    const flipped = path.map((step, i) =>
      i === 0
        ? { ...step, side: step.side === 'left' ? ('right' as const) : ('left' as const) }
        : step,
    );
    expect(verifyMerkleProof(leaves[2], flipped, root)).toBe(false);
    const edited = path.map((step, i) => (i === 1 ? { ...step, hash: 'f'.repeat(64) } : step));
    expect(verifyMerkleProof(leaves[2], edited, root)).toBe(false);
    expect(verifyMerkleProof(leaves[2], path.slice(1), root)).toBe(false);
  });

  it('finds a head by stream id and refuses an index outside the leaves', () => {
    const all = heads(5);
    const proof = headProof([...all].reverse(), 'stream-03');
    expect(proof?.head).toEqual(all[3]);
    expect(verifyMerkleProof(merkleLeaf(all[3]), proof?.path ?? [], merkleRoot(all))).toBe(true);
    expect(headProof(all, 'stream-99')).toBeNull();
    expect(() => merkleProof([], 0)).toThrow(RangeError);
    expect(() => merkleProof(['a'], 1)).toThrow(RangeError);
  });
});
