import type { EventEnvelope } from '../store/event-store';
import { chainEvents, prepareEvents } from '../store/new-events';
import { eventHash, findChainBreak, GENESIS_HASH } from './hash-chain';

const actor = { userId: 'u-1', org: 'org-1', roles: ['buyer'] };

function chain(count: number): EventEnvelope[] {
  const prepared = prepareEvents(
    'need-1',
    Array.from({ length: count }, (_, n) => ({
      type: 'NeedEdited',
      data: { n },
      actor,
      correlationId: 'c-1',
    })),
  );
  return chainEvents(
    'need-1',
    prepared,
    { revision: -1n, hash: GENESIS_HASH },
    '2024-05-01T10:00:00.000Z',
    (i) => BigInt(100 + i),
  );
}

describe('hash chain', () => {
  it('links each event to the previous hash, starting from 64 zeros', () => {
    const events = chain(3);
    expect(events[0].prevHash).toBe(GENESIS_HASH);
    expect(events[1].prevHash).toBe(events[0].hash);
    expect(events[2].prevHash).toBe(events[1].hash);
    expect(events.map((event) => event.hash)).toEqual(events.map(eventHash));
    expect(new Set(events.map((event) => event.hash)).size).toBe(3);
    expect(events[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('covers every envelope field except the hash and the global position', () => {
    const [event] = chain(1);
    const changed: Array<Partial<EventEnvelope>> = [
      { id: '00000000-0000-4000-8000-000000000000' },
      { type: 'Other' },
      { schemaVersion: 2 },
      { streamId: 'need-2' },
      { revision: 1n },
      { occurredAt: '2020-01-01T00:00:00.000Z' },
      { recordedAt: '2020-01-01T00:00:00.000Z' },
      { actor: { ...actor, roles: ['admin'] } },
      { reason: 'because' },
      { correlationId: 'c-2' },
      { causationId: 'x' },
      { data: { n: 1 } },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const change of changed) expect(eventHash({ ...event, ...change })).not.toBe(event.hash);
    expect(eventHash({ ...event, globalPosition: 999n } as EventEnvelope)).toBe(event.hash);
  });

  it('is independent of key order in the data', () => {
    const [event] = chain(1);
    const a = { ...event, data: { x: 1, y: { b: 2, a: 1 } } };
    const b = { ...event, data: { y: { a: 1, b: 2 }, x: 1 } };
    expect(eventHash(a)).toBe(eventHash(b));
  });

  it('finds nothing wrong in an intact chain', () => {
    expect(findChainBreak('need-1', chain(5))).toBeNull();
    expect(findChainBreak('need-1', [])).toBeNull();
  });

  it('names an edited payload', () => {
    const events = chain(5);
    events[3] = { ...events[3], data: { n: 42 } };
    expect(findChainBreak('need-1', events)).toEqual({
      streamId: 'need-1',
      revision: 3n,
      problem: 'hash-mismatch',
    });
  });

  it('names a missing revision', () => {
    const events = chain(5);
    events.splice(2, 1);
    expect(findChainBreak('need-1', events)).toEqual({
      streamId: 'need-1',
      revision: 2n,
      problem: 'revision-gap',
    });
  });

  it('names a rehashed event whose successor still points at the old hash', () => {
    const events = chain(4);
    const edited = { ...events[1], data: { n: 7 } };
    events[1] = { ...edited, hash: eventHash(edited) };
    expect(findChainBreak('need-1', events)).toEqual({
      streamId: 'need-1',
      revision: 2n,
      problem: 'prev-hash-mismatch',
    });
  });

  it('names an event that belongs to another stream', () => {
    const events = chain(2);
    expect(findChainBreak('need-9', events)).toEqual({
      streamId: 'need-9',
      revision: 0n,
      problem: 'wrong-stream',
    });
  });
});
