import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@pcp/auth';
import { aggregateStreamId } from '@pcp/eventsourcing';
import { buildApps, startService, type RunningService } from '@pcp/testing';
import { call, consultationFor, galicianNeed, type Client } from './scenario';

const SECRET_PROPOSAL =
  'Sepsis foresight by retinal micro-vessel imaging, internal codename KESTREL-93';
const BIDDER = {
  sub: 'u-sealed-bidder',
  org: 'org-sealed-bidder-7f3a',
  roles: ['supplier'] as string[],
};
const FORBIDDEN = [SECRET_PROPOSAL, 'KESTREL-93', BIDDER.org, BIDDER.sub];

type Operation = { parameters?: Array<{ name: string; in: string }> };

// Issue point 6: before opening, no GET endpoint of the product (histories, audit, lists,
// exports...) shows a sealed bid's text or its bidder, to any role or to no one, not in a
// body, an error or a log line. The routes come from the OpenAPI document, so endpoints added
// later are covered too. The platform runs as `npm start` runs it, all contexts in one process.
describe('sealed bids do not leak through any GET endpoint before opening', () => {
  const secret = randomBytes(32).toString('base64url');
  let platform: RunningService;
  let client: Client;

  beforeAll(async () => {
    const main = buildApps('e2e-leak')('platform');
    platform = await startService(
      'platform',
      main,
      {
        DATA_DIR: mkdtempSync(join(tmpdir(), 'pcp-leak-')),
        AUTH_JWT_SECRET: secret,
        LOG_LEVEL: 'debug',
        CONSISTENCY_WAIT_MS: '5000',
      },
      60_000,
    );
    client = {
      baseUrl: platform.url,
      token: (claims) =>
        mintToken({ name: claims.sub, ...claims } as Parameters<typeof mintToken>[0], { secret }),
    };
  }, 120_000);
  afterAll(async () => {
    if (platform) await platform.stop();
  });

  it('finds neither the proposal nor the bidder anywhere but in the bidder’s own reads', async () => {
    const ana = await client.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    const rival = await client.token({ sub: 'u-rival', org: 'org-rival', roles: ['supplier'] });
    const bidder = await client.token(BIDDER);
    const readers: Record<string, string | null> = {
      procurer: ana,
      otherProcurer: await client.token({ sub: 'u-bea', org: 'org-other', roles: ['procurer'] }),
      rival,
      evaluator: await client.token({ sub: 'u-eva', org: 'org-experts', roles: ['evaluator'] }),
      auditor: await client.token({ sub: 'u-aud', org: 'org-audit', roles: ['auditor'] }),
      admin: await client.token({ sub: 'u-adm', org: 'org-platform', roles: ['admin'] }),
      allRoles: await client.token({
        sub: 'u-all',
        org: 'org-sergas',
        roles: ['procurer', 'supplier', 'evaluator', 'auditor', 'admin'],
      }),
      anonymous: null,
    };
    const ok = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await call(client, token, method, path, body);
      expect({ path, status: res.status, body: res.status < 300 ? 'ok' : res.body }).toEqual({
        path,
        status: res.status < 300 ? res.status : 'a success',
        body: 'ok',
      });
      return res.body;
    };

    // The bidder answered no consultation: its organisation appears only in its sealed bid.
    const needId = (await ok(ana, 'POST', '/needs', galicianNeed)).id;
    await ok(ana, 'POST', `/needs/${needId}/validate`, {});
    const consultationId = (await ok(ana, 'POST', '/consultations', consultationFor(needId))).id;
    await ok(ana, 'POST', `/consultations/${consultationId}/publish`, {});
    const response = await ok(rival, 'POST', `/consultations/${consultationId}/responses`, {
      solutionName: 'Rival solution',
      summary: 'Vital signs score.',
      declaredTrl: 4,
    });
    await ok(ana, 'POST', `/consultations/${consultationId}/close`, { report: 'One response.' });
    await ok(ana, 'POST', `/consultations/${consultationId}/route`, {
      route: 'PCP',
      rationale: 'TRL 4: R&D needed',
    });
    const tenderId = (
      await ok(ana, 'POST', '/tenders', {
        consultationId,
        procedure: 'PCP',
        title: 'PCP: early warning of sepsis',
        description: 'Two phases.',
        budgetEur: 1_000_000,
        submissionDeadline: new Date(Date.now() + 10 * 86_400_000).toISOString(),
        criteria: [{ name: 'quality', weight: 100 }],
        phases: [
          { budgetEur: 200_000, durationMonths: 3, maxSuppliers: 3 },
          { budgetEur: 500_000, durationMonths: 9, maxSuppliers: 2 },
        ],
      })
    ).id;
    await ok(ana, 'POST', `/tenders/${tenderId}/publish`, {});
    const bid = { priceEur: 180_000, technicalProposal: 'First draft', declaredTrl: 4 };
    const submitted = await ok(bidder, 'POST', `/tenders/${tenderId}/bids`, bid);
    const bidId: string = submitted.id;
    const bidderInnovationId: string = submitted.innovationId;
    // Replaced with the secret text, so both a submission and a replacement stand in the log.
    await ok(bidder, 'POST', `/tenders/${tenderId}/bids`, {
      ...bid,
      technicalProposal: SECRET_PROPOSAL,
    });
    const rivalBid = await ok(rival, 'POST', `/tenders/${tenderId}/bids`, {
      ...bid,
      technicalProposal: 'Rival',
    });
    const rivalInnovationId: string = rivalBid.innovationId;
    expect(rivalInnovationId).toBe(response.innovationId);
    expect(bidderInnovationId).toEqual(expect.any(String));
    // Refused attempts must not leak either.
    expect((await call(client, bidder, 'POST', `/tenders/${tenderId}/open-bids`, {})).status).toBe(
      403,
    );
    expect((await call(client, ana, 'POST', `/tenders/${tenderId}/open-bids`, {})).status).toBe(
      409,
    );
    expect(
      (await call(client, rival, 'POST', `/tenders/${tenderId}/bids/${bidId}/withdraw`, {})).status,
    ).toBe(403);

    // The search would find it: the bidder reads its own bid.
    const own = await call(client, bidder, 'GET', `/tenders/${tenderId}/bids`);
    expect(JSON.stringify(own.body)).toContain('KESTREL-93');

    const document = (await (await fetch(`${platform.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const routes = Object.entries(document.paths)
      .filter(([, operations]) => operations['get'] !== undefined)
      .map(([path]) => path);
    expect(routes).toEqual(
      expect.arrayContaining([
        '/tenders',
        '/tenders/{id}',
        '/tenders/{id}/history',
        '/tenders/{id}/bids',
        '/tenders/{id}/ranking',
        '/tenders/{id}/ocds',
        '/me/participations',
        '/innovations/{id}',
        '/innovations/{id}/timeline',
        '/innovations/{id}/audit-bundle',
        '/audit/events',
      ]),
    );
    const idOf: Record<string, string> = {
      needs: needId,
      consultations: consultationId,
      tenders: tenderId,
    };
    const fill = (path: string, id: string | undefined) =>
      path.replace(/\{(\w+)\}/g, (_whole, name: string) => {
        if (name === 'id') return id ?? 'unknown-id';
        if (name === 'bidId') return bidId;
        if (name === 'responseId') return response.id;
        return 'unknown-id';
      });
    // An innovation is read as the sealed bidder's (the id its bid carries) and as the rival's.
    const idsOf = (route: string): Array<string | undefined> =>
      route.split('/')[1] === 'innovations'
        ? [bidderInnovationId, rivalInnovationId]
        : [idOf[route.split('/')[1]]];
    const paths = routes.flatMap((route) => {
      if (route.includes('{')) return idsOf(route).map((id) => fill(route, id));
      // Lists also filtered by the bidder, as a reader might try.
      return [route, `${route}?org=${BIDDER.org}`];
    });
    paths.push(`/tenders/${tenderId}?asOf=${encodeURIComponent(new Date().toISOString())}`);
    // The audit of the tender's stream and of the sealed bid's own stream.
    for (const streamId of [
      aggregateStreamId('tenders', 'tender', tenderId),
      aggregateStreamId('tenders', 'bid', bidId),
    ]) {
      paths.push(`/audit/events?streamId=${encodeURIComponent(streamId)}`);
      paths.push(`/audit/verify?streamId=${encodeURIComponent(streamId)}`);
    }
    expect(paths).toEqual(
      expect.arrayContaining([
        `/innovations/${bidderInnovationId}`,
        `/innovations/${rivalInnovationId}/timeline`,
        `/innovations/${bidderInnovationId}/audit-bundle`,
      ]),
    );

    let calls = 0;
    const auditorStatus = new Map<string, number>();
    for (const [role, token] of Object.entries(readers)) {
      for (const path of paths) {
        const res = await fetch(`${platform.url}${path}`, {
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        });
        const text = `${res.status} ${[...res.headers.entries()].join(' ')} ${await res.text()}`;
        calls += 1;
        if (role === 'auditor') auditorStatus.set(path, res.status);
        for (const needle of FORBIDDEN) {
          expect({ role, path, leaks: text.includes(needle) ? needle : null }).toEqual({
            role,
            path,
            leaks: null,
          });
        }
      }
    }
    expect(calls).toBeGreaterThanOrEqual(paths.length * 8);
    // The searches above read real answers: the rival's innovation and the tender's audit trail.
    const tenderAudit = `/audit/events?streamId=${encodeURIComponent(aggregateStreamId('tenders', 'tender', tenderId))}`;
    expect({
      innovation: auditorStatus.get(`/innovations/${rivalInnovationId}`),
      timeline: auditorStatus.get(`/innovations/${rivalInnovationId}/timeline`),
      audit: auditorStatus.get(tenderAudit),
    }).toEqual({ innovation: 200, timeline: 200, audit: 200 });

    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = platform.logs.join('').split('\n');
    expect(lines.some((l) => l.includes(`/tenders/${tenderId}/bids`))).toBe(true);
    // Leave out the log lines of the list requests that themselves named the bidder (?org=).
    const logs = lines.filter((l) => !l.includes(`org=${BIDDER.org}`)).join('\n');
    for (const needle of FORBIDDEN) {
      expect({
        needle,
        line: lines.find((l) => l.includes(needle) && logs.includes(l)) ?? null,
      }).toEqual({
        needle,
        line: null,
      });
    }
  }, 120_000);
});
