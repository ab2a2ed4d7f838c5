import { randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createTestApp, type TestApp } from '@pcp/platform';
import { consultationStream } from '../application/streams';
import { consultationsContextWith } from '../consultations.context';
import {
  DAY_MS,
  MovableClock,
  consultationBody,
  PEOPLE,
  fieldsOf,
  tokensFor,
  type Person,
} from './consultations.e2e-fixtures';
import {
  needsAsPublished,
  publishBuyersGroup,
  publishGroupJoin,
  publishRecordedNeed,
  publishValidatedNeed,
  publishWithdrawal,
  type Procurer,
} from './needs-publisher.e2e-fixtures';

const CONSISTENCY_WAIT_MS = 1200;

// Consultations hears of needs and buyers groups only through the needs context's integration
// events: here the needs context's stored events, put on the app's log and fed to consultations
// through the same translation and consumer as when both contexts run together.
describe('consultations over HTTP, learning of needs from their published events', () => {
  const clock = new MovableClock();
  let app: TestApp;
  let tokens: Record<Person, string>;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        needsAsPublished,
        consultationsContextWith({ clock, consistencyWaitMs: CONSISTENCY_WAIT_MS }),
      ],
    });
    tokens = await tokensFor(app);
  });
  afterAll(() => app.close());
  afterEach(() => clock.reset());

  const post = (path: string, who: Person = 'ana') =>
    app.http().post(path).auth(tokens[who], { type: 'bearer' });
  const get = (path: string, who: Person = 'ana') =>
    app.http().get(path).auth(tokens[who], { type: 'bearer' });
  const procurer = (who: Person): Procurer => ({ userId: PEOPLE[who].sub, org: PEOPLE[who].org });
  const recordedNeed = (who: Person = 'ana', region = 'ES11') =>
    publishRecordedNeed(app, procurer(who), region);
  const validatedNeed = (who: Person = 'ana', region = 'ES11') =>
    publishValidatedNeed(app, procurer(who), region);
  const open = async (
    subject?: Record<string, string>,
    changes: Record<string, unknown> = {},
    who: Person = 'ana',
  ) =>
    (
      await post('/consultations', who)
        .send(consultationBody(clock, subject ?? { needId: await validatedNeed(who) }, changes))
        .expect(201)
    ).body as { id: string; revision: number; needId: string };
  const crossRegionalGroup = async () => {
    const galicia = await validatedNeed('ana', 'ES11');
    const group = await publishBuyersGroup(app, procurer('ana'), 'Atlantic sepsis group', [
      { id: galicia, org: PEOPLE.ana.org, region: 'ES11' },
    ]);
    const navarra = await validatedNeed('bea', 'ES22');
    await publishGroupJoin(app, group, procurer('bea'), { id: navarra, region: 'ES22' });
    return group;
  };

  describe('POST /consultations (cannot be 404 or 409: it creates)', () => {
    it('201 right after the need is validated: it waits for the needs context to tell', async () => {
      const needId = await validatedNeed();
      const res = await post('/consultations')
        .send(consultationBody(clock, { needId }))
        .expect(201);
      expect(res.headers['location']).toBe(`/consultations/${res.body.id}`);
      expect(res.body).toMatchObject({
        org: 'org-sergas',
        needId,
        buyersGroupId: null,
        regions: ['ES11'],
        status: 'DRAFT',
        questions: ['Which data sources does your solution need?'],
        stateOfTheArtTrl: 6,
        responseCount: 0,
        revision: 0,
      });
      const [event] = await app.store.readStream(consultationStream(res.body.id));
      expect(event).toMatchObject({
        type: 'ConsultationOpened',
        actor: { userId: 'u-ana', org: 'org-sergas' },
      });
    });

    it('201 on a buyers group the caller leads, across its regions', async () => {
      const buyersGroupId = await crossRegionalGroup();
      const res = await post('/consultations')
        .send(consultationBody(clock, { buyersGroupId }))
        .expect(201);
      expect(res.body).toMatchObject({ needId: null, buyersGroupId, regions: ['ES11', 'ES22'] });
    });

    it('400: no subject, both subjects, times without offset, a TRL out of range, unknown fields', async () => {
      const none = await post('/consultations').send(consultationBody(clock, {})).expect(400);
      expect(fieldsOf(none.body)).toEqual(['needId']);
      const both = await post('/consultations')
        .send(consultationBody(clock, { needId: 'a', buyersGroupId: 'b' }))
        .expect(400);
      expect(fieldsOf(both.body)).toEqual(['buyersGroupId']);
      const res = await post('/consultations')
        .send(
          consultationBody(
            clock,
            { needId: randomUUID() },
            {
              opensAt: '2030-03-01T09:00:00',
              closesAt: 'next spring',
              stateOfTheArtTrl: 10,
              budget: 1,
            },
          ),
        )
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['budget', 'closesAt', 'opensAt', 'stateOfTheArtTrl']);
    });

    it('401 without a token, 403 for a supplier', async () => {
      await app.http().post('/consultations').send({}).expect(401);
      await post('/consultations', 'sam')
        .send(consultationBody(clock, { needId: randomUUID() }))
        .expect(403);
    });

    it("403 on another organisation's need, and on a group the caller does not lead", async () => {
      const navarra = await validatedNeed('bea', 'ES22');
      const res = await post('/consultations')
        .send(consultationBody(clock, { needId: navarra }))
        .expect(403);
      expect(res.body.message).toMatch(/org-navarrabiomed/);
      const buyersGroupId = await crossRegionalGroup();
      await post('/consultations', 'bea')
        .send(consultationBody(clock, { buyersGroupId }))
        .expect(403);
    });

    it('422 for a need that is not validated: after waiting for news, not before', async () => {
      const needId = await recordedNeed();
      const started = Date.now();
      const res = await post('/consultations')
        .send(consultationBody(clock, { needId }))
        .expect(422);
      expect(Date.now() - started).toBeGreaterThanOrEqual(CONSISTENCY_WAIT_MS - 50);
      expect(res.body.message).toBe(
        `The need ${needId} is not validated (it is recorded); only a validated need can be consulted on`,
      );
      const unknown = randomUUID();
      const ghost = await post('/consultations')
        .send(consultationBody(clock, { needId: unknown }))
        .expect(422);
      expect(ghost.body.message).toBe(
        `The need ${unknown} is not validated: no need with this id is known`,
      );
    });

    it('422 at once for a withdrawn need', async () => {
      const needId = await validatedNeed();
      await publishWithdrawal(app, needId, procurer('ana'), 'Merged into another need');
      await app.settle();
      const started = Date.now();
      const res = await post('/consultations')
        .send(consultationBody(clock, { needId }))
        .expect(422);
      expect(Date.now() - started).toBeLessThan(CONSISTENCY_WAIT_MS);
      expect(res.body.message).toMatch(/is not validated \(it is withdrawn\)/);
    });

    it('422 for dates out of order and for a group of one region', async () => {
      const needId = await validatedNeed();
      const now = clock.now().getTime();
      const res = await post('/consultations')
        .send(
          consultationBody(
            clock,
            { needId },
            {
              opensAt: new Date(now + 10 * DAY_MS).toISOString(),
              closesAt: new Date(now + 5 * DAY_MS).toISOString(),
            },
          ),
        )
        .expect(422);
      expect(res.body.message).toMatch(/must close after it opens/);
      const lonely = await publishBuyersGroup(app, procurer('ana'), 'Galicia alone', [
        { id: await validatedNeed(), org: PEOPLE.ana.org, region: 'ES11' },
      ]);
      const single = await post('/consultations')
        .send(consultationBody(clock, { buyersGroupId: lonely }))
        .expect(422);
      expect(single.body.message).toMatch(/spans one region so far/);
    });

    it('replays a repeated opening with the same Idempotency-Key and opens one consultation', async () => {
      const needId = await validatedNeed();
      const body = consultationBody(clock, { needId });
      const first = await post('/consultations')
        .set('Idempotency-Key', `open-${needId}`)
        .send(body)
        .expect(201);
      const again = await post('/consultations')
        .set('Idempotency-Key', `open-${needId}`)
        .send(body)
        .expect(201);
      expect(again.body).toEqual(first.body);
      await app.settle();
      expect((await get(`/consultations?needId=${needId}`).expect(200)).body.items).toHaveLength(1);
      await post('/consultations')
        .set('Idempotency-Key', `open-${needId}`)
        .send({ ...body, title: 'Another title' })
        .expect(422);
    });
  });

  describe('GET /consultations/{id} (any role: never 403; reading: never 409 or 422)', () => {
    it('200 for any role; asOf gives the state then, 404 before it existed, 400 when malformed', async () => {
      const c = await open();
      const beforePublication = clock.now().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      await post(`/consultations/${c.id}/publish`).send({}).expect(200);
      expect((await get(`/consultations/${c.id}`, 'sam').expect(200)).body.status).toBe(
        'PUBLISHED',
      );
      const then = await get(
        `/consultations/${c.id}?asOf=${encodeURIComponent(beforePublication)}`,
      ).expect(200);
      expect(then.body).toMatchObject({ status: 'DRAFT', revision: 0 });
      await get(`/consultations/${c.id}?asOf=2020-01-01T00:00:00Z`).expect(404);
      expect(
        fieldsOf((await get(`/consultations/${c.id}?asOf=2020-01-01`).expect(400)).body),
      ).toEqual(['asOf']);
    });

    it('401 without a token, 404 for an unknown id', async () => {
      await app.http().get(`/consultations/${randomUUID()}`).expect(401);
      await get(`/consultations/${randomUUID()}`).expect(404);
    });
  });

  describe('GET /consultations (any role: never 403; no id: never 404; never 409 or 422)', () => {
    it('filters by status, region, need and buyers group, and walks the pages', async () => {
      const needId = await validatedNeed('bea', 'ES22');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await open({ needId }, { title: `Navarra round ${i}` }, 'bea')).id);
      await post(`/consultations/${ids[1]}/publish`, 'bea').send({}).expect(200);
      const buyersGroupId = await crossRegionalGroup();
      const grouped = await open({ buyersGroupId });
      await app.settle();

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const after = cursor ? `&cursor=${cursor}` : '';
        const body: { items: { id: string }[]; nextCursor: string | null } = (
          await get(`/consultations?needId=${needId}&limit=2${after}`, 'sam').expect(200)
        ).body;
        seen.push(...body.items.map((c) => c.id));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ids);

      const published = await get(`/consultations?needId=${needId}&status=PUBLISHED`).expect(200);
      expect(published.body.items.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
      const byGroup = await get(`/consultations?buyersGroupId=${buyersGroupId}`).expect(200);
      expect(byGroup.body.items.map((c: { id: string }) => c.id)).toEqual([grouped.id]);
      const navarra = await get('/consultations?region=ES22&limit=500').expect(200);
      expect(navarra.body.items.map((c: { id: string }) => c.id)).toEqual(
        expect.arrayContaining([...ids, grouped.id]),
      );
    });

    it('400 for bad limits, statuses, cursors and unknown filters; 401 without a token', async () => {
      for (const query of ['limit=0', 'limit=501', 'status=OPEN', 'cursor=%%%', 'route=PCP']) {
        await get(`/consultations?${query}`).expect(400);
      }
      await app.http().get('/consultations').expect(401);
    });
  });

  describe('POST /consultations/{id}/publish', () => {
    it('200: published now by the server clock, lead time counted, no warning from 30 days', async () => {
      const c = await open();
      // A command without fields needs no body at all.
      const res = await fetch(`${app.url}/consultations/${c.id}/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.ana}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { publishedAt: string };
      expect(body).toMatchObject({
        status: 'PUBLISHED',
        leadTimeDays: 39,
        warnings: [],
        revision: 1,
      });
      expect(Math.abs(Date.parse(body.publishedAt) - clock.now().getTime())).toBeLessThan(5000);
    });

    it('200 with a SHORT_LEAD_TIME warning under 30 days, and the reason given in the history', async () => {
      const c = await open(undefined, {
        opensAt: new Date(clock.now().getTime() + 10 * DAY_MS).toISOString(),
      });
      const res = await post(`/consultations/${c.id}/publish`)
        .send({ reason: 'Notice 2025/S 014-039871' })
        .expect(200);
      expect(res.body).toMatchObject({ leadTimeDays: 9, warnings: ['SHORT_LEAD_TIME'] });
      const history = await get(`/consultations/${c.id}/history`).expect(200);
      expect(history.body.items[1]).toMatchObject({
        type: 'PriorInformationNoticePublished',
        reason: 'Notice 2025/S 014-039871',
      });
    });

    it('400 for unknown fields; 401; 403 for a supplier or another organisation; 404', async () => {
      const c = await open();
      expect(
        fieldsOf(
          (await post(`/consultations/${c.id}/publish`).send({ at: 'now' }).expect(400)).body,
        ),
      ).toEqual(['at']);
      await app.http().post(`/consultations/${c.id}/publish`).send({}).expect(401);
      await post(`/consultations/${c.id}/publish`, 'sam').send({}).expect(403);
      await post(`/consultations/${c.id}/publish`, 'bea').send({}).expect(403);
      await post(`/consultations/${randomUUID()}/publish`).send({}).expect(404);
      await post(`/consultations/${randomUUID()}/publish`)
        .set('If-Match', '"0"')
        .send({})
        .expect(404);
    });

    it('409 when already published, and for a stale If-Match', async () => {
      const c = await open();
      await post(`/consultations/${c.id}/publish`).set('If-Match', '"0"').send({}).expect(200);
      const again = await post(`/consultations/${c.id}/publish`).send({}).expect(409);
      expect(again.body.message).toMatch(/already published/);
      const stale = await post(`/consultations/${c.id}/publish`)
        .set('If-Match', '"0"')
        .send({})
        .expect(409);
      expect(stale.body.details).toEqual({ currentRevision: '1' });
    });

    it('422 once closesAt has passed', async () => {
      const c = await open();
      clock.advance(81 * DAY_MS);
      const res = await post(`/consultations/${c.id}/publish`).send({}).expect(422);
      expect(res.body.message).toMatch(/open a new consultation with later dates/);
    });
  });

  describe('GET /consultations/{id}/history (any role: never 403; never 409 or 422)', () => {
    it('records every change with actor, time, reason and hash; withholds other suppliers from a supplier', async () => {
      const c = await open();
      await post(`/consultations/${c.id}/publish`).send({}).expect(200);
      await post(`/consultations/${c.id}/responses`, 'sam')
        .send({
          solutionName: 'SepsisWatch',
          summary: 'Risk score from vital signs.',
          declaredTrl: 6,
        })
        .expect(201);
      await post(`/consultations/${c.id}/responses`, 'tom')
        .send({
          solutionName: 'IntelliSepsis',
          summary: 'Bedside monitor analytics.',
          declaredTrl: 8,
        })
        .expect(201);

      const full = await get(`/consultations/${c.id}/history`).expect(200);
      expect(full.body.streamId).toBe(consultationStream(c.id));
      expect(full.body.items).toMatchObject([
        {
          type: 'ConsultationOpened',
          revision: 0,
          actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
        },
        { type: 'PriorInformationNoticePublished', revision: 1 },
        {
          type: 'ConsultationResponseSubmitted',
          revision: 2,
          actor: { org: 'org-medtech-sme' },
          data: { supplierSme: true, supplierCountry: 'ES' },
        },
        { type: 'ConsultationResponseSubmitted', revision: 3, actor: { org: 'org-philips-nl' } },
      ]);
      for (const item of full.body.items) {
        expect(item).toMatchObject({
          occurredAt: expect.any(String),
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(JSON.stringify(item)).not.toMatch(/Ana García|Sam Ortega/);
      }
      expect((await get(`/consultations/${c.id}/history`, 'aud').expect(200)).body).toEqual(
        full.body,
      );

      const asSam = await get(`/consultations/${c.id}/history`, 'sam').expect(200);
      expect(asSam.body.items[2]).toEqual(full.body.items[2]);
      expect(asSam.body.items[3]).toMatchObject({
        hash: full.body.items[3].hash,
        actor: { userId: 'withheld', org: null },
        data: { consultationId: c.id, withheld: true },
      });
    });

    it('401 without a token, 404 for an unknown consultation', async () => {
      await app.http().get(`/consultations/${randomUUID()}/history`).expect(401);
      await get(`/consultations/${randomUUID()}/history`).expect(404);
    });
  });

  // The document of needs and consultations together is checked in tools/e2e.
  describe('the OpenAPI document of consultations', () => {
    type Operation = {
      tags?: string[];
      summary?: string;
      security?: unknown[];
      parameters?: { name: string; in: string }[];
      requestBody?: unknown;
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
        ['post', '/consultations'],
        ['get', '/consultations'],
        ['get', '/consultations/{id}'],
        ['get', '/consultations/{id}/history'],
        ['post', '/consultations/{id}/publish'],
        ['post', '/consultations/{id}/responses'],
        ['get', '/consultations/{id}/responses'],
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
          if (path !== '/consultations') {
            expect(headers).toContain('If-Match');
            expect(Object.keys(operation.responses)).toEqual(
              expect.arrayContaining(['400', '403', '404', '409', '422']),
            );
          }
        }
      }
      // The rule's exceptions are part of the contract a client reads.
      const routeRule = document.paths['/consultations/{id}/route']['post'] as Operation & {
        description?: string;
      };
      expect(routeRule.description).toEqual(
        expect.stringMatching(
          /Below 8: PCP, and INNOVATION_PARTNERSHIP.*TRL 9: PPI, and COMMERCIAL.*or NONE.*no TRL is known.*every route/s,
        ),
      );
      // The lists a consultation holds come in pages like every other list.
      for (const [path, schema] of [
        ['/consultations/{id}/responses', 'SupplierResponseList'],
        ['/consultations/{id}/questions', 'ClarificationList'],
      ]) {
        const query = (document.paths[path]['get'].parameters ?? []).filter(
          (p) => p.in === 'query',
        );
        expect(query.map((p) => p.name).sort()).toEqual(['cursor', 'limit']);
        expect(Object.keys(document.components.schemas[schema].properties ?? {})).toEqual([
          'items',
          'nextCursor',
        ]);
      }
      const opening = document.components.schemas['OpenConsultationDto'].properties ?? {};
      expect(opening['stateOfTheArtTrl'].example).toBe(6);
      expect(opening['opensAt'].example).toBe('2025-03-01T09:00:00+01:00');
      // Only its own routes besides the platform's health checks: needs documents its own.
      const foreign = Object.keys(document.paths).filter(
        (p) =>
          !p.startsWith('/consultations') &&
          !p.startsWith('/health/') &&
          // Erasure of personal data and the audit of its own store are served by every service.
          !p.startsWith('/people/') &&
          !p.startsWith('/internal/audit/'),
      );
      expect(foreign).toEqual([]);
    });
  });
});
