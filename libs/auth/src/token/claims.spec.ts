import { ORGANISATION_TYPES } from '@pcp/contracts';
import { InvalidTokenError, ORG_TYPES, hasRole, userFromClaims } from './claims';
import { expiresAt, mintToken } from './mint-token';
import { TokenVerifier, VERIFIED_TOKEN_TTL_MS } from './token-verifier';

const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
const base = { sub: 'u1', org: 'org-a', roles: ['procurer'], name: 'Ana' };

describe('userFromClaims', () => {
  it('reads a complete set of claims', () => {
    expect(
      userFromClaims({
        ...base,
        roles: ['procurer', 'auditor', 'procurer'],
        orgType: 'hospital',
        sme: false,
        country: 'ES',
      }),
    ).toEqual({
      userId: 'u1',
      org: 'org-a',
      roles: ['procurer', 'auditor'],
      name: 'Ana',
      orgType: 'hospital',
      sme: false,
      country: 'ES',
    });
  });

  it.each([
    [{ ...base, sub: undefined }, /"sub"/],
    [{ ...base, org: '' }, /"org"/],
    [{ ...base, name: 42 }, /"name"/],
    [{ ...base, roles: 'procurer' }, /"roles"/],
    [{ ...base, roles: [] }, /"roles"/],
    [{ ...base, roles: ['procurer', 'superuser'] }, /"roles"/],
    [{ ...base, orgType: 'ministry' }, /"orgType"/],
    [{ ...base, sme: 'yes' }, /"sme"/],
    [{ ...base, country: 'Spain' }, /"country"/],
  ])('refuses %j', (claims, message) => {
    expect(() => userFromClaims(claims as Record<string, unknown>)).toThrow(InvalidTokenError);
    expect(() => userFromClaims(claims as Record<string, unknown>)).toThrow(message);
  });

  it('takes exactly the organisation types of the reference data as orgType', () => {
    expect(ORG_TYPES).toEqual(ORGANISATION_TYPES);
    for (const orgType of ORGANISATION_TYPES) {
      expect(userFromClaims({ ...base, orgType }).orgType).toBe(orgType);
    }
    expect(() => userFromClaims({ ...base, orgType: 'ministry' })).toThrow(
      `Token claim "orgType" must be one of ${ORGANISATION_TYPES.join(', ')}`,
    );
  });

  it('checks roles', () => {
    expect(hasRole({ roles: ['supplier'] }, 'procurer', 'supplier')).toBe(true);
    expect(hasRole({ roles: ['supplier'] }, 'procurer')).toBe(false);
  });
});

describe('mintToken and TokenVerifier (HS256)', () => {
  const verifier = new TokenVerifier({ jwtSecret: SECRET, issuer: 'pcp', audience: 'pcp-api' });
  const claims = {
    sub: 'u1',
    org: 'org-a',
    roles: ['procurer' as const],
    name: 'Ana',
    country: 'ES',
  };

  it('round-trips a minted token', async () => {
    const token = await mintToken(claims, { secret: SECRET, issuer: 'pcp', audience: 'pcp-api' });
    await expect(verifier.verify(token)).resolves.toEqual({
      userId: 'u1',
      org: 'org-a',
      roles: ['procurer'],
      name: 'Ana',
      country: 'ES',
    });
  });

  it('refuses another secret, an expired token, a wrong issuer or audience, and garbage', async () => {
    const other = await mintToken(claims, {
      secret: `${SECRET}-other`,
      issuer: 'pcp',
      audience: 'pcp-api',
    });
    await expect(verifier.verify(other)).rejects.toThrow('Invalid token signature');

    const expired = await mintToken(claims, {
      secret: SECRET,
      issuer: 'pcp',
      audience: 'pcp-api',
      ttl: '1h',
      issuedAt: new Date(Date.now() - 2 * 3600_000),
    });
    await expect(verifier.verify(expired)).rejects.toThrow('Token expired');

    const issuer = await mintToken(claims, {
      secret: SECRET,
      issuer: 'elsewhere',
      audience: 'pcp-api',
    });
    await expect(verifier.verify(issuer)).rejects.toThrow(/"iss"/);
    const audience = await mintToken(claims, { secret: SECRET, issuer: 'pcp', audience: 'other' });
    await expect(verifier.verify(audience)).rejects.toThrow(/"aud"/);

    await expect(verifier.verify('not.a.token')).rejects.toThrow(InvalidTokenError);
  });

  describe('verified tokens', () => {
    const t0 = Date.UTC(2030, 0, 1, 9);
    const token = () =>
      mintToken(claims, {
        secret: SECRET,
        issuer: 'pcp',
        audience: 'pcp-api',
        ttl: '10m',
        issuedAt: new Date(t0),
      });

    it('are taken on trust for a while, then checked again', async () => {
      const options = { jwtSecret: SECRET, issuer: 'pcp', audience: 'pcp-api' };
      let now = t0;
      const remembering = new TokenVerifier(options, () => now);
      const minted = await token();
      await expect(remembering.verify(minted)).resolves.toMatchObject({ userId: 'u1' });
      // From here a fresh check would refuse the token: only a remembered one passes.
      options.audience = 'another-api';
      now = t0 + VERIFIED_TOKEN_TTL_MS - 1;
      await expect(remembering.verify(minted)).resolves.toMatchObject({ userId: 'u1' });
      now = t0 + VERIFIED_TOKEN_TTL_MS;
      await expect(remembering.verify(minted)).rejects.toThrow(/"aud"/);
    });

    it('are refused once they expire, however lately they were verified', async () => {
      let now = t0;
      const remembering = new TokenVerifier(
        { jwtSecret: SECRET, issuer: 'pcp', audience: 'pcp-api', clockToleranceSec: 0 },
        () => now,
      );
      const minted = await token();
      now = t0 + 10 * 60_000 - 30_000;
      await expect(remembering.verify(minted)).resolves.toMatchObject({ userId: 'u1' });
      now = t0 + 10 * 60_000;
      await expect(remembering.verify(minted)).rejects.toThrow('Token expired');
    });

    it('give each caller its own user', async () => {
      const remembering = new TokenVerifier(
        { jwtSecret: SECRET, issuer: 'pcp', audience: 'pcp-api' },
        () => t0,
      );
      const minted = await token();
      const first = await remembering.verify(minted);
      first.roles.push('evaluator');
      first.org = 'org-b';
      await expect(remembering.verify(minted)).resolves.toMatchObject({
        org: 'org-a',
        roles: ['procurer'],
      });
    });
  });

  it('refuses short secrets and a configuration without keys', () => {
    expect(() => new TokenVerifier({ jwtSecret: 'short' })).toThrow(/at least 32/);
    expect(() => new TokenVerifier({})).toThrow(/secret or a JWKS URL/);
  });

  it('computes expiry from the ttl', () => {
    expect(expiresAt(1000, '8h')).toBe(1000 + 8 * 3600);
    expect(expiresAt(1000, '30m')).toBe(1000 + 1800);
    expect(() => expiresAt(1000, 'soon')).toThrow(/Invalid ttl/);
  });
});
