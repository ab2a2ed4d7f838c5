import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@pcp/auth';
import { buildApps, startService, type RunningService } from '@pcp/testing';
import { startDistributed, type DistributedSystem } from './distributed';
import { call, consultationFor, galicianNeed, type Client } from './scenario';

const secret = randomBytes(32).toString('base64url');
const token: Client['token'] = (claims) =>
  mintToken({ name: claims.sub, ...claims, roles: claims.roles as never }, { secret });

/** From a need to opened bids; the tender learns the route only from consultations' events. */
function needToOpenedBids(client: () => Client) {
  it('routes a consultation to PCP, calls for tenders, closes at the deadline, opens the bids', async () => {
    const c = client();
    const ana = await c.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    const sam = await c.token({ sub: 'u-sam', org: 'org-medtech-sme', roles: ['supplier'] });
    const ok = async (who: string, method: string, path: string, body?: unknown) => {
      const res = await call(c, who, method, path, body);
      expect({ path, status: res.status < 300 ? 'ok' : res.body }).toEqual({ path, status: 'ok' });
      return res.body;
    };
    const needId = (await ok(ana, 'POST', '/needs', galicianNeed)).id;
    await ok(ana, 'POST', `/needs/${needId}/validate`, {});
    const consultationId = (await ok(ana, 'POST', '/consultations', consultationFor(needId))).id;
    await ok(ana, 'POST', `/consultations/${consultationId}/publish`, {});
    const response = await ok(sam, 'POST', `/consultations/${consultationId}/responses`, {
      solutionName: 'SepsisWatch',
      summary: 'Early warning score.',
      declaredTrl: 5,
    });
    await ok(ana, 'POST', `/consultations/${consultationId}/close`, { report: 'One response.' });
    await ok(ana, 'POST', `/consultations/${consultationId}/route`, {
      route: 'PCP',
      rationale: 'TRL 5: R&D needed',
    });
    const tender = await ok(ana, 'POST', '/tenders', {
      consultationId,
      procedure: 'PCP',
      title: 'PCP: early warning of sepsis',
      description: 'Two phases.',
      budgetEur: 1_000_000,
      submissionDeadline: new Date(Date.now() + 8_000).toISOString(),
      criteria: [{ name: 'quality', weight: 100 }],
      phases: [
        { budgetEur: 200_000, durationMonths: 3, maxSuppliers: 3 },
        { budgetEur: 500_000, durationMonths: 9, maxSuppliers: 2 },
      ],
    });
    await ok(ana, 'POST', `/tenders/${tender.id}/publish`, {});
    const bid = await ok(sam, 'POST', `/tenders/${tender.id}/bids`, {
      priceEur: 150_000,
      technicalProposal: 'Sealed until the opening',
      declaredTrl: 5,
    });
    // The innovation of the consultation response travels to the bid.
    expect(bid.innovationId).toBe(response.innovationId);

    let status = 'PUBLISHED';
    const until = Date.now() + 30_000;
    while (status === 'PUBLISHED' && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = (await ok(sam, 'GET', `/tenders/${tender.id}`)).status;
    }
    expect(status).toBe('BIDS_CLOSED');
    const history = await ok(ana, 'GET', `/tenders/${tender.id}/history`);
    const closed = history.items.find((i: { type: string }) => i.type === 'BiddingClosed');
    expect(closed.actor).toEqual({
      userId: 'system:tender-deadline',
      org: null,
      roles: ['system'],
    });

    await ok(ana, 'POST', `/tenders/${tender.id}/open-bids`, {});
    const bids = await ok(ana, 'GET', `/tenders/${tender.id}/bids`);
    expect(bids.items).toEqual([
      expect.objectContaining({ bidId: bid.id, technicalProposal: 'Sealed until the opening' }),
    ]);
    const mine = await ok(sam, 'GET', '/me/participations');
    expect(mine.items.map((p: { tenderId: string }) => p.tenderId)).toContain(tender.id);
  }, 90_000);
}

describe('tenders with needs and consultations', () => {
  let mainOf: (app: string) => string;

  beforeAll(() => {
    mainOf = buildApps('e2e-tenders');
  });

  describe('embedded (npm start)', () => {
    let platform: RunningService;

    beforeAll(async () => {
      platform = await startService('platform', mainOf('platform'), {
        DATA_DIR: mkdtempSync(join(tmpdir(), 'pcp-e2e-')),
        AUTH_JWT_SECRET: secret,
        CONSISTENCY_WAIT_MS: '3000',
        TENDER_DEADLINE_CHECK_MS: '500',
      });
    }, 90_000);
    afterAll(() => platform?.stop());

    needToOpenedBids(() => ({ baseUrl: platform.url, token }));
  });

  describe('distributed (a process per context, PostgreSQL, Kafka, FerretDB, behind the gateway)', () => {
    let system: DistributedSystem;

    beforeAll(async () => {
      system = await startDistributed(mainOf, ['needs', 'consultations', 'tenders'], {
        AUTH_JWT_SECRET: secret,
        TENDER_DEADLINE_CHECK_MS: '500',
      });
    }, 150_000);
    afterAll(() => system?.stop());

    needToOpenedBids(() => ({ baseUrl: system.gateway.url, token }));
  });
});
