import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AnyRole, AuthModule, mintToken, Public } from '@pcp/auth';
import {
  CommandHttpModule,
  hardenHttp,
  InMemoryIdempotencyStore,
  loadConfig,
  SecurityModule,
} from '@pcp/http';
import type { TestApp } from '@pcp/platform';
import { startPlatform, STARTUP_MS } from './platform';

const ORIGIN = 'https://app.example.eu';
const need = {
  title: 'Remote monitoring of heart failure patients',
  description: 'Readmissions within 30 days are too frequent.',
  region: 'ES51',
  diseaseField: 'cardiovascular',
  scope: ['monitoring'],
  patientPopulation: 4000,
  budgetEstimateEur: 900_000,
  barriers: [],
  evidence: [],
};

function expectSecurityHeaders(headers: Headers): void {
  expect(headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('strict-transport-security')).toContain('max-age=');
  // No library advertised.
  expect(headers.get('x-powered-by')).toBeNull();
}

describe('hardening of the embedded platform', () => {
  let app: TestApp;
  let ana: string;
  let bea: string;

  beforeAll(async () => {
    app = await startPlatform({
      CORS_ORIGINS: `${ORIGIN},http://localhost:5173`,
      RATE_LIMIT_WRITES: '5',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
    ana = await app.token({ sub: 'u-ana', org: 'org-a', roles: ['procurer'] });
    bea = await app.token({ sub: 'u-bea', org: 'org-b', roles: ['procurer'] });
  }, STARTUP_MS);
  afterAll(() => app?.close());

  const post = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/needs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('sends security headers on answers and on errors, including refused bodies', async () => {
    expectSecurityHeaders((await fetch(`${app.url}/needs`, { headers: auth(ana) })).headers);
    expectSecurityHeaders((await fetch(`${app.url}/needs`)).headers); // 401
    const tooLarge = await post(ana, { ...need, description: 'x'.repeat(200_000) });
    expect(tooLarge.status).toBe(413);
    expectSecurityHeaders(tooLarge.headers);
  });

  it('keeps Swagger UI working under the content security policy', async () => {
    const page = await fetch(`${app.url}/docs`);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page.headers);
    const csp = page.headers.get('content-security-policy') ?? '';
    // Plain-HTTP deployments would otherwise have the UI's scripts fetched over HTTPS.
    expect(csp).not.toContain('upgrade-insecure-requests');
    const html = await page.text();
    // script-src 'self': every script is a same-origin file, none inline.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>\s*\S/);
    const scripts = [...html.matchAll(/<script[^>]*\bsrc=["']([^"']+)["']/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const src of scripts) {
      const url = new URL(src, page.url);
      expect(url.origin).toBe(app.url);
      expect((await fetch(url)).status).toBe(200);
    }
    expect((await fetch(`${app.url}/docs-json`)).status).toBe(200);
  });

  it('answers cross-origin requests from allowed origins only', async () => {
    const preflight = await fetch(`${app.url}/needs`, {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Idempotency-Key/);
    expect(preflight.headers.get('vary')).toContain('Origin');

    const read = await fetch(`${app.url}/needs`, { headers: { ...auth(ana), Origin: ORIGIN } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(read.headers.get('access-control-expose-headers')).toContain('Location');

    const stranger = await fetch(`${app.url}/needs`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const strangerRead = await fetch(`${app.url}/needs`, {
      headers: { ...auth(ana), Origin: 'https://evil.example' },
    });
    expect(strangerRead.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits writes per user with a 429 in the API error shape and Retry-After; reads and other users go on', async () => {
    for (let i = 0; i < 5; i++) expect((await post(ana, need)).status).toBe(201);
    await app.settle();
    const refused = await post(ana, need);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/at most 5 every 60 s/),
    });
    // Refused writes append nothing.
    await app.settle();
    const list = (await (
      await fetch(`${app.url}/needs?org=org-a`, { headers: auth(ana) })
    ).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(5);
    // Counted per verified user, not per address: every request here comes from 127.0.0.1.
    expect((await post(bea, need)).status).toBe(201);
    expect((await fetch(`${app.url}/needs`, { headers: auth(ana) })).status).toBe(200);
  });
});

function auth(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

describe('request timeouts and defaults (the libs/http pieces every service composes)', () => {
  const secret = 'hardening-secret-of-at-least-32-characters';

  @Controller('probe')
  class ProbeController {
    @Get('slow')
    @Public()
    async slow() {
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      return { late: true };
    }

    @Post('write')
    @AnyRole()
    write() {
      return { ok: true };
    }

    @Post('slow-write')
    @AnyRole()
    async slowWrite() {
      slowWrites++;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return { late: true };
    }
  }
  let slowWrites = 0;
  @Module({ controllers: [ProbeController] })
  class ProbeModule {}

  async function startProbe(env: Record<string, string>) {
    const config = loadConfig(env);
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRoot({ jwtSecret: secret }),
        CommandHttpModule.forRoot({ idempotencyStore: new InMemoryIdempotencyStore() }),
        SecurityModule.forRoot(config),
        ProbeModule,
      ],
    }).compile();
    const probe = moduleRef.createNestApplication({ logger: false });
    hardenHttp(probe, config);
    await probe.listen(0, '127.0.0.1');
    return probe;
  }

  // Short limits to see them act; the defaults in a second instance.
  let app: INestApplication;
  let defaults: INestApplication;
  let url: string;
  let port: number;
  let defaultsUrl: string;

  beforeAll(async () => {
    app = await startProbe({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '500' });
    port = (app.getHttpServer().address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
    defaults = await startProbe({});
    defaultsUrl = `http://127.0.0.1:${(defaults.getHttpServer().address() as AddressInfo).port}`;
  }, STARTUP_MS);
  afterAll(async () => {
    await app?.close();
    await defaults?.close();
  });

  it('answers a handler that does not finish in time with 503 in the API error shape', async () => {
    const started = Date.now();
    const res = await fetch(`${url}/probe/slow`);
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(await res.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringContaining('not answered within 1000 ms'),
    });
  });

  it('frees the Idempotency-Key of a request it answered 503, and drops the late answer', async () => {
    const token = await mintToken(
      { sub: 'u-late', org: 'o', roles: ['procurer'], name: 'u' },
      { secret },
    );
    const send = () =>
      fetch(`${url}/probe/slow-write`, {
        method: 'POST',
        headers: { ...auth(token), 'Idempotency-Key': 'cut-off-1' },
      });
    const first = await send();
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('5');
    // Not 409 "in progress": the key was freed, so the repeat runs the handler again.
    expect((await send()).status).toBe(503);
    expect(slowWrites).toBe(2);
    // Both handlers finish after their 503; the server goes on answering.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await fetch(`${url}/probe/write`, { method: 'POST', headers: auth(token) });
    expect(after.status).toBe(201);
    expect(await after.json()).toEqual({ ok: true });
  });

  it('cuts off a client that trickles its headers or its body (408, socket closed)', async () => {
    const slowHeaders = await rawExchange(port, 'GET /probe/slow HTTP/1.1\r\nHost: x\r\n');
    expect(slowHeaders.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(slowHeaders.ms).toBeLessThan(4_000);

    const slowBody = await rawExchange(
      port,
      'POST /probe/write HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000\r\n\r\n{"a":',
    );
    expect(slowBody.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(slowBody.ms).toBeLessThan(4_000);
  });

  it('sends no CORS headers unless origins are configured', async () => {
    const res = await fetch(`${defaultsUrl}/probe/write`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('does not limit writes at the default rate a busy test suite reaches', async () => {
    const token = await mintToken(
      { sub: 'u', org: 'o', roles: ['procurer'], name: 'u' },
      { secret },
    );
    const statuses = await Promise.all(
      Array.from({ length: 300 }, () =>
        fetch(`${defaultsUrl}/probe/write`, { method: 'POST', headers: auth(token) }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
  });
});

/** Sends raw bytes, then waits for the server to answer and close (at most 10 s). */
function rawExchange(port: number, bytes: string): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept the connection open'));
    }, 10_000);
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ reply, ms: Date.now() - started });
    });
    socket.on('error', () => undefined);
  });
}
