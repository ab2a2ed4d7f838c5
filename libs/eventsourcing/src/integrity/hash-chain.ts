import { createHash } from 'node:crypto';
import type { EventEnvelope } from '../store/event-store';
import { canonicalJson } from './canonical-json';

/** prevHash of every stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The envelope as the hash sees it: everything but the hash and the store-wide position. */
export type HashedEnvelope = Omit<EventEnvelope, 'hash' | 'globalPosition'>;

export function hashedContent(event: HashedEnvelope): HashedEnvelope {
  // Named one by one so that extra properties on a read envelope never change the hash.
  return {
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    revision: event.revision,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    actor: event.actor,
    reason: event.reason,
    correlationId: event.correlationId,
    causationId: event.causationId,
    data: event.data,
    prevHash: event.prevHash,
  };
}

/** SHA-256(prevHash || canonical JSON of the envelope without hash), hex. */
export function eventHash(event: HashedEnvelope): string {
  return createHash('sha256')
    .update(event.prevHash, 'utf8')
    .update(canonicalJson(hashedContent(event)), 'utf8')
    .digest('hex');
}

export type ChainProblem = 'revision-gap' | 'wrong-stream' | 'prev-hash-mismatch' | 'hash-mismatch';

export interface ChainBreak {
  streamId: string;
  revision: bigint;
  problem: ChainProblem;
}

/**
 * Checks one stream's events (in stored order) from revision 0: contiguous revisions,
 * each prevHash equal to the previous hash, each hash recomputed. Returns the first break.
 */
export function findChainBreak(streamId: string, events: EventEnvelope[]): ChainBreak | null {
  let prevHash = GENESIS_HASH;
  let expectedRevision = 0n;
  for (const event of events) {
    if (event.streamId !== streamId)
      return { streamId, revision: event.revision, problem: 'wrong-stream' };
    // A missing revision is reported where it should have been.
    if (event.revision !== expectedRevision)
      return { streamId, revision: expectedRevision, problem: 'revision-gap' };
    if (event.prevHash !== prevHash)
      return { streamId, revision: event.revision, problem: 'prev-hash-mismatch' };
    if (eventHash(event) !== event.hash)
      return { streamId, revision: event.revision, problem: 'hash-mismatch' };
    prevHash = event.hash;
    expectedRevision += 1n;
  }
  return null;
}
