import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BEFORE_FIRST, type EventEnvelope, type NewEvent, systemActor } from './event-store';
import { LogTail, type LogTailOptions } from './log-tail';
import { PostgresEventStore } from './postgres/postgres-event-store';

const dataDir = mkdtempSync(join(tmpdir(), 'pcp-log-tail-'));
let store: PostgresEventStore;

beforeAll(async () => {
  store = await PostgresEventStore.embedded(dataDir, { schema: 'log_tail' });
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const noted = (n: number): NewEvent => ({
  type: 'Noted',
  data: { n },
  actor: systemActor('log-tail-test'),
  correlationId: `c-${n}`,
});

async function appendMany(stream: string, from: number, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => noted(from + i));
  await store.append(stream, events, 'ANY');
}

/** Reads everything from `after` through the reader, `batch` at a time. */
async function drain(
  read: (after: bigint, n: number) => Promise<EventEnvelope[]>,
  after: bigint,
  batch: number,
): Promise<EventEnvelope[]> {
  const all: EventEnvelope[] = [];
  for (;;) {
    const events = await read(after, batch);
    all.push(...events);
    if (events.length === 0) return all;
    after = events[events.length - 1].globalPosition;
  }
}

describe('LogTail over the PGlite store', () => {
  it('serves many readers the same events as the store, in order, with one read per range', async () => {
    await appendMany('tail-a', 0, 300);
    await appendMany('tail-b', 300, 200);
    let storeReads = 0;
    const tail = new LogTail({
      readAll: (after, n) => {
        storeReads += 1;
        return store.readAll(after, n);
      },
      readBatchSize: 1_000,
      pollIntervalMs: 60_000,
    });
    const expected = await drain((a, n) => store.readAll(a, n), BEFORE_FIRST, 100);
    const readers = Array.from({ length: 5 }, () => tail.reader());
    const seen = await Promise.all(readers.map((r) => drain(r.readAll, BEFORE_FIRST, 50)));
    for (const events of seen) {
      expect(events.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    }
    // one read of the whole log, shared by all five; coming back short, it also told them
    // that nothing follows
    expect(storeReads).toBe(1);
    tail.close();
  });

  it('sees new appends after a wake-up, and only looks again after one', async () => {
    let storeReads = 0;
    const tail = new LogTail({
      readAll: (after, n) => {
        storeReads += 1;
        return store.readAll(after, n);
      },
      pollIntervalMs: 60_000,
    });
    const reader = tail.reader();
    const before = await drain(reader.readAll, BEFORE_FIRST, 500);
    const head = before[before.length - 1].globalPosition;
    const reads = storeReads;
    expect(await reader.readAll(head, 500)).toEqual([]);
    expect(storeReads).toBe(reads);

    await appendMany('tail-c', 0, 3);
    // without a signal the tail trusts its last look until the poll interval passes
    expect(await reader.readAll(head, 500)).toEqual([]);
    let woken = 0;
    const unsubscribe = reader.onAppended(() => (woken += 1));
    tail.appended();
    expect(woken).toBe(1);
    const fresh = await reader.readAll(head, 500);
    expect(fresh.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    unsubscribe();
    tail.close();
  });

  it('is woken by the store’s own append signal', async () => {
    const tail = LogTail.of(store, { pollIntervalMs: 60_000 });
    const reader = tail.reader();
    const before = await drain(reader.readAll, BEFORE_FIRST, 500);
    const head = before[before.length - 1].globalPosition;
    const woken = new Promise<void>((resolve) => reader.onAppended(resolve));
    // the LISTEN is set up in the background
    await new Promise((r) => setTimeout(r, 200));
    await appendMany('tail-d', 0, 1);
    await woken;
    const fresh = await reader.readAll(head, 500);
    expect(fresh.map((e) => e.streamId)).toEqual(['tail-d']);
    tail.close();
  });

  /** A tail smaller than the log (batches of 50, 60 events kept), holding readers `maxHoldMs`. */
  const heldTail = (maxHoldMs: number, readAll: LogTailOptions['readAll']) =>
    new LogTail({ readAll, readBatchSize: 50, cacheLimit: 60, pollIntervalMs: 60_000, maxHoldMs });

  it('holds a reader that is ahead until the slowest has read, so every row is read once', async () => {
    let rowsRead = 0;
    const tail = heldTail(10_000, async (after, n) => {
      const events = await store.readAll(after, n);
      rowsRead += events.length;
      return events;
    });
    const expected = await drain((a, n) => store.readAll(a, n), BEFORE_FIRST, 100);
    const slow = tail.reader();
    const fast = tail.reader();
    const slowly = async (after: bigint, n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return slow.readAll(after, n);
    };
    const started = Date.now();
    const [fastSeen, slowSeen] = await Promise.all([
      drain(fast.readAll, BEFORE_FIRST, 50),
      drain(slowly, BEFORE_FIRST, 10),
    ]);
    expect(fastSeen.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(slowSeen.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(rowsRead).toBe(expected.length);
    // held only while the slow reader moved on, never until the hold ran out
    expect(Date.now() - started).toBeLessThan(10_000);
    tail.close();
  });

  it('keeps a slow reader right when fast ones have moved past what is kept', async () => {
    // the slow reader stops while the fast one drains: it holds it back 50 ms only
    const tail = heldTail(50, (after, n) => store.readAll(after, n));
    const expected = await drain((a, n) => store.readAll(a, n), BEFORE_FIRST, 100);
    const slow = tail.reader();
    const fast = tail.reader();
    const first = await slow.readAll(BEFORE_FIRST, 10);
    const fastSeen = await drain(fast.readAll, BEFORE_FIRST, 50);
    const slowSeen = [
      ...first,
      ...(await drain(slow.readAll, first[first.length - 1].globalPosition, 10)),
    ];
    expect(fastSeen.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(slowSeen.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    tail.close();
  });
});
