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

function leaf(head: StreamHead): string {
  // Leaves and inner nodes are hashed with different prefixes so one cannot pose as the other.
  return sha256(
    `leaf:${canonicalJson({ streamId: head.streamId, revision: head.revision, hash: head.hash })}`,
  );
}

/** Merkle root over the stream heads, sorted by streamId; an odd node is carried up as is. */
export function merkleRoot(heads: StreamHead[]): string {
  if (heads.length === 0) return EMPTY_ROOT;
  let level = sortHeads(heads).map(leaf);
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? sha256(`node:${level[i]}${level[i + 1]}`) : level[i]);
    }
    level = next;
  }
  return level[0];
}
