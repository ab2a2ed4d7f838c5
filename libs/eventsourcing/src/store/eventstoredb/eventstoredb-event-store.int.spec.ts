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
