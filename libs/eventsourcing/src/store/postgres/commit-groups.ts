import type { AppendResult, ExpectedRevision } from '../event-store';
import type { PreparedEvent, PreparedJson } from '../new-events';

/** An append waiting for its commit group. */
export interface QueuedAppend {
  streamId: string;
  prepared: PreparedEvent[];
  /** The canonical JSON of each prepared event's data and actor, in the same order. */
  json: PreparedJson[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

export interface GroupLimits {
  /** Appends in one group. */
  appends: number;
  /** Events in one group; a single larger append still goes, alone. */
  events: number;
}

/**
 * Takes the next group out of `queue`, oldest first: at most one append per stream (a later
 * one to the same stream must see the head the earlier one leaves) and none to a stream in
 * `busy` (held by a group still in flight). What is not taken stays queued in order.
 */
export function takeCommitGroup(
  queue: QueuedAppend[],
  busy: ReadonlySet<string>,
  limits: GroupLimits,
): QueuedAppend[] {
  const group: QueuedAppend[] = [];
  const streams = new Set<string>();
  let events = 0;
  let kept = 0;
  for (let index = 0; index < queue.length; index += 1) {
    const append = queue[index];
    const fits =
      group.length < limits.appends &&
      (group.length === 0 || events + append.prepared.length <= limits.events);
    if (fits && !streams.has(append.streamId) && !busy.has(append.streamId)) {
      group.push(append);
      streams.add(append.streamId);
      events += append.prepared.length;
    } else {
      // A stream passed over once keeps its later appends behind it.
      streams.add(append.streamId);
      queue[kept] = append;
      kept += 1;
    }
  }
  queue.length = kept;
  return group;
}
