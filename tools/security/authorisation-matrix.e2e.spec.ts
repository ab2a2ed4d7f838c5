import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AnyRole, AuthModule, mintToken, ROLES, type Role } from '@pcp/auth';
import type { TestApp } from '@pcp/platform';
import {
  CALLERS,
  meets,
  plan,
  renderMatrix,
  UndeclaredRoutesError,
  type Caller,
  type MatrixCell,
} from './authorisation-matrix';
import { expiredToken, forgedToken, inBatches, startPlatform, STARTUP_MS } from './platform';
import { routeCatalogue, type Route } from './route-catalogue';

const MATRIX_FILE = join(__dirname, '..', '..', 'tmp', 'security', 'authorisation-matrix.txt');
const DAY = 86_400_000;

/** A path with its parameters filled: ids that exist nowhere, phase numbers that do. */
function concretePath(path: string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => (name === 'n' ? '1' : randomUUID()));
}

describe('authorisation matrix: every route of the five contexts, every caller', () => {
  let app: TestApp;
  const tokens = new Map<Caller, string | undefined>();

  beforeAll(async () => {
    app = await startPlatform();
    for (const role of ROLES) {
      tokens.set(role, await app.token({ sub: `u-${role}`, org: 'org-matrix', roles: [role] }));
    }
    tokens.set('no token', undefined);
    tokens.set(
      'expired token',
      await expiredToken(app.secret, { sub: 'u-late', org: 'org-matrix', roles: [...ROLES] }),
    );
    tokens.set(
      'forged token',
      await forgedToken({ sub: 'u-forger', org: 'org-matrix', roles: [...ROLES] }),
    );
  }, STARTUP_MS);
  afterAll(() => app?.close());

  const send = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(method === 'GET' ? {} : { 'Content-Type': 'application/json' }),
      },
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    });
    const json = (res.headers.get('content-type') ?? '').includes('json');
    const reply = json
      ? ((await res.json()) as Record<string, unknown>)
      : { text: await res.text() };
    return { status: res.status, body: reply };
  };

  it('answers each route as its declared rule says, for each role and bad token', async () => {
    const routes = routeCatalogue(app.app);
    // Every context serves routes; a context that vanished from the composition would shrink this.
    for (const prefix of ['/needs', '/consultations', '/tenders', '/pilots', '/innovations']) {
      expect(routes.some((r) => r.path.startsWith(prefix))).toBe(true);
    }
    const requests = plan(routes);
    expect(requests.length).toBe(routes.length * CALLERS.length);

    const cells: MatrixCell[] = await inBatches(requests, 8, async (r) => ({
      ...r,
      status: (await send(r.route.method, concretePath(r.route.path), tokens.get(r.caller))).status,
    }));

    const table = renderMatrix(cells);
    mkdirSync(join(MATRIX_FILE, '..'), { recursive: true });
    writeFileSync(MATRIX_FILE, `${table}\n`);
    process.stdout.write(`\nAuthorisation matrix (${MATRIX_FILE}):\n${table}\n`);

    const broken = cells
      .filter((c) => !meets(c.expected, c.status))
      .map(
        (c) =>
          `${c.route.method} ${c.route.path} as ${c.caller}: ${c.status}, expected ${c.expected}`,
      );
    expect(broken).toEqual([]);
  });

  describe('another organisation', () => {
    // What organisation A owns, reached by a procurer of organisation B: right role, wrong org.
    const ids: Record<string, string> = {};
    let ownerToken: string;
    let strangerToken: string;

    beforeAll(async () => {
      ownerToken = await app.token({ sub: 'u-ana', org: 'org-a', roles: ['procurer'] });
      strangerToken = await app.token({ sub: 'u-bea', org: 'org-b', roles: ['procurer'] });
      const supplier = await app.token({ sub: 'u-sam', org: 'org-s', roles: ['supplier'] });
      const as = async (token: string, method: string, path: string, body?: unknown) => {
        const res = await send(method, path, token, body);
        if (res.status >= 300)
          throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      };
      const owner = (path: string, body: unknown = {}) => as(ownerToken, 'POST', path, body);

      ids.need = (await owner('/needs', need())).id as string;
      ids.validatedNeed = (await owner('/needs', need())).id as string;
      await owner(`/needs/${ids.validatedNeed}/validate`);
      ids.draftConsultation = (await owner('/consultations', consultation(ids.validatedNeed)))
        .id as string;
      ids.openConsultation = (await owner('/consultations', consultation(ids.validatedNeed)))
        .id as string;
      await owner(`/consultations/${ids.openConsultation}/publish`);
      ids.question = (
        await as(supplier, 'POST', `/consultations/${ids.openConsultation}/questions`, {
          text: 'Which data formats must the solution read?',
        })
      ).id as string;
      ids.closedConsultation = (await owner('/consultations', consultation(ids.validatedNeed)))
        .id as string;
      await owner(`/consultations/${ids.closedConsultation}/publish`);
      await owner(`/consultations/${ids.closedConsultation}/close`, { report: 'No responses.' });
      await owner(`/consultations/${ids.closedConsultation}/route`, {
        route: 'PCP',
        rationale: 'No solution on the market: R&D is needed.',
        justification: 'No responses to weigh the TRL rule against.',
      });
      await app.settle();
      ids.tender = (await owner('/tenders', tender(ids.closedConsultation))).id as string;
      ids.openTender = (await owner('/tenders', tender(ids.closedConsultation))).id as string;
      await owner(`/tenders/${ids.openTender}/publish`);
      await app.settle();
      ids.bid = (
        await as(supplier, 'POST', `/tenders/${ids.openTender}/bids`, {
          priceEur: 200_000,
          technicalProposal: 'Risk score from routine vital signs.',
          declaredTrl: 4,
        })
      ).id as string;
    }, STARTUP_MS);

    it.each([
      ['POST', '/needs/{need}/validate', {}],
      ['POST', '/needs/{need}/reject', { reason: 'Not a priority for us' }],
      ['POST', '/needs/{need}/withdraw', { reason: 'Not a priority for us' }],
      ['POST', '/needs/{need}/prioritise', { score: 50 }],
      ['POST', '/consultations/{draftConsultation}/publish', {}],
      ['POST', '/consultations/{openConsultation}/close', { report: 'Closing early.' }],
      [
        'POST',
        '/consultations/{openConsultation}/questions/{question}/answer',
        { text: 'Any HL7 FHIR feed.' },
      ],
      [
        'POST',
        '/consultations/{closedConsultation}/route',
        { route: 'PPI', rationale: 'Ready to buy.' },
      ],
      ['POST', '/tenders/{tender}/publish', {}],
      ['POST', '/tenders/{tender}/amend', { title: 'Another title', reason: 'Clearer scope' }],
      ['POST', '/tenders/{tender}/cancel', { reason: 'No longer needed' }],
      ['POST', '/tenders/{tender}/evaluators', { evaluatorIds: ['u-eva'] }],
    ])('%s %s by a procurer of another organisation: 403', async (method, template, body) => {
      const path = template.replace(/\{(\w+)\}/g, (_m, key: string) => ids[key]);
      const res = await send(method, path, strangerToken, body);
      expect({ path: template, status: res.status }).toEqual({ path: template, status: 403 });
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    });

    it('POST /tenders/{id}/bids/{bidId}/withdraw by a supplier of another organisation: 403', async () => {
      const rival = await app.token({ sub: 'u-rik', org: 'org-rival', roles: ['supplier'] });
      const res = await send('POST', `/tenders/${ids.openTender}/bids/${ids.bid}/withdraw`, rival, {
        reason: 'Not mine to withdraw',
      });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    });

    it('leaves what it refused unchanged', async () => {
      const res = await send('GET', `/needs/${ids.need}`, ownerToken);
      expect(res.body).toMatchObject({ status: 'RECORDED', revision: 0 });
      const t = await send('GET', `/tenders/${ids.tender}`, ownerToken);
      expect(t.body).toMatchObject({ status: 'DRAFT', title: tender('').title });
    });
  });
});

