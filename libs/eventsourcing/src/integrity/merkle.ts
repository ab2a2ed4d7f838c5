import { createHash } from 'node:crypto';
import type { StreamHead } from '../store/event-store';
import { canonicalJson } from './canonical-json';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Merkle root of the empty set. */
export const EMPTY_ROOT = sha256('');

/** Heads in the order the root is computed over: streamId by UTF-16 code units. */
export function sortHeads(heads: StreamHead[]): StreamHead[] {
  return [...heads].sort((a, b) =>
    a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0,
  );
}

/** The leaf hash of one stream head, as anchors compute it. */
export function merkleLeaf(head: StreamHead): string {
  // Leaves and inner nodes are hashed with different prefixes so one cannot pose as the other.
  return sha256(
    `leaf:${canonicalJson({ streamId: head.streamId, revision: head.revision, hash: head.hash })}`,
  );
}

const node = (left: string, right: string): string => sha256(`node:${left}${right}`);

/** Merkle root over the stream heads, sorted by streamId; an odd node is carried up as is. */
export function merkleRoot(heads: StreamHead[]): string {
  if (heads.length === 0) return EMPTY_ROOT;
  let level = sortHeads(heads).map(merkleLeaf);
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? node(level[i], level[i + 1]) : level[i]);
    }
    level = next;
  }
  return level[0];
}

/** One step up from a leaf towards the root: the sibling and the side it stands on. */
export interface MerkleStep {
  side: 'left' | 'right';
  hash: string;
}

/**
 * The siblings that lead from `leaves[index]` to the root of `leaves` (leaf hashes in tree
 * order). A node carried up without a sibling adds no step.
 */
export function merkleProof(leaves: string[], index: number): MerkleStep[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
    throw new RangeError(`No leaf at index ${index} of ${leaves.length}`);
  const path: MerkleStep[] = [];
  let level = leaves;
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling < level.length)
      path.push({ side: i % 2 === 1 ? 'left' : 'right', hash: level[sibling] });
    const next: string[] = [];
    for (let j = 0; j < level.length; j += 2) {
      next.push(j + 1 < level.length ? node(level[j], level[j + 1]) : level[j]);
    }
    level = next;
    i = Math.floor(i / 2);
  }
  return path;
}

/** The proof that `streamId`'s head is one of the heads under `merkleRoot(heads)`. */
export function headProof(
  heads: StreamHead[],
  streamId: string,
): { head: StreamHead; path: MerkleStep[] } | null {
  const sorted = sortHeads(heads);
  const index = sorted.findIndex((head) => head.streamId === streamId);
  if (index < 0) return null;
  return { head: sorted[index], path: merkleProof(sorted.map(merkleLeaf), index) };
}

/** Whether the leaf, climbed along `path`, gives `root`. */
export function verifyMerkleProof(leaf: string, path: MerkleStep[], root: string): boolean {
  let hash = leaf;
  for (const step of path) {
    if (step.side === 'left') hash = node(step.hash, hash);
    else if (step.side === 'right') hash = node(hash, step.hash);
    else return false;
  }
  return hash === root;
}
