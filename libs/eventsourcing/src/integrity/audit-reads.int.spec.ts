import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { requireEngine } from '@pcp/testing';
import { NO_STREAM, type Actor, type EventEnvelope } from '../store/event-store';
import { PostgresAnchorStore } from '../store/postgres/postgres-anchor-store';
import { PostgresEventSearch } from '../store/postgres/postgres-event-search';
import { PostgresEventStore } from '../store/postgres/postgres-event-store';
import { anchorNow } from './anchors';
import { type EventSearch, type EventSearchFilter, ScanningEventSearch } from './event-search';

const ana: Actor = { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] };
const sam: Actor = { userId: 'u-sam', org: 'org-sme', roles: ['supplier'] };

/** The reads an audit makes of one store: its anchors page by page, its events by metadata. */
function auditReads(name: string, open: () => Promise<PostgresEventStore>, close: () => void) {
  describe(name, () => {
    let store: PostgresEventStore;
    let anchors: PostgresAnchorStore;
    let sql: EventSearch;
    let scan: EventSearch;
    const needA = `needs-need-${randomUUID()}`;
    const needB = `needs-need-${randomUUID()}`;

    beforeAll(async () => {
      store = await open();
      anchors = new PostgresAnchorStore(store.client, store.schema);
      sql = new PostgresEventSearch(store.client, store.schema);
      scan = new ScanningEventSearch(store);
      const at = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();
      await store.append(
        needA,
        [
          {
            type: 'NeedRecorded',
            data: { n: 1 },
            actor: ana,
            correlationId: 'c1',
            occurredAt: at(1),
          },
          { type: 'NeedValidated', data: {}, actor: ana, correlationId: 'c2', occurredAt: at(2) },
        ],
        NO_STREAM,
      );
      await store.append(
        needB,
        [
          {
            type: 'NeedRecorded',
            data: { n: 2 },
            actor: sam,
            correlationId: 'c3',
            occurredAt: at(3),
          },
        ],
        NO_STREAM,
      );
      await store.append(
        needA,
        [{ type: 'NeedPrioritised', data: {}, actor: sam, correlationId: 'c4', occurredAt: at(4) }],
        1n,
      );
    });
    afterAll(async () => {
      await store.close();
      close();
    });

    it('lists anchors newest first, a page at a time', async () => {
      expect(await anchors.listAnchors()).toEqual([]);
      const recorded = [];
      for (let i = 0; i < 5; i++) recorded.push(await anchorNow(store, anchors));
      const newestFirst = [...recorded].reverse().map((a) => a.id);
      const first = await anchors.listAnchors({ limit: 2 });
      expect(first.map((a) => a.id)).toEqual(newestFirst.slice(0, 2));
      const second = await anchors.listAnchors({ limit: 2, before: first[1].id });
      expect(second.map((a) => a.id)).toEqual(newestFirst.slice(2, 4));
      const last = await anchors.listAnchors({ limit: 2, before: second[1].id });
      expect(last.map((a) => a.id)).toEqual(newestFirst.slice(4));
      expect(last[0]).toEqual(recorded[0]);
      expect(await anchors.listAnchors({ before: recorded[0].id })).toEqual([]);
      expect((await anchors.listAnchors({ limit: 1 }))[0]).toEqual(await anchors.latestAnchor());
    });

    it('refuses a page size or cursor that is not one', async () => {
      await expect(anchors.listAnchors({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(anchors.listAnchors({ before: "1' OR 1=1" })).rejects.toThrow(RangeError);
    });

    const mine = (events: EventEnvelope[]) =>
      events
        .filter((e) => e.streamId === needA || e.streamId === needB)
        .map((e) => `${e.streamId === needA ? 'A' : 'B'}${e.revision}:${e.type}`);

    it.each<[string, Omit<EventSearchFilter, 'limit'>, string[]]>([
      ['type', { type: 'NeedRecorded' }, ['A0:NeedRecorded', 'B0:NeedRecorded']],
      [
        'stream',
        { streamId: needA },
        ['A0:NeedRecorded', 'A1:NeedValidated', 'A2:NeedPrioritised'],
      ],
      ['actor', { actor: 'u-sam' }, ['B0:NeedRecorded', 'A2:NeedPrioritised']],
      ['organisation', { org: 'org-sergas' }, ['A0:NeedRecorded', 'A1:NeedValidated']],
      [
        'time',
        { from: new Date(Date.UTC(2026, 0, 2)), to: new Date(Date.UTC(2026, 0, 3)) },
        ['A1:NeedValidated', 'B0:NeedRecorded'],
      ],
      ['several criteria', { streamId: needA, actor: 'u-sam' }, ['A2:NeedPrioritised']],
      ['nothing matching', { type: 'NeedRecorded', org: 'org-nobody' }, []],
    ])(
      'finds events by %s in log order, in SQL as a scan would',
      async (_what, filter, expected) => {
        const bySql = await sql.search({ ...filter, limit: 100 });
        expect(mine(bySql)).toEqual(expected);
        expect(bySql).toEqual(await scan.search({ ...filter, limit: 100 }));
      },
    );

    it('pages by position: after and limit', async () => {
      const first = await sql.search({ streamId: needA, limit: 2 });
      expect(mine(first)).toEqual(['A0:NeedRecorded', 'A1:NeedValidated']);
      const rest = await sql.search({ streamId: needA, after: first[1].globalPosition, limit: 2 });
      expect(mine(rest)).toEqual(['A2:NeedPrioritised']);
    });
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'pcp-audit-reads-'));
auditReads(
  'audit reads on PGlite',
  () => PostgresEventStore.embedded(dataDir),
  () => rmSync(dataDir, { recursive: true, force: true }),
);

const schema = `es_audit_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
auditReads(
  'audit reads on a PostgreSQL server',
  () => PostgresEventStore.connect(requireEngine('postgres'), { schema }),
  () => undefined,
);
afterAll(async () => {
  const cleaner = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
  await cleaner.client.exec(`DROP SCHEMA ${schema} CASCADE`);
  await cleaner.close();
});
