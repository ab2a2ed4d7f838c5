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

/** Record and validate a need in one service, then open a consultation for it in the other. */
function needToConsultation(client: () => Client) {
  it('records and validates a need, then opens and runs a consultation for it', async () => {
    const c = client();
    const ana = await c.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    const sam = await c.token({
      sub: 'u-sam',
      org: 'org-medtech-sme',
      roles: ['supplier'],
      sme: true,
      country: 'ES',
    });

    const need = await call(c, ana, 'POST', '/needs', galicianNeed);
    expect(need.status).toBe(201);
    const validated = await call(c, ana, 'POST', `/needs/${need.body.id}/validate`, {
      rationale: 'Clinical board',
    });
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({ status: 'VALIDATED', revision: 1 });

    // Consultations learns of the validation only through the needs context's events.
    const consultation = await call(
      c,
      ana,
      'POST',
      '/consultations',
      consultationFor(need.body.id),
    );
    expect(consultation.status).toBe(201);
    const id = consultation.body.id as string;
    expect((await call(c, ana, 'POST', `/consultations/${id}/publish`, {})).status).toBe(200);

    const response = await call(c, sam, 'POST', `/consultations/${id}/responses`, {
      solutionName: 'SepsisWatch',
      summary: 'Early warning score from vital signs and lactate, validated in two hospitals.',
      declaredTrl: 6,
    });
    expect(response.status).toBe(201);
    expect(response.body.innovationId).toEqual(expect.any(String));

    const history = await call(c, ana, 'GET', `/needs/${need.body.id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((i: { type: string }) => i.type)).toEqual([
      'NeedRecorded',
      'NeedValidated',
    ]);
    expect(history.body.items[1]).toMatchObject({
      actor: { userId: 'u-ana', org: 'org-sergas' },
      revision: 1,
    });
  });

  it('refuses a consultation for a need that was never validated (422)', async () => {
    const c = client();
    const ana = await c.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    const need = await call(c, ana, 'POST', '/needs', galicianNeed);
    expect(need.status).toBe(201);
    const refused = await call(c, ana, 'POST', '/consultations', consultationFor(need.body.id));
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain(need.body.id);
  });
}

describe('needs and consultations', () => {
  let mainOf: (app: string) => string;

  beforeAll(() => {
    mainOf = buildApps('e2e-needs-consultations');
  });

  describe('embedded (npm start: one process, PGlite log, consumers fed from the log)', () => {
    let platform: RunningService;

    beforeAll(async () => {
      platform = await startService('platform', mainOf('platform'), {
        DATA_DIR: mkdtempSync(join(tmpdir(), 'pcp-e2e-')),
        AUTH_JWT_SECRET: secret,
        CONSISTENCY_WAIT_MS: '2000',
      });
    }, 90_000);
    afterAll(() => platform?.stop());

    needToConsultation(() => ({ baseUrl: platform.url, token }));
  });

  describe('distributed (a process per context, PostgreSQL, Kafka, FerretDB, behind the gateway)', () => {
    let system: DistributedSystem;

    beforeAll(async () => {
      system = await startDistributed(mainOf, ['needs', 'consultations'], {
        AUTH_JWT_SECRET: secret,
        CONSISTENCY_WAIT_MS: '8000',
      });
    }, 120_000);
    afterAll(() => system?.stop());

    needToConsultation(() => ({ baseUrl: system.gateway.url, token }));

    it('keeps each service to its own routes', async () => {
      const ana = await token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
      const direct = await call(
        { baseUrl: system.services['needs'].url, token },
        ana,
        'GET',
        '/consultations',
      );
      expect(direct.status).toBe(404);
    });
  });
});
