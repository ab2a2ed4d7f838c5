import { type NewEvent, systemActor } from '../event-store';
import { prepareEventsWithJson } from '../new-events';
import { type QueuedAppend, takeCommitGroup } from './commit-groups';

const prepared = (streamId: string, events: NewEvent[]) => {
  const { events: appended, json } = prepareEventsWithJson(streamId, events);
  return { prepared: appended, json };
};

const queued = (streamId: string, events = 1): QueuedAppend => ({
  streamId,
  ...prepared(
    streamId,
    Array.from({ length: events }, () => ({
      type: 'ThingHappened',
      data: {},
      actor: systemActor('t'),
      correlationId: 'c',
    })),
  ),
  expected: 'ANY',
  resolve: () => undefined,
  reject: () => undefined,
});

const streams = (appends: QueuedAppend[]) => appends.map((append) => append.streamId);
const limits = { appends: 10, events: 100 };

describe('takeCommitGroup', () => {
  it('takes one append per stream and leaves later ones to the same stream queued in order', () => {
    const queue = [queued('a'), queued('b'), queued('a'), queued('c'), queued('a')];
    const [, , secondA, , thirdA] = queue;
    expect(streams(takeCommitGroup(queue, new Set(), limits))).toEqual(['a', 'b', 'c']);
    expect(queue).toEqual([secondA, thirdA]);
    expect(streams(takeCommitGroup(queue, new Set(), limits))).toEqual(['a']);
    expect(queue).toEqual([thirdA]);
  });

  it('skips streams held by a group in flight', () => {
    const queue = [queued('a'), queued('b')];
    expect(streams(takeCommitGroup(queue, new Set(['a']), limits))).toEqual(['b']);
    expect(streams(queue)).toEqual(['a']);
  });

  it('stops at the limits but always takes a first append, however large', () => {
    const big = [queued('big', 150), queued('x', 1)];
    expect(streams(takeCommitGroup(big, new Set(), limits))).toEqual(['big']);
    expect(streams(big)).toEqual(['x']);

    const many = Array.from({ length: 12 }, (_, n) => queued(`s${n}`));
    expect(takeCommitGroup(many, new Set(), limits)).toHaveLength(10);
    expect(streams(many)).toEqual(['s10', 's11']);

    const sized = [queued('a', 60), queued('b', 60), queued('c', 40)];
    expect(streams(takeCommitGroup(sized, new Set(), limits))).toEqual(['a', 'c']);
    expect(streams(sized)).toEqual(['b']);
  });

  it('keeps an append behind an earlier one to its stream that did not fit', () => {
    const queue = [queued('a', 90), queued('b', 20), queued('b', 1)];
    expect(streams(takeCommitGroup(queue, new Set(), limits))).toEqual(['a']);
    expect(streams(queue)).toEqual(['b', 'b']);
  });
});
