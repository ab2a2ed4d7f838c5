import { request as httpRequest } from 'node:http';
import { needsContext } from '@pcp/needs';
import { createTestApp, type TestApp } from '@pcp/platform';

// Starting the platform takes long on a busy machine.
const STARTUP_MS = 180_000;

// Raw requests: fetch refuses TRACE, and the answer to an unserved method is the point here.
function send(url: string, method: string, path: string, token?: string) {
  return new Promise<{ status: number; allow: string | undefined; body: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = httpRequest(
        `${url}${path}`,
        { method, headers: token ? { authorization: `Bearer ${token}` } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            resolve({
              status: res.statusCode ?? 0,
              allow: res.headers['allow'],
              body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            });
          });
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

// Found by the fuzzer: a method the API does not serve on a path it knows was a 404, as if
// the resource did not exist. It is a 405 naming the methods that are served (RFC 9110).
describe('methods a path does not serve', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp({ contexts: [needsContext] });
    token = await app.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
  }, STARTUP_MS);
  afterAll(() => app.close(), STARTUP_MS);

  it('answers 405 with Allow on a known path, in the API error shape', async () => {
    const trace = await send(app.url, 'TRACE', '/needs', token);
    expect(trace.status).toBe(405);
    expect(trace.allow).toBe('GET, POST');
    expect(trace.body).toEqual({
      statusCode: 405,
      error: 'Method Not Allowed',
      message: 'TRACE is not allowed here; use GET, POST',
    });
    const del = await send(app.url, 'DELETE', '/needs/6f1c2a8e-0000-4000-8000-000000000000', token);
    expect(del.status).toBe(405);
    expect(del.allow).toBe('GET');
    expect((await send(app.url, 'PUT', '/needs/some-id/validate')).allow).toBe('POST');
  });

  it('keeps 404 for unknown paths and for resources that do not exist', async () => {
    const unknown = await send(app.url, 'TRACE', '/no-such-thing', token);
    expect(unknown.status).toBe(404);
    expect(unknown.allow).toBeUndefined();
    const missing = await send(
      app.url,
      'GET',
      '/needs/6f1c2a8e-0000-4000-8000-000000000000',
      token,
    );
    expect(missing.status).toBe(404);
  });
});
