import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NO_STREAM, type PostgresEventStore } from '@pcp/eventsourcing';
import { createTestApp, type TestApp } from '@pcp/platform';
import { pipelineContext } from '../pipeline.context';

const auditor = { sub: 'u-aud', org: 'org-court', roles: ['auditor' as const] };

// The pipeline's audit over another service's store, across real HTTP: what it makes of a
// service that holds a broken chain, that does not answer, or that refuses the auditor.
describe('the audit across services: AUDIT_SERVICES', () => {
  const secret = randomBytes(32).toString('base64url');
  let needs: TestApp;
  let strangers: TestApp;
  let down: Server;
  let downUrl: string;
  const apps: TestApp[] = [];
  const needStream = `needs-need-${randomUUID()}`;

  const pipelineWith = async (services: string) => {
    const app = await createTestApp({
      contexts: [pipelineContext],
      secret,
      env: { AUDIT_SERVICES: services, ANCHOR_INTERVAL_MS: '0' },
    });
    apps.push(app);
    return app;
  };
  /** An auditor's GET, expecting `status`. */
  const asAuditor = async (app: TestApp, path: string, status: number) =>
    app
      .http()
      .get(path)
      .set('Authorization', `Bearer ${await app.token(auditor)}`)
      .expect(status);

  beforeAll(async () => {
    needs = await createTestApp({ contexts: [], secret, env: { ANCHOR_INTERVAL_MS: '0' } });
    strangers = await createTestApp({ contexts: [], env: { ANCHOR_INTERVAL_MS: '0' } });
    apps.push(needs, strangers);
    await needs.store.append(
      needStream,
      [0, 1, 2].map((n) => ({
        type: `Step${n}`,
        data: { n },
        actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
        correlationId: randomUUID(),
      })),
      NO_STREAM,
    );
    // A port that was open a moment ago and is closed now: a service that is down.
    down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    await new Promise((resolve) => down.close(resolve));
  }, 180_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
  }, 60_000);

  it('verifies its own store and the other service’s, and names the context of a break', async () => {
    const pipeline = await pipelineWith(`needs=${needs.url}`);
    const before = await asAuditor(pipeline, '/audit/verify', 200);
    expect(before.body).toMatchObject({
      ok: true,
      checkedStreams: 1,
      checkedEvents: 3,
      anchor: null,
      stores: [
        { source: 'test', ok: true, checkedEvents: 0 },
        { source: 'needs', ok: true, checkedEvents: 3 },
      ],
    });
    const events = await asAuditor(pipeline, '/audit/events?limit=2', 200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['Step0', 'Step1']);
    const rest = await asAuditor(
      pipeline,
      `/audit/events?limit=2&cursor=${events.body.nextCursor}`,
      200,
    );
    expect(rest.body).toMatchObject({ items: [{ type: 'Step2' }], nextCursor: null });

    await (needs.store as PostgresEventStore).client.query(
      `UPDATE eventstore.events SET reason = 'rewritten' WHERE stream_id = $1 AND revision = 1`,
      [needStream],
    );
    const after = await asAuditor(pipeline, '/audit/verify', 200);
    expect(after.body).toMatchObject({
      ok: false,
      firstBroken: {
        context: 'needs',
        streamId: needStream,
        revision: 1,
        problem: 'hash-mismatch',
      },
    });
    const one = await asAuditor(
      pipeline,
      `/audit/verify?streamId=${encodeURIComponent(needStream)}`,
      200,
    );
    expect(one.body).toMatchObject({ ok: false, checkedStreams: 1 });
    await asAuditor(pipeline, `/audit/verify?streamId=needs-need-${randomUUID()}`, 404);
    // A cursor no list returned is refused before any service is asked.
    await asAuditor(pipeline, '/audit/events?cursor=123', 400);
    await asAuditor(pipeline, '/audit/anchors?cursor=123', 400);
  }, 120_000);

  it('answers 503 naming a service that does not answer, never an incomplete ok', async () => {
    const pipeline = await pipelineWith(`needs=${needs.url},tenders=${downUrl}`);
    for (const path of ['/audit/verify', '/audit/events', '/audit/anchors']) {
      const res = await asAuditor(pipeline, path, 503);
      expect(res.body.message).toContain('tenders service');
    }
  }, 120_000);

  it('answers 503 when a service refuses the auditor’s token (services disagree on the secret)', async () => {
    const pipeline = await pipelineWith(`needs=${strangers.url}`);
    const res = await asAuditor(pipeline, '/audit/verify', 503);
    expect(res.body.message).toContain('needs service');
    expect(res.body.message).toContain('401');
  }, 120_000);
});
