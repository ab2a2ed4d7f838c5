import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@pcp/auth';
import { buildApps, startService, type RunningService } from '@pcp/testing';
import {
  SEALED_PROPOSAL,
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
import { call, type Client } from './scenario';

type Bundle = {
  format: string;
  version: number;
  subject: string;
  streams: { streamId: string; events: { type: string; data: unknown }[] }[];
  anchors: { source: string; id: string; createdAt: string; root: string }[];
  proofs: { streamId: string; source: string }[];
  withheld: string[];
  missing: string[];
  openedBids: { streamId: string; events: { revision: string; type: string; data: unknown }[] }[];
};

// Issue point 3: an auditor downloads an innovation's audit record as one JSON document over
// HTTP and checks it offline with tools/verify-bundle; the platform runs as `npm start` does.
describe('an innovation’s audit bundle, embedded (npm start)', () => {
  const secret = randomBytes(32).toString('base64url');
  let platform: RunningService;
  let client: Client;
  let t: Tokens;
  let story: TenderStory;

  beforeAll(async () => {
    platform = await startService(
      'platform',
      buildApps('e2e-audit-bundle')('platform'),
      {
        DATA_DIR: mkdtempSync(join(tmpdir(), 'pcp-audit-bundle-')),
        AUTH_JWT_SECRET: secret,
        CONSISTENCY_WAIT_MS: '5000',
        TENDER_DEADLINE_CHECK_MS: '500',
        ANCHOR_INTERVAL_MS: '1000',
      },
      90_000,
    );
    client = {
      baseUrl: platform.url,
      token: (claims) =>
        mintToken({ name: claims.sub, ...claims } as Parameters<typeof mintToken>[0], { secret }),
    };
    t = await tokensFor(client);
    story = await tenderWithSealedBids(client, t);
  }, 180_000);
  afterAll(async () => {
    if (platform) await platform.stop();
  });

  const bundleOf = async (id: string): Promise<{ bundle: Bundle; text: string }> => {
    const res = await fetch(`${client.baseUrl}/innovations/${id}/audit-bundle`, {
      headers: { Authorization: `Bearer ${t.aud}` },
    });
    const text = await res.text();
    expect({ status: res.status, text: res.status === 200 ? 'ok' : text }).toEqual({
      status: 200,
      text: 'ok',
    });
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="innovation-${id}-audit-bundle.json"`,
    );
    return { bundle: JSON.parse(text) as Bundle, text };
  };

  /** Waits for an anchor recorded after `since`, so that every stream's head has a proof. */
  const anchoredAfter = (since: number) =>
    eventually(
      async () => (await ok(client, t.aud, 'GET', '/audit/anchors?limit=1')).items,
      (items: { createdAt: string }[]) =>
        items.length === 1 && Date.parse(items[0].createdAt) > since,
    );

  it('before the opening: the need and consultation, verified offline, no sealed bid', async () => {
    await eventually(
      () => call(client, t.aud, 'GET', `/innovations/${story.innovationId}/timeline`),
      (res) =>
        res.status === 200 &&
        res.body.items.some((i: { type: string }) => i.type === 'ProcurementRouteDecided'),
    );
    await anchoredAfter(Date.now());
    const { bundle, text } = await bundleOf(story.innovationId);
    expect(bundle).toMatchObject({
      format: 'pcp-audit-bundle',
      version: 2,
      subject: `innovation:${story.innovationId}`,
      missing: [],
      withheld: [],
    });
    // Until the opening ties a bid to it, the tender is not yet part of the innovation's record.
    expect(bundle.streams.map((s) => s.streamId)).toEqual([
      `consultations-consultation-${story.consultationId}`,
      `needs-need-${story.needId}`,
    ]);
    expect(bundle.anchors).toHaveLength(1);
    expect(bundle.proofs.map((p) => p.streamId)).toEqual(bundle.streams.map((s) => s.streamId));
    for (const needle of [SEALED_PROPOSAL, 'HERON-41', story.bidId, 'tenders-bid-'])
      expect({ needle, found: text.includes(needle) }).toEqual({ needle, found: false });

    // Asked for directly, the store withholds the sealed bid's stream too.
    const direct = await ok(
      client,
      t.aud,
      'GET',
      `/internal/audit/streams?streamId=tenders-bid-${story.bidId}&streamId=needs-need-${story.needId}`,
    );
    expect(direct).toMatchObject({ withheld: [`tenders-bid-${story.bidId}`], missing: [] });
    expect(direct.streams.map((s: { streamId: string }) => s.streamId)).toEqual([
      `needs-need-${story.needId}`,
    ]);
    expect(JSON.stringify(direct)).not.toContain('HERON-41');

    const verified = verifyOffline(text);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.out).toContain(`ok: innovation:${story.innovationId}: 2 streams`);
  }, 120_000);

  it('after the opening: the innovation’s own bid joins, and one edited byte fails the check', async () => {
    await openBids(client, t, story.tenderId);
    await eventually(
      () => ok(client, t.aud, 'GET', `/innovations/${story.innovationId}`),
      (journey: { bidIds: string[] }) => journey.bidIds.includes(story.bidId),
    );
    await anchoredAfter(Date.now());
    const { bundle, text } = await bundleOf(story.innovationId);
    const ids = bundle.streams.map((s) => s.streamId);
    expect(ids).toContain(`tenders-tender-${story.tenderId}`);
    expect(ids).toContain(`tenders-bid-${story.bidId}`);
    // The competitor's bid is not this innovation's record.
    expect(ids).not.toContain(`tenders-bid-${story.rivalBidId}`);
    // The bid is stored sealed (what the proofs cover); the tenders context opens it beside.
    const stored = bundle.streams.find((s) => s.streamId === `tenders-bid-${story.bidId}`);
    expect(JSON.stringify(stored)).not.toContain(SEALED_PROPOSAL);
    expect(bundle.openedBids).toEqual([
      {
        streamId: `tenders-bid-${story.bidId}`,
        events: [
          expect.objectContaining({
            revision: '0',
            type: 'SealedBidSubmitted',
            data: expect.objectContaining({ technicalProposal: SEALED_PROPOSAL }),
          }),
        ],
      },
    ]);
    expect(bundle.proofs).toHaveLength(bundle.streams.length);
    expect(verifyOffline(text)).toMatchObject({ code: 0 });

    const edited = verifyOffline(withOneByteEdited(text, 'Sepsis'));
    expect(edited.code).toBe(1);
    expect(edited.out).toMatch(/^FAILED: stream \S+, revision \d+: hash does not match/);
  }, 120_000);

  it('is for auditors: others 403, no token 401, an unknown innovation 404', async () => {
    const path = `/innovations/${story.innovationId}/audit-bundle`;
    expect((await call(client, t.ana, 'GET', path)).status).toBe(403);
    expect((await call(client, t.sam, 'GET', path)).status).toBe(403);
    expect((await fetch(`${client.baseUrl}${path}`)).status).toBe(401);
    const unknown = await call(client, t.aud, 'GET', `/innovations/${randomUUID()}/audit-bundle`);
    expect(unknown.status).toBe(404);
  });

  it('lists every anchor a page at a time, newest first', async () => {
    const first = await ok(client, t.aud, 'GET', '/audit/anchors?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.items[0].context).toBe('platform');
    expect(Date.parse(first.items[0].createdAt)).toBeGreaterThanOrEqual(
      Date.parse(first.items[1].createdAt),
    );
    const second = await ok(
      client,
      t.aud,
      'GET',
      `/audit/anchors?limit=2&cursor=${first.nextCursor}`,
    );
    expect(second.items).toHaveLength(2);
    expect(Number(second.items[0].id)).toBeLessThan(Number(first.items[1].id));
    expect((await call(client, t.aud, 'GET', '/audit/anchors?cursor=x')).status).toBe(400);
  });
});
