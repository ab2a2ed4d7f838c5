import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Body, Controller, Get, Param, Post, Query, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { mintToken } from '../token/mint-token';
import type { AuthenticatedUser, TokenClaims } from '../token/claims';
import { AnyRole, Public, Roles, accessRuleOf } from './access-rules';
import { AuthModule } from './auth.module';
import { CurrentUser } from './current-user';
import { SameOrg, assertSameOrg, sameOrgRuleOf } from './same-org';

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const ana: TokenClaims = {
  sub: 'u-ana',
  org: 'org-a',
  roles: ['procurer'],
  name: 'Ana',
  orgType: 'hospital',
};

@Controller('needs')
class NeedsController {
  @Get('catalogue')
  @Public()
  catalogue(@CurrentUser() user?: AuthenticatedUser) {
    return { items: [], viewer: user?.userId ?? null };
  }

  @Get(':id')
  @AnyRole()
  read(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser) {
    return { id, viewer: user.userId };
  }

  @Post(':org/validate')
  @Roles('procurer')
  validate(@Param('org') org: string, @CurrentUser() user: AuthenticatedUser) {
    assertSameOrg(user, org, 'the need');
    return { validatedBy: user.userId, org: user.org };
  }

  @Post('undeclared')
  undeclared() {
    return { reached: true };
  }
}

@Controller('audit')
@Roles('auditor')
class AuditController {
  @Get('events')
  events() {
    return { items: [] };
  }

  @Get('open')
  @Public()
  open() {
    return { ok: true };
  }
}

/** Routes whose request names the organisation they act for. */
@Controller('organisations')
class OrganisationsController {
  @Post(':org/needs/validate')
  @Roles('procurer')
  @SameOrg({ param: 'org' }, 'the need')
  validate(@Param('org') org: string, @CurrentUser() user: AuthenticatedUser) {
    return { validatedBy: user.userId, org };
  }

  @Get('report')
  @AnyRole()
  @SameOrg({ query: 'org' }, 'the report')
  report(@Query('org') org: string) {
    return { report: org };
  }

  @Post('drafts')
  @Roles('procurer', 'admin')
  @SameOrg({ body: 'org' }, 'the draft')
  draft(@Body() body: { org: string }) {
    return { draftFor: body.org };
  }

  @Get('open/:org')
  @Public()
  @SameOrg({ param: 'org' })
  open(@Param('org') org: string) {
    return { org };
  }
}

