import SwaggerParser from '@apidevtools/swagger-parser';
import { consultationsContextWith } from '@pcp/consultations';
import { needsContext } from '@pcp/needs';
import { createTestApp, type TestApp } from '@pcp/platform';
import { consultationFor, galicianNeed } from './scenario';

const CONSISTENCY_WAIT_MS = 1200;

// Both contexts composed in one process, as `npm start` does, driven through the real needs
// routes. Each context's own suite meets the other only through its published language.
describe('needs and consultations in one process', () => {
  let app: TestApp;
  let ana: string;
  let bea: string;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        needsContext,
        consultationsContextWith({ consistencyWaitMs: CONSISTENCY_WAIT_MS }),
      ],
    });
    ana = await app.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    bea = await app.token({ sub: 'u-bea', org: 'org-navarrabiomed', roles: ['procurer'] });
  });
  afterAll(() => app.close());

  const post = (path: string, token = ana) => app.http().post(path).auth(token, { type: 'bearer' });
  const validatedNeed = async (token = ana, region = 'ES11') => {
    const id = (
      await post('/needs', token)
        .send({ ...galicianNeed, region })
        .expect(201)
    ).body.id as string;
    await post(`/needs/${id}/validate`, token).send({}).expect(200);
    return id;
  };

  it('opens a consultation across the regions of a buyers group formed and joined over HTTP', async () => {
    const galicia = await validatedNeed(ana, 'ES11');
    const group = (
      await post('/buyers-groups')
        .send({ name: 'Atlantic sepsis group', needIds: [galicia] })
        .expect(201)
    ).body.id as string;
    const navarra = await validatedNeed(bea, 'ES22');
    await post(`/buyers-groups/${group}/join`, bea).send({ needId: navarra }).expect(200);

    const { needId: _, ...body } = consultationFor(galicia);
    const res = await post('/consultations')
      .send({ ...body, buyersGroupId: group })
      .expect(201);
    expect(res.body).toMatchObject({
      needId: null,
      buyersGroupId: group,
      regions: ['ES11', 'ES22'],
    });
    await post('/consultations', bea)
      .send({ ...body, buyersGroupId: group })
      .expect(403);
  });

  it('refuses at once a consultation on a need withdrawn over HTTP', async () => {
    const needId = await validatedNeed();
    await post(`/needs/${needId}/withdraw`)
      .send({ reason: 'Merged into another need' })
      .expect(200);
    await app.settle();
    const started = Date.now();
    const res = await post('/consultations').send(consultationFor(needId)).expect(422);
    expect(Date.now() - started).toBeLessThan(CONSISTENCY_WAIT_MS);
    expect(res.body.message).toMatch(/is not validated \(it is withdrawn\)/);
  });

  describe('the OpenAPI document of both contexts', () => {
    type Operation = {
      tags?: string[];
      summary?: string;
      parameters?: { name: string; in: string }[];
      responses: Record<string, unknown>;
    };

    it('validates, and documents every route with its tag, summary, errors and headers', async () => {
      const document = (await app.http().get('/docs-json').expect(200)).body as {
        paths: Record<string, Record<string, Operation>>;
        components: {
          schemas: Record<string, { properties?: Record<string, { example?: unknown }> }>;
        };
      };
      await SwaggerParser.validate(structuredClone(document) as never);
      const expected: [string, string][] = [
        ['post', '/needs'],
        ['get', '/needs'],
        ['get', '/needs/{id}'],
        ['get', '/needs/{id}/history'],
        ['post', '/needs/{id}/validate'],
        ['post', '/needs/{id}/reject'],
        ['post', '/needs/{id}/withdraw'],
        ['post', '/needs/{id}/prioritise'],
        ['post', '/buyers-groups'],
        ['get', '/buyers-groups/{id}'],
        ['post', '/buyers-groups/{id}/join'],
        ['get', '/buyers-groups/{id}/history'],
        ['post', '/consultations'],
        ['get', '/consultations'],
        ['get', '/consultations/{id}'],
        ['get', '/consultations/{id}/history'],
        ['post', '/consultations/{id}/publish'],
        ['post', '/consultations/{id}/responses'],
        ['post', '/consultations/{id}/questions'],
        ['get', '/consultations/{id}/questions'],
        ['post', '/consultations/{id}/questions/{questionId}/answer'],
        ['post', '/consultations/{id}/close'],
        ['post', '/consultations/{id}/route'],
      ];
      for (const [method, path] of expected) {
        const operation = document.paths[path]?.[method];
        expect({ path, method, documented: operation !== undefined }).toEqual({
          path,
          method,
          documented: true,
        });
        expect(operation.tags?.length).toBeGreaterThan(0);
        expect(operation.summary).toEqual(expect.any(String));
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401']));
        if (method === 'post') {
          const headers = (operation.parameters ?? [])
            .filter((p) => p.in === 'header')
            .map((p) => p.name);
          expect(headers).toContain('Idempotency-Key');
          if (!['/needs', '/buyers-groups', '/consultations'].includes(path)) {
            expect(headers).toContain('If-Match');
            expect(Object.keys(operation.responses)).toEqual(
              expect.arrayContaining(['400', '403', '404', '409', '422']),
            );
          }
        }
      }
      const record = document.components.schemas['RecordNeedDto'].properties ?? {};
      expect(record['region'].example).toBe('ES11');
      expect(record['barriers'].example).toEqual(['data_fragmentation', 'ai_uncertainty']);
    });
  });
});
