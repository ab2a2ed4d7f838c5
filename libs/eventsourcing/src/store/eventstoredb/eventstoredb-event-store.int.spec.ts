import { describeEventStoreDb } from '@pcp/testing';
import { randomUUID } from 'node:crypto';
import { anchorNow } from '../../integrity/anchors';
import { merkleRoot } from '../../integrity/merkle';
import { verifyEventStore } from '../../integrity/verifier';
import { eventStoreContract } from '../event-store.contract';
import { NO_STREAM, systemActor } from '../event-store';
import { EventStoreDbAnchorStore } from './eventstoredb-anchor-store';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

describeEventStoreDb('EventStoreDB adapter', (url) => {
  eventStoreContract('EventStoreDB', async () => EventStoreDbEventStore.connect(url));
  eventStoreContract('EventStoreDB, one scope of a shared database', async () =>
    EventStoreDbEventStore.connect(url, { scope: `s${randomUUID().slice(0, 8)}` }),
  );

  describe('two services sharing one database', () => {
    const tag = randomUUID().slice(0, 8);
    let needs: EventStoreDbEventStore;
    let tenders: EventStoreDbEventStore;
    beforeAll(() => {
      needs = EventStoreDbEventStore.connect(url, { scope: `needs_${tag}` });
      tenders = EventStoreDbEventStore.connect(url, { scope: `tenders_${tag}` });
    });
    afterAll(async () => {
      await needs.close();
      await tenders.close();
    });
    const recorded = (type: string) => ({
      type,
      data: { tag },
      actor: systemActor('t'),
      correlationId: 'c',
    });

    it('each reads, follows, anchors and verifies only its own streams, under their own ids', async () => {
      const streamId = `x-${tag}`; // the same id in both services
      const start = await needs.headPosition();
      await needs.append(streamId, [recorded('NeedRecorded')], NO_STREAM);
      await tenders.append(streamId, [recorded('TenderDrafted')], NO_STREAM);
      await needs.append(streamId, [recorded('NeedEdited')], 0n);

      expect((await needs.readStream(streamId)).map((e) => [e.streamId, e.type])).toEqual([
        [streamId, 'NeedRecorded'],
        [streamId, 'NeedEdited'],
      ]);
      expect((await tenders.readStream(streamId)).map((e) => e.type)).toEqual(['TenderDrafted']);
      const read = await needs.readAll(start, 10_000);
      expect(
        read.filter((e) => e.data && (e.data as { tag?: string }).tag === tag).map((e) => e.type),
      ).toEqual(['NeedRecorded', 'NeedEdited']);
      expect(read.every((e) => e.type !== 'TenderDrafted')).toBe(true);
      expect((await needs.streamHeads()).find((h) => h.streamId === streamId)?.revision).toBe(1n);

      const seen: string[] = [];
      const subscription = needs.subscribe(`follow-${tag}`, async (e) => {
        seen.push(e.type);
      });
      const deadline = Date.now() + 10_000;
      while (seen.filter((t) => t === 'NeedEdited').length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      await subscription.stop();
      expect(seen).toContain('NeedEdited');
      expect(seen).not.toContain('TenderDrafted');

      const needsAnchors = new EventStoreDbAnchorStore(needs.client, needs.names.scope);
      const tendersAnchors = new EventStoreDbAnchorStore(tenders.client, tenders.names.scope);
      await anchorNow(needs, needsAnchors);
      expect(await tendersAnchors.latestAnchor()).toBeNull();
      const report = await verifyEventStore(needs, needsAnchors);
      expect(report.problems).toEqual([]);
    });
  });

  describe('integrity on EventStoreDB', () => {
    let store: EventStoreDbEventStore;
    beforeAll(() => {
      store = EventStoreDbEventStore.connect(url);
    });
    afterAll(async () => {
      await store.close();
    });

    it('anchors the stream heads and verifies every chain', async () => {
      const streamId = `need-${randomUUID()}`;
      await store.append(
        streamId,
        Array.from({ length: 3 }, (_, n) => ({
          type: 'NeedEdited',
          data: { n },
          actor: systemActor('t'),
          correlationId: 'c',
        })),
        NO_STREAM,
      );
      const anchors = new EventStoreDbAnchorStore(store.client);
      const anchor = await anchorNow(store, anchors);
      expect(anchor.root).toBe(merkleRoot(await store.streamHeads()));
      expect(anchor.heads.find((head) => head.streamId === streamId)?.revision).toBe(2n);
      expect((await anchors.latestAnchor())?.root).toBe(anchor.root);
      const report = await verifyEventStore(store, anchors);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    });

    it('lists anchors newest first, a page at a time', async () => {
      const anchors = new EventStoreDbAnchorStore(store.client);
      const recorded = [];
      for (let i = 0; i < 3; i++) recorded.push(await anchorNow(store, anchors));
      const first = await anchors.listAnchors({ limit: 2 });
      expect(first.map((a) => a.id)).toEqual([recorded[2].id, recorded[1].id]);
      const next = await anchors.listAnchors({ limit: 2, before: first[1].id });
      expect(next[0]).toEqual(recorded[0]);
      expect(await anchors.listAnchors({ before: '0' })).toEqual([]);
    });
  });
});
