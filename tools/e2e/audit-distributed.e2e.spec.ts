import { randomBytes } from 'node:crypto';
import { mintToken } from '@pcp/auth';
import { buildApps } from '@pcp/testing';
import { Client as PgClient } from 'pg';
import {
  eventually,
  ok,
  openBids,
  tenderWithSealedBids,
  tokensFor,
  verifyOffline,
  withOneByteEdited,
  type TenderStory,
  type Tokens,
} from './audit-scenario';
import { startDistributed, type DistributedSystem } from './distributed';
import { call, type Client } from './scenario';

const SERVICES = ['needs', 'consultations', 'tenders', 'pilots', 'pipeline'];

// Issue points 3 and 6: distributed, each service holds its own store and audits it; the
// pipeline puts them together, so /audit/* covers every context, and a bundle gathers the
// streams of an innovation from the services that hold them.
describe('audit across the distributed services (a store per service, behind the gateway)', () => {
  const secret = randomBytes(32).toString('base64url');
  let system: DistributedSystem;
  let client: Client;
  let t: Tokens;
  let story: TenderStory;

  beforeAll(async () => {
    system = await startDistributed(buildApps('e2e-audit-distributed'), SERVICES, {
      AUTH_JWT_SECRET: secret,
      TENDER_DEADLINE_CHECK_MS: '500',
      ANCHOR_INTERVAL_MS: '1000',
    });
    client = {
      baseUrl: system.gateway.url,
      token: (claims) =>
        mintToken({ name: claims.sub, ...claims } as Parameters<typeof mintToken>[0], { secret }),
    };
    t = await tokensFor(client);
    story = await tenderWithSealedBids(client, t);
    await openBids(client, t, story.tenderId);
    // The pipeline learns of the opening over Kafka.
    await eventually(
      () => call(client, t.aud, 'GET', `/innovations/${story.innovationId}`),
      (res) => res.status === 200 && res.body.bidIds.includes(story.bidId),
      90_000,
    );
  }, 360_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('verifies every service’s store: ok only when all are', async () => {
    const all = await ok(client, t.aud, 'GET', '/audit/verify');
    expect(all.ok).toBe(true);
    expect(all.firstBroken).toBeUndefined();
    expect(all.stores.map((s: { source: string }) => s.source).sort()).toEqual(
      [...SERVICES].sort(),
    );
    for (const store of all.stores) expect(store).toMatchObject({ ok: true });
    const count = (source: string) =>
      all.stores.find((s: { source: string }) => s.source === source).checkedEvents;
    expect(count('needs')).toBeGreaterThanOrEqual(2);
    expect(count('consultations')).toBeGreaterThanOrEqual(4);
    expect(count('tenders')).toBeGreaterThanOrEqual(4);
    expect(all.checkedEvents).toBe(
      all.stores.reduce((n: number, s: { checkedEvents: number }) => n + s.checkedEvents, 0),
    );
    const one = await ok(
      client,
      t.aud,
      'GET',
      `/audit/verify?streamId=tenders-tender-${story.tenderId}`,
    );
    expect(one).toMatchObject({ ok: true, checkedStreams: 1 });
    const unknown = await call(client, t.aud, 'GET', '/audit/verify?streamId=needs-need-x');
    expect(unknown.status).toBe(404);
    expect((await call(client, t.ana, 'GET', '/audit/verify')).status).toBe(403);
  }, 60_000);

  it('lists the anchors of every service, newest first, page by page', async () => {
    const seen = new Set<string>();
    const ids = new Set<string>();
    let cursor: string | null = null;
    let previous = Infinity;
    for (let page = 0; page < 10 && seen.size < SERVICES.length; page++) {
      const path = `/audit/anchors?limit=4${cursor ? `&cursor=${cursor}` : ''}`;
      const res: {
        items: { context: string; id: string; createdAt: string }[];
        nextCursor: string | null;
      } = await ok(client, t.aud, 'GET', path);
      for (const anchor of res.items) {
        seen.add(anchor.context);
        const key = `${anchor.context}/${anchor.id}`;
        expect(ids.has(key)).toBe(false);
        ids.add(key);
        expect(Date.parse(anchor.createdAt)).toBeLessThanOrEqual(previous);
        previous = Date.parse(anchor.createdAt);
      }
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    expect([...seen].sort()).toEqual([...SERVICES].sort());
    expect((await call(client, t.aud, 'GET', '/audit/anchors?cursor=nope')).status).toBe(400);
  }, 60_000);

  it('lists the events of every context in one list, with its filters and cursor', async () => {
    const events: { eventId: string; context: string; type: string; sealed: boolean }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res = await ok(
        client,
        t.aud,
        'GET',
        `/audit/events?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      );
      events.push(...res.items);
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(new Set(events.map((e) => e.context))).toEqual(
      new Set(['needs', 'consultations', 'tenders']),
    );
    const types = events.map((e) => e.type);
    for (const type of ['NeedRecorded', 'ConsultationOpened', 'TenderPublished', 'BidsOpened'])
      expect(types).toContain(type);
    // The bids are opened: nothing is withheld any more.
    expect(events.filter((e) => e.sealed)).toEqual([]);

    const byOrg = await ok(client, t.aud, 'GET', '/audit/events?org=org-medtech-sme&limit=500');
    expect(byOrg.items.length).toBeGreaterThan(0);
    expect(
      byOrg.items.every((e: { actor: { org: string } }) => e.actor.org === 'org-medtech-sme'),
    ).toBe(true);
    expect(new Set(byOrg.items.map((e: { context: string }) => e.context))).toEqual(
      new Set(['consultations', 'tenders']),
    );
    const needs = await ok(client, t.aud, 'GET', '/audit/events?type=NeedRecorded');
    expect(needs.items.map((e: { streamId: string }) => e.streamId)).toEqual([
      `needs-need-${story.needId}`,
    ]);
    expect((await call(client, t.aud, 'GET', '/audit/events?cursor=123')).status).toBe(400);
  }, 60_000);

  it('gathers the innovation’s bundle from the services that hold its streams', async () => {
    const since = Date.now();
    await eventually(
      async () => (await ok(client, t.aud, 'GET', '/audit/verify')).stores,
      (stores: { source: string; anchor: { createdAt: string } | null }[]) =>
        stores
          .filter((s) => s.source !== 'pipeline')
          .every((s) => s.anchor !== null && Date.parse(s.anchor.createdAt) > since),
    );
    const res = await fetch(`${client.baseUrl}/innovations/${story.innovationId}/audit-bundle`, {
      headers: { Authorization: `Bearer ${t.aud}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const bundle = JSON.parse(text);
    expect(bundle.streams.map((s: { streamId: string }) => s.streamId)).toEqual(
      [
        `consultations-consultation-${story.consultationId}`,
        `needs-need-${story.needId}`,
        `tenders-bid-${story.bidId}`,
        `tenders-tender-${story.tenderId}`,
      ].sort(),
    );
    expect(bundle.anchors.map((a: { source: string }) => a.source)).toEqual([
      'needs',
      'consultations',
      'tenders',
    ]);
    expect(bundle.proofs).toHaveLength(4);
    const verified = verifyOffline(text);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.out).toContain('4 streams');
    expect(verifyOffline(withOneByteEdited(text, 'Sepsis')).code).toBe(1);
  }, 90_000);

  it('names the context, stream and revision of an event edited in one service’s PostgreSQL', async () => {
    const env = system.envOf.consultations;
    const stream = `consultations-consultation-${story.consultationId}`;
    const pg = new PgClient({ connectionString: env.DATABASE_URL });
    await pg.connect();
    try {
      const edited = await pg.query(
        `UPDATE ${env.EVENT_STORE_SCHEMA}.events SET data = data || '{"questions": ["Rewritten"]}'::jsonb
         WHERE stream_id = $1 AND revision = 0`,
        [stream],
      );
      expect(edited.rowCount).toBe(1);
    } finally {
      await pg.end();
    }
    const all = await ok(client, t.aud, 'GET', '/audit/verify');
    expect(all.ok).toBe(false);
    expect(all.firstBroken).toEqual({
      context: 'consultations',
      streamId: stream,
      revision: 0,
      problem: 'hash-mismatch',
    });
    for (const store of all.stores)
      expect({ source: store.source, ok: store.ok }).toEqual({
        source: store.source,
        ok: store.source !== 'consultations',
      });
    const bundle = await fetch(`${client.baseUrl}/innovations/${story.innovationId}/audit-bundle`, {
      headers: { Authorization: `Bearer ${t.aud}` },
    });
    const checked = verifyOffline(await bundle.text());
    expect(checked.code).toBe(1);
    expect(checked.out).toContain(`stream ${stream}, revision 0`);
  }, 60_000);
});
