import { randomUUID } from 'node:crypto';
import { NO_STREAM, systemActor } from '../store/event-store';
import { PostgresAnchorStore } from '../store/postgres/postgres-anchor-store';
import type { PostgresEventStore } from '../store/postgres/postgres-event-store';
import { AnchorScheduler, anchorNow } from './anchors';
import { eventHash, GENESIS_HASH } from './hash-chain';
import { merkleRoot } from './merkle';
import { verifyEventStore } from './verifier';

const actor = systemActor('verifier-test');
const newEvents = (count: number) =>
  Array.from({ length: count }, (_, n) => ({
    type: 'ThingHappened',
    data: { n },
    actor,
    correlationId: randomUUID(),
  }));

/**
 * Where the tamper tests run: the same SQL tables on a PostgreSQL server or on PGlite.
 * `open` gives a fresh, empty store in the schema named; `dispose` runs once at the end.
 */
export interface TamperTarget {
  open(schema: string): Promise<PostgresEventStore>;
  dispose?(schemas: string[]): Promise<void>;
}

/**
 * The integrity contract: rows edited, deleted or swapped directly in the database, as
 * someone with database access would do, are each named by the verifier.
 */
export function verifierContract(name: string, target: TamperTarget): void {
  describe(`verifyEventStore against tampering on ${name}`, () => {
    let store: PostgresEventStore;
    let anchors: PostgresAnchorStore;
    let s: string;
    const schemas: string[] = [];

    /** Direct SQL on the store's tables, as someone with database access would do. */
    const sql = (text: string, params: unknown[] = []) =>
      store.client.query(text.replace(/\bS\./g, `${s}.`), params);

    beforeEach(async () => {
      s = `es_verify_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      schemas.push(s);
      store = await target.open(s);
      anchors = new PostgresAnchorStore(store.client, s);
      await store.append('need-a', newEvents(5), NO_STREAM);
      await store.append('need-b', newEvents(4), NO_STREAM);
      await store.append('need-c', newEvents(3), NO_STREAM);
      await anchorNow(store, anchors);
    });

    afterEach(async () => {
      await store.close();
    });

    afterAll(async () => {
      await target.dispose?.(schemas);
    });

    it('passes an untouched store and counts what it checked', async () => {
      const report = await verifyEventStore(store, anchors);
      expect(report).toMatchObject({
        ok: true,
        checkedStreams: 3,
        checkedEvents: 12,
        problems: [],
      });
      expect(report.firstBroken).toBeUndefined();
      expect(report.anchor?.root).toBe(merkleRoot(await store.streamHeads()));
    });

    it('names the stream and revision of an edited payload', async () => {
      await sql(
        `UPDATE S.events SET data = '{"n": 999}' WHERE stream_id = 'need-b' AND revision = 2`,
      );
      const report = await verifyEventStore(store, anchors);
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toEqual({
        streamId: 'need-b',
        revision: 2n,
        problem: 'hash-mismatch',
      });
    });

    it('names an edit of the last event', async () => {
      await sql(
        `UPDATE S.events SET reason = 'rewritten' WHERE stream_id = 'need-a' AND revision = 4`,
      );
      expect((await verifyEventStore(store, anchors)).firstBroken).toEqual({
        streamId: 'need-a',
        revision: 4n,
        problem: 'hash-mismatch',
      });
    });

    it('names an event deleted from the middle of a stream', async () => {
      await sql(`DELETE FROM S.events WHERE stream_id = 'need-a' AND revision = 2`);
      expect((await verifyEventStore(store, anchors)).firstBroken).toEqual({
        streamId: 'need-a',
        revision: 2n,
        problem: 'revision-gap',
      });
    });

    it('names two events whose payloads were swapped', async () => {
      await sql(
        `UPDATE S.events e SET data = o.data FROM S.events o
         WHERE e.stream_id = 'need-c' AND o.stream_id = 'need-c'
           AND ((e.revision = 0 AND o.revision = 1) OR (e.revision = 1 AND o.revision = 0))`,
      );
      const [first, second] = await store.readStream('need-c');
      expect(first.data).toEqual({ n: 1 });
      expect(second.data).toEqual({ n: 0 });
      expect((await verifyEventStore(store, anchors)).firstBroken).toEqual({
        streamId: 'need-c',
        revision: 0n,
        problem: 'hash-mismatch',
      });
    });

    it('names two events whose revisions were swapped', async () => {
      await sql(`UPDATE S.events SET revision = 100 WHERE stream_id = 'need-a' AND revision = 1`);
      await sql(`UPDATE S.events SET revision = 1 WHERE stream_id = 'need-a' AND revision = 3`);
      await sql(`UPDATE S.events SET revision = 3 WHERE stream_id = 'need-a' AND revision = 100`);
      expect((await verifyEventStore(store, anchors)).firstBroken).toEqual({
        streamId: 'need-a',
        revision: 1n,
        problem: 'prev-hash-mismatch',
      });
    });

    it("names an event whose store-wide position was moved out of its stream's order", async () => {
      // Positions are not hashed (the store assigns them at commit): swap two of one stream.
      const position = async (revision: number) =>
        (
          await sql(
            `SELECT global_position FROM S.events WHERE stream_id = 'need-a' AND revision = $1`,
            [revision],
          )
        )[0].global_position as string;
      const [p1, p3] = [await position(1), await position(3)];
      await sql(
        `UPDATE S.events SET global_position = -1 WHERE stream_id = 'need-a' AND revision = 1`,
      );
      await sql(
        `UPDATE S.events SET global_position = $1 WHERE stream_id = 'need-a' AND revision = 3`,
        [p1],
      );
      await sql(
        `UPDATE S.events SET global_position = $1 WHERE stream_id = 'need-a' AND revision = 1`,
        [p3],
      );
      expect((await verifyEventStore(store, anchors)).firstBroken).toEqual({
        streamId: 'need-a',
        revision: 2n,
        problem: 'position-order',
      });
    });

    it('names a whole deleted stream (events and head) through the anchor', async () => {
      await sql(`DELETE FROM S.events WHERE stream_id = 'need-b'`);
      await sql(`DELETE FROM S.streams WHERE stream_id = 'need-b'`);
      // Without the anchor nothing is left to notice the stream ever existed.
      expect((await verifyEventStore(store)).ok).toBe(true);
      const report = await verifyEventStore(store, anchors);
      expect(report.firstBroken).toEqual({
        streamId: 'need-b',
        revision: 0n,
        problem: 'stream-missing',
      });
      expect(report.checkedStreams).toBe(3);
    });

    it('names a last event deleted together with a rewound head', async () => {
      const [, , , third] = await store.readStream('need-a');
      await sql(`DELETE FROM S.events WHERE stream_id = 'need-a' AND revision = 4`);
      await sql(`UPDATE S.streams SET revision = 3, hash = $1 WHERE stream_id = 'need-a'`, [
        third.hash,
      ]);
      expect((await verifyEventStore(store)).ok).toBe(true);
      expect((await verifyEventStore(store, anchors)).firstBroken).toEqual({
        streamId: 'need-a',
        revision: 4n,
        problem: 'anchor-mismatch',
      });
    });

    it('names a last event deleted without touching the head', async () => {
      await sql(`DELETE FROM S.events WHERE stream_id = 'need-c' AND revision = 2`);
      expect((await verifyEventStore(store)).firstBroken).toEqual({
        streamId: 'need-c',
        revision: 2n,
        problem: 'head-mismatch',
      });
    });

    it('names a stream rewritten with consistently recomputed hashes through the anchor', async () => {
      const events = await store.readStream('need-b');
      let prevHash = GENESIS_HASH;
      for (const event of events) {
        const forged = { ...event, prevHash, data: event.revision === 1n ? { n: -1 } : event.data };
        const hash = eventHash(forged);
        await sql(
          `UPDATE S.events SET data = $1::jsonb, prev_hash = $2, hash = $3 WHERE stream_id = 'need-b' AND revision = $4`,
          [JSON.stringify(forged.data), prevHash, hash, event.revision.toString()],
        );
        prevHash = hash;
      }
      await sql(`UPDATE S.streams SET hash = $1 WHERE stream_id = 'need-b'`, [prevHash]);
      expect((await verifyEventStore(store)).ok).toBe(true);
      expect((await verifyEventStore(store, anchors)).firstBroken).toEqual({
        streamId: 'need-b',
        revision: 3n,
        problem: 'anchor-mismatch',
      });
    });

    it('notices an anchor whose heads were edited', async () => {
      await sql(`UPDATE S.anchors SET heads = jsonb_set(heads, '{0,revision}', '"1"')`);
      expect((await verifyEventStore(store, anchors)).firstBroken?.problem).toBe(
        'anchor-root-mismatch',
      );
    });

    it('records anchors on a schedule until stopped', async () => {
      const recorded: string[] = [];
      const failures: unknown[] = [];
      const scheduler = new AnchorScheduler(store, anchors, {
        intervalMs: 40,
        onAnchor: (anchor) => recorded.push(anchor.id),
        onError: (error) => failures.push(error),
      });
      scheduler.start();
      expect(scheduler.started).toBe(true);
      const deadline = Date.now() + 10_000;
      while (recorded.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await store.append('need-d', newEvents(2), NO_STREAM);
      const afterAppend = recorded.length;
      while (recorded.length < afterAppend + 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await scheduler.stop();
      const stoppedAt = recorded.length;
      expect(failures).toEqual([]);
      expect(stoppedAt).toBeGreaterThanOrEqual(3);
      const latest = await anchors.latestAnchor();
      expect(latest?.id).toBe(recorded[recorded.length - 1]);
      expect(latest?.streamCount).toBe(4);
      expect(latest?.eventCount).toBe(14n);
      expect(latest?.root).toBe(merkleRoot(await store.streamHeads()));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(recorded.length).toBe(stoppedAt);
    });
  });
}