async function appWith(
  options: Parameters<typeof AuthModule.forRoot>[0],
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthModule.forRoot(options)],
    controllers: [NeedsController, AuditController, OrganisationsController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('AuthGuard over HTTP (HS256)', () => {
  let app: INestApplication;
  const token = (claims: TokenClaims = ana, ttl?: string, issuedAt?: Date) =>
    mintToken(claims, { secret: SECRET, ttl, issuedAt });

  beforeAll(async () => {
    app = await appWith({ jwtSecret: SECRET });
  });
  afterAll(() => app.close());

  it('401 without a token, with the bearer challenge', async () => {
    const res = await request(app.getHttpServer()).get('/needs/n1').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, message: 'Missing bearer token' });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('401 with a token signed by another secret', async () => {
    const forged = await mintToken(ana, { secret: `${SECRET}-forged` });
    const res = await request(app.getHttpServer())
      .get('/needs/n1')
      .auth(forged, { type: 'bearer' })
      .expect(401);
    expect(res.body.message).toBe('Invalid token signature');
  });

  it('401 with an expired token', async () => {
    const expired = await token(ana, '1h', new Date(Date.now() - 3 * 3600_000));
    const res = await request(app.getHttpServer())
      .get('/needs/n1')
      .auth(expired, { type: 'bearer' })
      .expect(401);
    expect(res.body.message).toBe('Token expired');
  });

  it('401 with a token whose claims are invalid', async () => {
    const badClaims = await new SignJWT({ org: 'org-a', roles: ['chief'], name: 'Eve' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-eve')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const res = await request(app.getHttpServer())
      .get('/needs/n1')
      .auth(badClaims, { type: 'bearer' })
      .expect(401);
    expect(res.body.message).toMatch(/"roles"/);
  });

  it('401 for a malformed Authorization header', async () => {
    await request(app.getHttpServer())
      .get('/needs/n1')
      .set('Authorization', 'Basic dTpw')
      .expect(401);
  });

  it('200 for any role on an AnyRole route', async () => {
    const supplier = await token({ ...ana, sub: 'u-sam', roles: ['supplier'] });
    const res = await request(app.getHttpServer())
      .get('/needs/n1')
      .auth(supplier, { type: 'bearer' })
      .expect(200);
    expect(res.body).toEqual({ id: 'n1', viewer: 'u-sam' });
  });

  it('403 for the wrong role', async () => {
    const supplier = await token({ ...ana, roles: ['supplier'] });
    const res = await request(app.getHttpServer())
      .post('/needs/org-a/validate')
      .auth(supplier, { type: 'bearer' })
      .expect(403);
    expect(res.body).toMatchObject({
      statusCode: 403,
      message: 'This action requires the role procurer',
    });
  });

  it('403 for another organisation', async () => {
    const res = await request(app.getHttpServer())
      .post('/needs/org-b/validate')
      .auth(await token(), { type: 'bearer' })
      .expect(403);
    expect(res.body.message).toMatch(/organisation that owns the need/);
  });

  it('200 (201 for POST) for the right role and organisation', async () => {
    const res = await request(app.getHttpServer())
      .post('/needs/org-a/validate')
      .auth(await token(), { type: 'bearer' })
      .expect(201);
    expect(res.body).toEqual({ validatedBy: 'u-ana', org: 'org-a' });
  });

  it('class-level roles apply to every method of the controller', async () => {
    await request(app.getHttpServer())
      .get('/audit/events')
      .auth(await token(), { type: 'bearer' })
      .expect(403);
    const auditor = await token({ ...ana, roles: ['auditor'] });
    await request(app.getHttpServer())
      .get('/audit/events')
      .auth(auditor, { type: 'bearer' })
      .expect(200);
  });

  it('public routes answer without a token and still recognise a valid one', async () => {
    await request(app.getHttpServer())
      .get('/needs/catalogue')
      .expect(200, { items: [], viewer: null });
    await request(app.getHttpServer()).get('/audit/open').expect(200, { ok: true });
    await request(app.getHttpServer())
      .get('/needs/catalogue')
      .auth(await token(), { type: 'bearer' })
      .expect(200, { items: [], viewer: 'u-ana' });
  });

  it('fails closed: an authenticated route without a declared rule is 403', async () => {
    await request(app.getHttpServer()).post('/needs/undeclared').expect(401);
    const admin = await token({ ...ana, roles: ['admin', 'procurer'] });
    const res = await request(app.getHttpServer())
      .post('/needs/undeclared')
      .auth(admin, { type: 'bearer' })
      .expect(403);
    expect(res.body.message).toBe('This route declares no access rule');
  });

  describe('@SameOrg', () => {
    const server = () => request(app.getHttpServer());

    it('lets a member of the organisation named in the route param through', async () => {
      const res = await server()
        .post('/organisations/org-a/needs/validate')
        .auth(await token(), { type: 'bearer' })
        .expect(201);
      expect(res.body).toEqual({ validatedBy: 'u-ana', org: 'org-a' });
    });

    it('403 for another organisation in a param, a query or a body field', async () => {
      const bearer = await token();
      const param = await server()
        .post('/organisations/org-b/needs/validate')
        .auth(bearer, { type: 'bearer' })
        .expect(403);
      expect(param.body).toMatchObject({
        statusCode: 403,
        message: 'Only members of the organisation that owns the need may do this',
      });
      const query = await server()
        .get('/organisations/report?org=org-b')
        .auth(bearer, { type: 'bearer' })
        .expect(403);
      expect(query.body.message).toBe(
        'Only members of the organisation that owns the report may do this',
      );
      const body = await server()
        .post('/organisations/drafts')
        .auth(bearer, { type: 'bearer' })
        .send({ org: 'org-b' })
        .expect(403);
      expect(body.body.message).toMatch(/owns the draft/);
    });

    it("200 (201 for POST) when the query or body names the caller's organisation", async () => {
      const bearer = await token();
      await server()
        .get('/organisations/report?org=org-a')
        .auth(bearer, { type: 'bearer' })
        .expect(200, { report: 'org-a' });
      await server()
        .post('/organisations/drafts')
        .auth(bearer, { type: 'bearer' })
        .send({ org: 'org-a' })
        .expect(201, { draftFor: 'org-a' });
    });

    it('400 naming the field when the organisation is missing or not one id', async () => {
      const bearer = await token();
      const missing = await server()
        .get('/organisations/report')
        .auth(bearer, { type: 'bearer' })
        .expect(400);
      expect(missing.body.details).toEqual([
        {
          field: 'org',
          constraints: { isOrganisation: 'org (query) names the organisation and is required' },
        },
      ]);
      const repeated = await server()
        .get('/organisations/report?org=org-a&org=org-b')
        .auth(bearer, { type: 'bearer' })
        .expect(400);
      expect(repeated.body.message).toBe(
        'Invalid request: org (query) must be one organisation id',
      );
      const number = await server()
        .post('/organisations/drafts')
        .auth(bearer, { type: 'bearer' })
        .send({ org: 7 })
        .expect(400);
      expect(number.body.details[0].field).toBe('org');
      await server()
        .post('/organisations/drafts')
        .auth(bearer, { type: 'bearer' })
        .send({})
        .expect(400);
    });

    it('checks the role first (403) and the token before anything (401)', async () => {
      await server().post('/organisations/org-a/needs/validate').expect(401);
      await server().get('/organisations/report').expect(401);
      const supplier = await token({ ...ana, roles: ['supplier'] });
      const res = await server()
        .post('/organisations/drafts')
        .auth(supplier, { type: 'bearer' })
        .send({})
        .expect(403);
      expect(res.body.message).toBe('This action requires the role procurer or admin');
    });

    it('has no effect on a public route', async () => {
      await server().get('/organisations/open/org-z').expect(200, { org: 'org-z' });
    });

    it('is readable beside the role rule for an authorisation matrix', () => {
      const proto = OrganisationsController.prototype as unknown as Record<string, object>;
      expect(sameOrgRuleOf(proto['validate'], OrganisationsController)).toEqual({
        source: { param: 'org' },
        what: 'the need',
      });
      expect(sameOrgRuleOf(proto['draft'], OrganisationsController)?.source).toEqual({
        body: 'org',
      });
      const needs = NeedsController.prototype as unknown as Record<string, object>;
      expect(sameOrgRuleOf(needs['validate'], NeedsController)).toBeUndefined();
    });
  });

  it('exposes each route rule for an authorisation matrix', () => {
    const rule = (controller: { prototype: object }, method: string) =>
      accessRuleOf((controller.prototype as Record<string, object>)[method], controller);
    expect(rule(NeedsController, 'catalogue')).toEqual({ kind: 'public' });
    expect(rule(NeedsController, 'read')).toEqual({ kind: 'any-role' });
    expect(rule(NeedsController, 'validate')).toEqual({ kind: 'roles', roles: ['procurer'] });
    expect(rule(NeedsController, 'undeclared')).toEqual({ kind: 'undeclared' });
    expect(rule(AuditController, 'events')).toEqual({ kind: 'roles', roles: ['auditor'] });
    expect(rule(AuditController, 'open')).toEqual({ kind: 'public' });
  });
});

describe('AuthGuard over HTTP (RS256 and ES256 from a JWKS URL)', () => {
  let app: INestApplication;
  let jwksServer: Server;
  let jwksRequests = 0;
  const keys = {} as Record<'RS256' | 'ES256', Awaited<ReturnType<typeof generateKeyPair>>>;

  const sign = (
    alg: 'RS256' | 'ES256',
    kid: string,
    claims: Record<string, unknown> = { ...ana },
    key = keys[alg],
  ) => {
    const { sub, ...rest } = claims;
    return new SignJWT(rest)
      .setProtectedHeader({ alg, kid })
      .setSubject(String(sub))
      .setIssuer('https://idp.example')
      .setAudience('pcp')
      .setExpirationTime('10m')
      .sign(key.privateKey);
  };

  beforeAll(async () => {
    keys.RS256 = await generateKeyPair('RS256');
    keys.ES256 = await generateKeyPair('ES256');
    const jwks = {
      keys: [
        { ...(await exportJWK(keys.RS256.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(keys.ES256.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      ],
    };
    jwksServer = createServer((req, res) => {
      jwksRequests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    app = await appWith({
      jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      issuer: 'https://idp.example',
      audience: 'pcp',
    });
  });
  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  it('accepts RS256 and ES256 tokens signed by keys of the JWKS', async () => {
    const rs = await request(app.getHttpServer())
      .get('/needs/n7')
      .auth(await sign('RS256', 'rsa-1'), { type: 'bearer' })
      .expect(200);
    expect(rs.body).toEqual({ id: 'n7', viewer: 'u-ana' });
    await request(app.getHttpServer())
      .get('/needs/n7')
      .auth(await sign('ES256', 'ec-1'), { type: 'bearer' })
      .expect(200);
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('401 for a key that is not in the JWKS', async () => {
    const stranger = await generateKeyPair('RS256');
    const res = await request(app.getHttpServer())
      .get('/needs/n7')
      .auth(await sign('RS256', 'rsa-1', { ...ana }, stranger), { type: 'bearer' })
      .expect(401);
    expect(res.body.message).toBe('Invalid token signature');
    const unknownKid = await sign('RS256', 'rsa-9', { ...ana }, stranger);
    await request(app.getHttpServer())
      .get('/needs/n7')
      .auth(unknownKid, { type: 'bearer' })
      .expect(401);
  });

  it('401 for an HS256 token when only the JWKS is configured', async () => {
    const hs = await mintToken(ana, { secret: SECRET });
    await request(app.getHttpServer()).get('/needs/n7').auth(hs, { type: 'bearer' }).expect(401);
  });

  it('401 for a wrong audience, 403 for the wrong role', async () => {
    const wrongAudience = await new SignJWT({ org: 'org-a', roles: ['procurer'], name: 'Ana' })
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .setSubject('u-ana')
      .setIssuer('https://idp.example')
      .setAudience('someone-else')
      .setExpirationTime('10m')
      .sign(keys.RS256.privateKey);
    await request(app.getHttpServer())
      .get('/needs/n7')
      .auth(wrongAudience, { type: 'bearer' })
      .expect(401);
    await request(app.getHttpServer())
      .get('/audit/events')
      .auth(await sign('ES256', 'ec-1'), { type: 'bearer' })
      .expect(403);
  });
});
