import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AnyRole, AuthModule, mintToken, ROLES, type Role } from '@pcp/auth';
import type { TestApp } from '@pcp/platform';
import {
  itRefusesAnotherOrganisation,
  type OrganisationA,
  setUpOrganisationA,
} from './another-organisation';
import {
  CALLERS,
  plan,
  renderMatrix,
  UndeclaredRoutesError,
  type Caller,
} from './authorisation-matrix';
import { expiredToken, forgedToken, startPlatform, STARTUP_MS } from './platform';
import { brokenCells, matrixCells, sender } from './requests';
import { routeCatalogue, type Route } from './route-catalogue';
import {
  itKeepsTheWalkedPcpToItsParties,
  walkPcpOfOrganisationA,
  type WalkedPcp,
} from './walked-pcp';

const MATRIX_FILE = join(__dirname, '..', '..', 'tmp', 'security', 'authorisation-matrix.txt');

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

  const send = sender(() => app.url);

  it('answers each route as its declared rule says, for each role and bad token', async () => {
    const routes = routeCatalogue(app.app);
    // Every context serves routes; a context that vanished from the composition would shrink this.
    for (const prefix of ['/needs', '/consultations', '/tenders', '/pilots', '/innovations']) {
      expect(routes.some((r) => r.path.startsWith(prefix))).toBe(true);
    }
    expect(plan(routes).length).toBe(routes.length * CALLERS.length);

    const cells = await matrixCells(routes, tokens, send);

    const table = renderMatrix(cells);
    mkdirSync(join(MATRIX_FILE, '..'), { recursive: true });
    writeFileSync(MATRIX_FILE, `${table}\n`);
    process.stdout.write(`\nAuthorisation matrix (${MATRIX_FILE}):\n${table}\n`);

    expect(brokenCells(cells)).toEqual([]);
  });

  describe('another organisation', () => {
    // What organisation A owns, reached by a procurer of organisation B: right role, wrong org.
    let a: OrganisationA;

    beforeAll(async () => {
      a = await setUpOrganisationA(send, (claims) => app.token(claims), {
        settle: () => app.settle(),
      });
    }, STARTUP_MS);

    itRefusesAnotherOrganisation(send, () => a);
  });

  describe('another organisation, after the bids are opened', () => {
    let walked: WalkedPcp;

    beforeAll(async () => {
      walked = await walkPcpOfOrganisationA(send, (claims) => app.token(claims), {
        settle: () => app.settle(),
      });
    }, STARTUP_MS);

    itKeepsTheWalkedPcpToItsParties(send, () => walked);
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
