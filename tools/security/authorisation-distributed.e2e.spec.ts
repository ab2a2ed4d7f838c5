import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken, ROLES } from '@pcp/auth';
import { buildApps } from '@pcp/testing';
// The services behind the gateway, started as the end-to-end suite starts them.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startDistributed, type DistributedSystem } from '../e2e/distributed';
import {
  itRefusesAnotherOrganisation,
  type OrganisationA,
  setUpOrganisationA,
  type TokenOf,
} from './another-organisation';
import { renderMatrix, type Caller } from './authorisation-matrix';
import { expiredToken, forgedToken, startPlatform, STARTUP_MS } from './platform';
import { brokenCells, concretePath, matrixCells, sender } from './requests';
import { routeCatalogue, type Route } from './route-catalogue';
import {
  itKeepsTheWalkedPcpToItsParties,
  walkPcpOfOrganisationA,
  type WalkedPcp,
} from './walked-pcp';

const MATRIX_FILE = join(
  __dirname,
  '..',
  '..',
  'tmp',
  'security',
  'authorisation-matrix-distributed.txt',
);
const SERVICES = ['needs', 'consultations', 'tenders', 'pilots', 'pipeline'];
/** How long a step may wait for one service to hear of another's events over Kafka. */
const RETRY_MS = 60_000;

// The same rules as the embedded platform's (authorisation-matrix.e2e.spec.ts), asked of the
// five services behind the gateway: each service checks role and organisation itself.
describe('authorisation through the gateway of the distributed services', () => {
  const secret = randomBytes(32).toString('base64url');
  const tokenOf: TokenOf = (claims) => mintToken({ name: claims.sub, ...claims }, { secret });
  let system: DistributedSystem;
  let routes: Route[];
  const send = sender(() => system.gateway.url);

  beforeAll(async () => {
    // The routes of every context, as the embedded platform composes them.
    const platform = await startPlatform();
    try {
      routes = routeCatalogue(platform.app);
    } finally {
      await platform.close();
    }
    system = await startDistributed(buildApps('e2e-security-distributed'), SERVICES, {
      AUTH_JWT_SECRET: secret,
    });
  }, 360_000);
  afterAll(async () => {
    await system?.stop();
  });

  const tokens = new Map<Caller, string | undefined>();
  beforeAll(async () => {
    for (const role of ROLES) {
      tokens.set(role, await tokenOf({ sub: `u-${role}`, org: 'org-matrix', roles: [role] }));
    }
    tokens.set('no token', undefined);
    const everyRole = { sub: 'u-any', org: 'org-matrix', roles: [...ROLES] };
    tokens.set('expired token', await expiredToken(secret, everyRole));
    tokens.set('forged token', await forgedToken(everyRole));
  });

  /** Each service's audit of its own store: read by the pipeline, not routed by the gateway. */
  const isInternal = (route: Route) => route.path.startsWith('/internal/');

  it('answers each route through the gateway as its declared rule says, for each role and bad token', async () => {
    // Every context serves routes; a context that vanished from the composition would shrink this.
    for (const prefix of ['/needs', '/consultations', '/tenders', '/pilots', '/innovations']) {
      expect(routes.some((r) => r.path.startsWith(prefix))).toBe(true);
    }
    const cells = await matrixCells(
      routes.filter((r) => !isInternal(r)),
      tokens,
      send,
    );
    const table = renderMatrix(cells);
    mkdirSync(join(MATRIX_FILE, '..'), { recursive: true });
    writeFileSync(MATRIX_FILE, `${table}\n`);
    process.stdout.write(
      `\nAuthorisation matrix through the gateway (${MATRIX_FILE}):\n${table}\n`,
    );
    expect(brokenCells(cells)).toEqual([]);
  }, 120_000);

  it("answers each service's internal audit routes as their rule says, and the gateway does not route them", async () => {
    const internal = routes.filter(isInternal);
    expect(internal.length).toBeGreaterThan(0);
    for (const name of SERVICES) {
      const service = system.services[name];
      const broken = brokenCells(
        await matrixCells(
          internal,
          tokens,
          sender(() => service.url),
        ),
      );
      expect({ service: name, broken }).toEqual({ service: name, broken: [] });
    }
    for (const route of internal) {
      const res = await send(route.method, concretePath(route.path), tokens.get('auditor'));
      expect({ path: route.path, status: res.status }).toEqual({ path: route.path, status: 404 });
    }
  }, 120_000);

  describe('another organisation', () => {
    let a: OrganisationA;

    beforeAll(async () => {
      // Each service hears of the others' events over Kafka, later than the embedded platform.
      a = await setUpOrganisationA(send, tokenOf, { retryForMs: RETRY_MS });
    }, STARTUP_MS * 3);

    itRefusesAnotherOrganisation(send, () => a);
  });

  describe('another organisation, after the bids are opened', () => {
    let walked: WalkedPcp;

    beforeAll(async () => {
      walked = await walkPcpOfOrganisationA(send, tokenOf, { retryForMs: RETRY_MS });
    }, STARTUP_MS * 3);

    itKeepsTheWalkedPcpToItsParties(send, () => walked, { retryForMs: RETRY_MS });
  });
});