describe('a route that declares no access rule', () => {
  @Controller('fixture')
  class FixtureController {
    @Get('declared')
    @AnyRole()
    declared() {
      return { ok: true };
    }

    // Deliberately without @Public, @AnyRole or @Roles.
    @Post('forgotten')
    forgotten() {
      return { ok: true };
    }
  }
  @Module({ controllers: [FixtureController] })
  class FixtureModule {}

  it('makes the matrix refuse to run, naming the route, and the guard refuse it (403)', async () => {
    const secret = 'fixture-secret-of-at-least-32-characters';
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ jwtSecret: secret }), FixtureModule],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const routes: Route[] = routeCatalogue(app);
      expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /fixture/declared',
        'POST /fixture/forgotten',
      ]);
      expect(() => plan(routes)).toThrow(UndeclaredRoutesError);
      expect(() => plan(routes)).toThrow(
        /POST \/fixture\/forgotten \(FixtureController\.forgotten\)/,
      );
      expect(plan(routes.filter((r) => r.handler === 'declared'))).toHaveLength(CALLERS.length);

      const token = await mintToken(
        { sub: 'u', org: 'o', roles: [...ROLES] as Role[], name: 'u' },
        { secret },
      );
      const request = (await import('supertest')).default;
      await request(app.getHttpServer())
        .post('/fixture/forgotten')
        .auth(token, { type: 'bearer' })
        .expect(403);
      await request(app.getHttpServer())
        .get('/fixture/declared')
        .auth(token, { type: 'bearer' })
        .expect(200);
    } finally {
      await app.close();
    }
  });
});

function need() {
  return {
    title: 'Early detection of sepsis in emergency departments',
    description: 'Sepsis is recognised too late in two out of five emergency admissions.',
    region: 'ES11',
    diseaseField: 'infectious',
    scope: ['early_detection'],
    patientPopulation: 12000,
    budgetEstimateEur: 2_500_000,
    barriers: [],
    evidence: [],
  };
}

function consultation(needId: string) {
  return {
    needId,
    title: 'Open market consultation: early sepsis warning',
    description: 'What can detect sepsis earlier from routine data?',
    opensAt: new Date(Date.now() + DAY).toISOString(),
    closesAt: new Date(Date.now() + 40 * DAY).toISOString(),
    questions: ['Which data does your solution need?'],
    stateOfTheArtTrl: 5,
  };
}

function tender(consultationId: string) {
  return {
    consultationId,
    procedure: 'PCP',
    title: 'PCP: early warning of sepsis',
    description: 'Three phases: solution design, prototyping, original development.',
    budgetEur: 3_000_000,
    submissionDeadline: new Date(Date.now() + 30 * DAY).toISOString(),
    criteria: [
      { name: 'quality', weight: 80 },
      { name: 'price', weight: 20 },
    ],
    phases: [
      { budgetEur: 250_000, durationMonths: 3, maxSuppliers: 5 },
      { budgetEur: 900_000, durationMonths: 6, maxSuppliers: 3 },
    ],
  };
}
