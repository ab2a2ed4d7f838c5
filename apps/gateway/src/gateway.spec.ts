import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway } from './gateway';
import { portFrom, serviceFor, upstreamsFrom } from './routes';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

describe('routes', () => {
  it('maps API.md resources to their services', () => {
    expect(serviceFor('/needs/123/validate')).toBe('needs');
    expect(serviceFor('/buyers-groups')).toBe('needs');
    expect(serviceFor('/consultations?status=PUBLISHED')).toBe('consultations');
    expect(serviceFor('/me/participations')).toBe('tenders');
    expect(serviceFor('/audit/verify')).toBe('pipeline');
    expect(serviceFor('/people/u-sam/erasure')).toBe('pipeline');
    expect(serviceFor('/unknown')).toBeNull();
  });

  it('refuses an upstream that is not a URL', () => {
    expect(() => upstreamsFrom({ NEEDS_URL: 'not a url' })).toThrow('NEEDS_URL is not a URL');
  });

  it('listens on PORT, 3000 by default; a port that is not one stops it with the reason', () => {
    expect(portFrom({})).toBe(3000);
    expect(portFrom({ PORT: '3100' })).toBe(3100);
    for (const bad of ['abc', '3100.5', '-1', '65536']) {
      expect(() => portFrom({ PORT: bad })).toThrow(
        `PORT must be a whole number from 0 to 65535, not "${bad}"`,
      );
    }
  });
});

describe('gateway (real sockets on loopback)', () => {
  const servers: Server[] = [];
  let gatewayUrl: string;
  let consultationsUrl: string;

  beforeAll(async () => {
    const needs = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'application/json', Location: '/needs/n1' });
        res.end(
          JSON.stringify({
            service: 'needs',
            method: req.method,
            url: req.url,
            auth: req.headers.authorization,
            body,
          }),
        );
      });
    });
    const consultations = createServer((_req, res) => res.end('{}'));
    servers.push(needs, consultations);
    const needsUrl = await listen(needs);
    consultationsUrl = await listen(consultations);
    // Consultations' port is closed again: its requests must get a clear 503.
    await new Promise((r) => consultations.close(r));
    const gateway = createGateway(
      upstreamsFrom({ NEEDS_URL: needsUrl, CONSULTATIONS_URL: consultationsUrl }),
    );
    servers.push(gateway);
    gatewayUrl = await listen(gateway);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('forwards method, path, headers and body, and returns the answer unchanged', async () => {
    const res = await fetch(`${gatewayUrl}/needs?region=ES51`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'x' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/needs/n1');
    expect(await res.json()).toEqual({
      service: 'needs',
      method: 'POST',
      url: '/needs?region=ES51',
      auth: 'Bearer t',
      body: '{"title":"x"}',
    });
  });

  it('answers 404 for paths no service owns and 503 when the owner is down', async () => {
    const unknown = await fetch(`${gatewayUrl}/elsewhere`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      statusCode: 404,
      message: 'No service serves /elsewhere',
    });
    const down = await fetch(`${gatewayUrl}/consultations`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { message: string }).message).toContain('consultations');
    const tenders = await fetch(`${gatewayUrl}/tenders`);
    expect(tenders.status).toBe(404);
  });

  it('is ready only when every routed service is ready', async () => {
    const res = await fetch(`${gatewayUrl}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { services: Record<string, string> };
    expect(body.services.consultations).toMatch(/^down/);
  });
});
