import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken, type Role } from '@pcp/auth';
import { buildApps, startService, type RunningService } from '@pcp/testing';
import { expiredToken, forgedToken } from './platform';

const SECRET = 'log-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

// The built platform as `npm start` runs it, its JSON logs captured from its own stdout and
// stderr at the most verbose level: what an operator's log pipeline would receive.
describe('logs of the built platform', () => {
  let platform: RunningService;
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-security-logs-'));
  const token = (sub: string, roles: Role[]) =>
    mintToken({ sub, org: 'org-logs', roles, name: sub }, { secret: SECRET });

  beforeAll(async () => {
    const main = buildApps('e2e-security')('platform');
    platform = await startService(
      'platform',
      main,
      { DATA_DIR: dataDir, AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'trace', RATE_LIMIT_WRITES: '3' },
      120_000,
    );
  }, 240_000);
  afterAll(async () => {
    if (platform) await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves with security headers and write limits (the services share this bootstrap)', async () => {
    const res = await fetch(`${platform.url}/health/live`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
    const writer = await token('u-limit', ['procurer']);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${platform.url}/needs`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${writer}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      statuses.push(r.status);
    }
    // Refused by validation, then by the limit of 3 writes.
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it('never writes a token or the signing secret, whatever the requests carried', async () => {
    const procurer = await token('u-ana', ['procurer']);
    const expired = await expiredToken(SECRET, { sub: 'u-late', org: 'o', roles: ['procurer'] });
    const forged = await forgedToken({ sub: 'u-forger', org: 'o', roles: ['auditor'] });
    const secrets = [procurer, expired, forged, SECRET];
    const send = (path: string, init: RequestInit = {}) =>
      fetch(`${platform.url}${path}`, init).then(async (r) => ({
        status: r.status,
        text: await r.text(),
      }));
    const auth = (t: string) => ({ Authorization: `Bearer ${t}` });

    expect((await send('/needs', { headers: auth(procurer) })).status).toBe(200);
    const created = await send('/needs', {
      method: 'POST',
      headers: { ...auth(procurer), 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1' },
      body: JSON.stringify({
        title: `Token pasted by mistake: ${procurer}`,
        description: `Secret pasted by mistake: ${SECRET}`,
        region: 'ES11',
        diseaseField: 'other',
        scope: ['monitoring'],
        patientPopulation: 1,
        budgetEstimateEur: 1,
      }),
    });
    expect(created.status).toBe(201);
    expect((await send('/needs', { headers: auth(expired) })).status).toBe(401);
    expect((await send('/needs', { headers: auth(forged) })).status).toBe(401);
    expect((await send('/audit/events', { headers: auth(procurer) })).status).toBe(403);
    expect(
      (await send('/needs', { headers: { Authorization: `Basic ${btoa(`ana:${SECRET}`)}` } }))
        .status,
    ).toBe(401);
    // A client that puts its token in the address instead of the header.
    expect((await send(`/needs?access_token=${procurer}`)).status).toBe(401);
    expect((await send('/needs', { headers: { Cookie: `session=${procurer}` } })).status).toBe(401);
    // Bad bodies are logged as refused, not echoed.
    expect(
      (
        await send('/needs', {
          method: 'POST',
          headers: { ...auth(procurer), 'Content-Type': 'application/json' },
          body: `{"title": "${SECRET}", "__proto__": {}}`,
        })
      ).status,
    ).toBe(400);

    await new Promise((resolve) => setTimeout(resolve, 500));
    await platform.stop();
    const logs = platform.logs.join('');
    // The capture saw the requests: otherwise the absence below would prove nothing.
    expect(logs).toContain('"url":"/needs"');
    expect(logs).toMatch(/"statusCode":401/);
    for (const secret of secrets) {
      const signature = secret.split('.').at(-1) ?? secret;
      const at = Math.max(logs.indexOf(secret), logs.indexOf(signature));
      expect({ leaked: at >= 0 ? logs.slice(Math.max(0, at - 300), at + 100) : null }).toEqual({
        leaked: null,
      });
    }
    expect(logs).not.toContain(btoa(`ana:${SECRET}`));
  });
});
