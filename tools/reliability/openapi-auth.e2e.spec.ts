import { consultationsContext } from '@pcp/consultations';
import { needsContext } from '@pcp/needs';
import { pilotsContext } from '@pcp/pilots';
import { pipelineContext } from '@pcp/pipeline';
import { createTestApp, type TestApp } from '@pcp/platform';
import { tendersContext } from '@pcp/tenders';

// Starting the platform takes long on a busy machine.
const STARTUP_MS = 180_000;

interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}
interface OpenApiDocument {
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

// Fuzzers and client generators believe the document: an operation it says needs no token
// must answer without one, and every other must refuse a request without one.
describe('the OpenAPI document tells which operations need a token', () => {
  let app: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        needsContext,
        consultationsContext,
        tendersContext,
        pilotsContext,
        pipelineContext,
      ],
    });
    document = (await app.http().get('/docs-json').expect(200)).body as OpenApiDocument;
  }, STARTUP_MS);
  afterAll(() => app.close(), STARTUP_MS);

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({
        method,
        path,
        open: (item[method].security ?? document.security ?? []).length === 0,
      })),
    );

  it('declares the health checks open and every other operation behind a bearer token', () => {
    const open = operations()
      .filter((o) => o.open)
      .map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(open).toEqual(
      expect.arrayContaining(['GET /health/live', 'GET /health/ready', 'GET /tenders/{id}/ocds']),
    );
    expect(operations().length).toBeGreaterThan(open.length);
  });

  it('documents the 413 of an oversized body on every operation that takes a body', async () => {
    const withBody = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]?.requestBody).map((m) => ({ path, op: item[m] })),
    );
    expect(withBody.length).toBeGreaterThan(10);
    expect(withBody.filter(({ op }) => !op.responses?.['413']).map(({ path }) => path)).toEqual([]);
    const token = await app.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    const res = await app
      .http()
      .post('/needs')
      .auth(token, { type: 'bearer' })
      .set('content-type', 'application/json')
      .send(JSON.stringify({ title: 'x'.repeat(200_000) }));
    expect(res.status).toBe(413);
  });

  it('answers without a token exactly where the document says none is needed', async () => {
    const wrong: string[] = [];
    for (const { method, path, open } of operations()) {
      const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const res = await app
        .http()
        [method as 'get'](concrete)
        .send(method === 'get' ? undefined : {});
      if (open ? res.status === 401 || res.status === 403 : res.status !== 401) {
        wrong.push(`${method.toUpperCase()} ${path}: ${res.status} (${open ? 'open' : 'bearer'})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
