import type { EventStore } from '../store/event-store';
import { UpcastingEventStore } from '../upcasting/upcasting-event-store';
import type { Anchor, AnchorStore } from './anchors';
import { type ChainProblem, findChainBreak } from './hash-chain';
import { merkleRoot } from './merkle';

export type IntegrityProblem =
  | ChainProblem
  /** The head row disagrees with the stream's last event (e.g. the last event is gone). */
  | 'head-mismatch'
  /** A stream recorded in the latest anchor no longer exists. */
  | 'stream-missing'
  /** The event at an anchored revision is gone or no longer has the anchored hash. */
  | 'anchor-mismatch'
  /** The latest anchor's heads do not give its recorded root. */
  | 'anchor-root-mismatch'
  /**
   * An event's store-wide position is before the one before it in its stream. The hash
   * leaves the position out (the store assigns it when the append commits), so this is what
   * shows a position rewritten out of its stream's order.
   */
  | 'position-order';

export interface IntegrityBreak {
  streamId: string;
  /** The first revision where the problem shows. */
  revision: bigint;
  problem: IntegrityProblem;
}

export interface VerificationReport {
  ok: boolean;
  checkedStreams: number;
  checkedEvents: number;
  /** The anchor compared against, when there was one. */
  anchor: { id: string; root: string; createdAt: string } | null;
  firstBroken?: IntegrityBreak;
  /** Every stream's first problem, in streamId order. */
  problems: IntegrityBreak[];
}

/**
 * Walks every stream (those the store lists and those the latest anchor recorded), checks
 * revisions are contiguous from 0, recomputes the hash chain, and compares with the anchor.
 * Works on any adapter; give it the store itself, not a view that rewrites events.
 */
export async function verifyEventStore(
  store: EventStore,
  anchors?: AnchorStore,
): Promise<VerificationReport> {
  // Hashes cover the stored form, so read beneath any upcasting.
  const source = store instanceof UpcastingEventStore ? store.stored : store;
  const anchor: Anchor | null = anchors ? await anchors.latestAnchor() : null;
  const problems: IntegrityBreak[] = [];

  if (anchor && merkleRoot(anchor.heads) !== anchor.root) {
    problems.push({ streamId: '', revision: 0n, problem: 'anchor-root-mismatch' });
  }
  const heads = new Map((await source.streamHeads()).map((head) => [head.streamId, head]));
  const anchored = new Map((anchor?.heads ?? []).map((head) => [head.streamId, head]));
  const streamIds = [...new Set([...heads.keys(), ...anchored.keys()])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );

  let checkedStreams = 0;
  let checkedEvents = 0;
  for (const streamId of streamIds) {
    const head = heads.get(streamId);
    const anchoredHead = anchored.get(streamId);
    const events = await source.readStream(streamId);
    checkedStreams += 1;
    checkedEvents += events.length;
    const found = (): IntegrityBreak | null => {
      if (!head && events.length === 0)
        return { streamId, revision: 0n, problem: 'stream-missing' };
      const chainBreak = findChainBreak(streamId, events);
      if (chainBreak) return chainBreak;
      // Equal is fine: EventStoreDB gives the events of one append the same commit position.
      for (let i = 1; i < events.length; i++) {
        if (events[i].globalPosition < events[i - 1].globalPosition)
          return { streamId, revision: events[i].revision, problem: 'position-order' };
      }
      const lastRevision = BigInt(events.length) - 1n;
      if (!head) return { streamId, revision: lastRevision, problem: 'head-mismatch' };
      // Events missing at the end, or beyond the head, or a last event that is not the head.
      if (head.revision > lastRevision)
        return { streamId, revision: lastRevision + 1n, problem: 'head-mismatch' };
      if (head.revision < lastRevision)
        return { streamId, revision: head.revision + 1n, problem: 'head-mismatch' };
      if (head.hash !== events[events.length - 1].hash) {
        return { streamId, revision: lastRevision, problem: 'head-mismatch' };
      }
      if (anchoredHead) {
        const event = events[Number(anchoredHead.revision)];
        // The stream was cut back below what the anchor saw.
        if (!event)
          return { streamId, revision: BigInt(events.length), problem: 'anchor-mismatch' };
        if (event.hash !== anchoredHead.hash) {
          return { streamId, revision: anchoredHead.revision, problem: 'anchor-mismatch' };
        }
      }
      return null;
    };
    const problem = found();
    if (problem) problems.push(problem);
  }
  return {
    ok: problems.length === 0,
    checkedStreams,
    checkedEvents,
    anchor: anchor ? { id: anchor.id, root: anchor.root, createdAt: anchor.createdAt } : null,
    firstBroken: problems[0],
    problems,
  };
}
