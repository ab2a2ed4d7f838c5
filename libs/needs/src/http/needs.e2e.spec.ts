import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '@pcp/platform';
import { needStream } from '../application/streams';
import { needsContext } from '../needs.context';
import { fieldsOf, needBody, tokensFor, type Person } from './needs.e2e-fixtures';

describe('needs over HTTP', () => {
  let app: TestApp;
  let tokens: Record<Person, string>;

  beforeAll(async () => {
    app = await createTestApp({ contexts: [needsContext] });
    tokens = await tokensFor(app);
  });
  afterAll(() => app.close());

  const post = (path: string, who: Person = 'ana') =>
    app.http().post(path).auth(tokens[who], { type: 'bearer' });
  const get = (path: string, who: Person = 'ana') =>
    app.http().get(path).auth(tokens[who], { type: 'bearer' });
  const record = async (changes: Record<string, unknown> = {}, who: Person = 'ana') =>
    (await post('/needs', who).send(needBody(changes)).expect(201)).body as {
      id: string;
      revision: number;
    };
  const validated = async (changes: Record<string, unknown> = {}, who: Person = 'ana') => {
    const need = await record(changes, who);
    await post(`/needs/${need.id}/validate`, who).send({}).expect(200);
    return need;
  };
  const streamOf = (id: string) => app.store.readStream(needStream(id));

  // Codes a route cannot produce are named in its describe: no id (404), no state (409).
  describe('POST /needs (cannot be 404 or 409: it creates)', () => {
    it('201: records every field, owned by the caller, with Location and revision 0', async () => {
      const res = await post('/needs').send(needBody()).expect(201);
      expect(res.headers['location']).toBe(`/needs/${res.body.id}`);
      expect(res.body).toMatchObject({
        org: 'org-sergas',
        status: 'RECORDED',
        region: 'ES11',
        regionName: 'Galicia',
        diseaseField: 'infectious',
        scope: ['early_detection', 'decision_support'],
        patientPopulation: 12000,
        budgetEstimateEur: 2500000,
        barriers: ['data_fragmentation', 'ai_uncertainty'],
        evidence: [
          {
            title: 'Regional sepsis audit 2024',
            url: 'https://www.sergas.es/audit-sepsis-2024.pdf',
          },
          { title: 'Clinical board minutes, March 2024', url: null },
        ],
        priority: null,
        buyersGroupId: null,
        revision: 0,
      });
      const [event] = await streamOf(res.body.id);
      expect(event).toMatchObject({
        type: 'NeedRecorded',
        actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
      });
      // No personal data in events: user ids and organisations only, never the person's name.
      expect(JSON.stringify({ ...event, revision: 0, globalPosition: 0 })).not.toContain(
        'Ana García',
      );
    });

    it('counts the description without spaces: 2000 visible characters fit, 2001 do not', async () => {
      const words = (count: number) => Array.from({ length: count / 4 }, () => 'abcd').join(' ');
      const fits = words(2000);
      expect(fits.length).toBeGreaterThan(2000);
      await post('/needs')
        .send(needBody({ description: fits }))
        .expect(201);
      const res = await post('/needs')
        .send(needBody({ description: `${fits}x` }))
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['description']);
    });

    it('takes barriers and evidence as optional', async () => {
      const body = needBody();
      delete (body as Partial<typeof body>).barriers;
      delete (body as Partial<typeof body>).evidence;
      const res = await post('/needs').send(body).expect(201);
      expect(res.body).toMatchObject({ barriers: [], evidence: [] });
    });

    it('400: lists the refused fields, reference data included, and unknown fields', async () => {
      const res = await post('/needs')
        .send(
          needBody({
            region: 'ES99',
            diseaseField: 'oncology',
            scope: ['surgery'],
            barriers: ['bureaucracy'],
            patientPopulation: -1,
            budgetEstimateEur: 'a lot',
            evidence: [{ title: '', url: 'ftp://example.org/a' }],
            colour: 'blue',
          }),
        )
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(fieldsOf(res.body)).toEqual([
        'barriers',
        'budgetEstimateEur',
        'colour',
        'diseaseField',
        'evidence.0.title',
        'evidence.0.url',
        'patientPopulation',
        'region',
        'scope',
      ]);
      const missing = await post('/needs').send({}).expect(400);
      expect(fieldsOf(missing.body)).toEqual(
        expect.arrayContaining(['title', 'description', 'region', 'scope']),
      );
    });

    it('401 without a token, 403 for a supplier', async () => {
      await app.http().post('/needs').send(needBody()).expect(401);
      await post('/needs', 'sam').send(needBody()).expect(403);
    });

    it('422: a rule refuses it (an Extra-Regio code is no place to procure for)', async () => {
      const res = await post('/needs')
        .send(needBody({ region: 'ESZZZ' }))
        .expect(422);
      expect(res.body.message).toMatch(/Extra-Regio/);
    });

    it('replays a repeated create with the same Idempotency-Key and records it once', async () => {
      const key = `record-${randomUUID()}`;
      const body = needBody({ title: `Stroke triage ${key}` });
      const first = await post('/needs').set('Idempotency-Key', key).send(body).expect(201);
      const again = await post('/needs').set('Idempotency-Key', key).send(body).expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['location']).toBe(first.headers['location']);
      await app.settle();
      const listed = await get(`/needs?org=org-sergas&limit=500`).expect(200);
      expect(
        listed.body.items.filter((n: { title: string }) => n.title === body.title),
      ).toHaveLength(1);
      await post('/needs')
        .set('Idempotency-Key', key)
        .send({ ...body, patientPopulation: 1 })
        .expect(422);
    });
  });

  describe('GET /needs/{id} (any role, so never 403; reading never 409 or 422)', () => {
    it('200 for any authenticated role, fresh after a change', async () => {
      const need = await record();
      await post(`/needs/${need.id}/validate`).send({}).expect(200);
      const res = await get(`/needs/${need.id}`, 'sam').expect(200);
      expect(res.body).toMatchObject({ id: need.id, status: 'VALIDATED', revision: 1 });
    });

    it('asOf: the state as it was then; before the need existed 404; malformed 400', async () => {
      const need = await record();
      const between = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      await post(`/needs/${need.id}/validate`).send({}).expect(200);
      const then = await get(`/needs/${need.id}?asOf=${encodeURIComponent(between)}`).expect(200);
      expect(then.body).toMatchObject({ status: 'RECORDED', revision: 0 });
      const history = await get(`/needs/${need.id}/history`).expect(200);
      const atValidation = history.body.items[1].occurredAt;
      const after = await get(`/needs/${need.id}?asOf=${encodeURIComponent(atValidation)}`).expect(
        200,
      );
      expect(after.body).toMatchObject({ status: 'VALIDATED', revision: 1 });
      await get(`/needs/${need.id}?asOf=2001-01-01T00:00:00Z`).expect(404);
      const bad = await get(`/needs/${need.id}?asOf=yesterday`).expect(400);
      expect(fieldsOf(bad.body)).toEqual(['asOf']);
    });

    it('401 without a token, 404 for an unknown id', async () => {
      const need = await record();
      await app.http().get(`/needs/${need.id}`).expect(401);
      const res = await get(`/needs/${randomUUID()}`).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });
  });

  describe('GET /needs (any role: never 403; no id: never 404; reading: never 409 or 422)', () => {
    const org = 'org-ico-catalonia';
    let catalan: string;

    beforeAll(async () => {
      catalan = await app.token({ sub: 'u-cat', org, roles: ['procurer'] });
      const postAs = (path: string) => app.http().post(path).auth(catalan, { type: 'bearer' });
      for (let i = 0; i < 7; i++) {
        const res = await postAs('/needs')
          .send(
            needBody({
              title: `Catalan need ${i}`,
              region: i < 5 ? 'ES51' : 'ES52',
              diseaseField: i % 2 === 0 ? 'cancer' : 'rare',
            }),
          )
          .expect(201);
        if (i < 3) await postAs(`/needs/${res.body.id}/validate`).send({}).expect(200);
      }
      await app.settle();
    });

    it('walks every page with the cursor, each item once, oldest first', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const after = cursor ? `&cursor=${cursor}` : '';
        const body: { items: { title: string }[]; nextCursor: string | null } = (
          await get(`/needs?org=${org}&limit=3${after}`, 'sam').expect(200)
        ).body;
        expect(body.items.length).toBeLessThanOrEqual(3);
        seen.push(...body.items.map((n) => n.title));
        cursor = body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `Catalan need ${i}`));
    });

    it('filters by status, region, disease field and organisation', async () => {
      const titles = async (query: string) =>
        (await get(`/needs?org=${org}&${query}`).expect(200)).body.items.map(
          (n: { title: string }) => n.title,
        );
      expect(await titles('status=VALIDATED')).toEqual([
        'Catalan need 0',
        'Catalan need 1',
        'Catalan need 2',
      ]);
      expect(await titles('region=ES52')).toEqual(['Catalan need 5', 'Catalan need 6']);
      expect(await titles('diseaseField=rare&status=RECORDED')).toEqual([
        'Catalan need 3',
        'Catalan need 5',
      ]);
      expect((await get('/needs?org=org-nobody').expect(200)).body).toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('defaults to 50 per page and accepts at most 500', async () => {
      const res = await get('/needs').expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(50);
      await get('/needs?limit=500').expect(200);
    });

    it('400 for a bad limit, status, cursor or unknown filter; 401 without a token', async () => {
      for (const query of [
        'limit=0',
        'limit=501',
        'limit=ten',
        'status=DONE',
        'cursor=nonsense',
        'colour=blue',
      ]) {
        const res = await get(`/needs?${query}`).expect(400);
        expect(res.body.statusCode).toBe(400);
      }
      await app.http().get('/needs').expect(401);
    });
  });

  describe('POST /needs/{id}/validate', () => {
    it('200: validates with a rationale, which the history shows as the reason', async () => {
      const need = await record();
      const res = await post(`/needs/${need.id}/validate`)
        .send({ rationale: 'Confirmed by the clinical board' })
        .expect(200);
      expect(res.body).toMatchObject({
        id: need.id,
        status: 'VALIDATED',
        validationRationale: 'Confirmed by the clinical board',
        revision: 1,
      });
      const [, event] = await streamOf(need.id);
      expect(event).toMatchObject({
        type: 'NeedValidated',
        reason: 'Confirmed by the clinical board',
      });
    });

    it('400 for unknown fields; 401 without a token', async () => {
      const need = await record();
      const res = await post(`/needs/${need.id}/validate`).send({ approved: true }).expect(400);
      expect(fieldsOf(res.body)).toEqual(['approved']);
      await app.http().post(`/needs/${need.id}/validate`).send({}).expect(401);
    });

    it("403 for another organisation's procurer and for a supplier; nothing recorded", async () => {
      const need = await record();
      const res = await post(`/needs/${need.id}/validate`, 'bea').send({}).expect(403);
      expect(res.body.message).toMatch(/org-sergas/);
      await post(`/needs/${need.id}/validate`, 'sam').send({}).expect(403);
      expect(await streamOf(need.id)).toHaveLength(1);
    });

    it('404 for an unknown need, with or without If-Match', async () => {
      await post(`/needs/${randomUUID()}/validate`).send({}).expect(404);
      await post(`/needs/${randomUUID()}/validate`).set('If-Match', '"0"').send({}).expect(404);
    });

    it('409 when already validated, and for a stale If-Match with the current revision', async () => {
      const need = await record();
      await post(`/needs/${need.id}/prioritise`)
        .set('If-Match', '"0"')
        .send({ score: 50 })
        .expect(200);
      const stale = await post(`/needs/${need.id}/validate`)
        .set('If-Match', '"0"')
        .send({})
        .expect(409);
      expect(stale.body.details).toEqual({ currentRevision: '1' });
      await post(`/needs/${need.id}/validate`).set('If-Match', '"1"').send({}).expect(200);
      const again = await post(`/needs/${need.id}/validate`).send({}).expect(409);
      expect(again.body.message).toBe('The need is already validated');
      await post(`/needs/${need.id}/validate`).set('If-Match', 'soon').send({}).expect(400);
    });

    it('422 for an Idempotency-Key reused with another body (no rule of its own can refuse it)', async () => {
      const need = await record();
      const key = `validate-${need.id}`;
      await post(`/needs/${need.id}/validate`).set('Idempotency-Key', key).send({}).expect(200);
      const replay = await post(`/needs/${need.id}/validate`)
        .set('Idempotency-Key', key)
        .send({})
        .expect(200);
      expect(replay.body.revision).toBe(1);
      expect(await streamOf(need.id)).toHaveLength(2);
      await post(`/needs/${need.id}/validate`)
        .set('Idempotency-Key', key)
        .send({ rationale: 'other' })
        .expect(422);
    });
  });

  describe('POST /needs/{id}/reject', () => {
    it('200: rejects with the reason on the need and in the history', async () => {
      const need = await record();
      const res = await post(`/needs/${need.id}/reject`)
        .send({ reason: 'Covered by the regional sepsis programme' })
        .expect(200);
      expect(res.body).toMatchObject({
        status: 'REJECTED',
        statusReason: 'Covered by the regional sepsis programme',
        revision: 1,
      });
      const [, event] = await streamOf(need.id);
      expect(event.reason).toBe('Covered by the regional sepsis programme');
    });

    it('400 without a reason or with a blank one; 401 without a token', async () => {
      const need = await record();
      expect(fieldsOf((await post(`/needs/${need.id}/reject`).send({}).expect(400)).body)).toEqual([
        'reason',
      ]);
      await post(`/needs/${need.id}/reject`).send({ reason: '   ' }).expect(400);
      await app.http().post(`/needs/${need.id}/reject`).send({ reason: 'x' }).expect(401);
    });

    it('403 for another organisation, 404 for an unknown need', async () => {
      const need = await record();
      await post(`/needs/${need.id}/reject`, 'bea').send({ reason: 'not ours' }).expect(403);
      await post(`/needs/${randomUUID()}/reject`).send({ reason: 'x' }).expect(404);
    });

    it('409 for a validated need (withdraw it instead) and for a rejected one', async () => {
      const need = await validated();
      const res = await post(`/needs/${need.id}/reject`).send({ reason: 'late' }).expect(409);
      expect(res.body.message).toMatch(/withdraw it with a reason instead/);
      const other = await record();
      await post(`/needs/${other.id}/reject`).send({ reason: 'duplicate' }).expect(200);
      await post(`/needs/${other.id}/reject`).send({ reason: 'again' }).expect(409);
      await post(`/needs/${other.id}/validate`).send({}).expect(409);
    });

    it('422 for an Idempotency-Key reused with another body', async () => {
      const need = await record();
      const key = `reject-${need.id}`;
      await post(`/needs/${need.id}/reject`)
        .set('Idempotency-Key', key)
        .send({ reason: 'a' })
        .expect(200);
      await post(`/needs/${need.id}/reject`)
        .set('Idempotency-Key', key)
        .send({ reason: 'b' })
        .expect(422);
    });
  });

  describe('POST /needs/{id}/withdraw', () => {
    it('200: withdraws a validated need with its reason', async () => {
      const need = await validated();
      const res = await post(`/needs/${need.id}/withdraw`)
        .send({ reason: 'Merged into the Atlantic buyers group need' })
        .expect(200);
      expect(res.body).toMatchObject({
        status: 'WITHDRAWN',
        statusReason: 'Merged into the Atlantic buyers group need',
        revision: 2,
      });
    });

    it('400 without a reason; 401 without a token; 403 another organisation; 404 unknown', async () => {
      const need = await record();
      await post(`/needs/${need.id}/withdraw`).send({ note: 'x' }).expect(400);
      await app.http().post(`/needs/${need.id}/withdraw`).send({ reason: 'x' }).expect(401);
      await post(`/needs/${need.id}/withdraw`, 'bea').send({ reason: 'x' }).expect(403);
      await post(`/needs/${randomUUID()}/withdraw`).send({ reason: 'x' }).expect(404);
    });

    it('409 once withdrawn, and for a stale If-Match', async () => {
      const need = await record();
      await post(`/needs/${need.id}/withdraw`)
        .set('If-Match', '0')
        .send({ reason: 'x' })
        .expect(200);
      await post(`/needs/${need.id}/withdraw`).send({ reason: 'again' }).expect(409);
      const stale = await post(`/needs/${need.id}/withdraw`)
        .set('If-Match', '"0"')
        .send({ reason: 'y' })
        .expect(409);
      expect(stale.body.details.currentRevision).toBe('1');
    });

    it('422 for an Idempotency-Key reused with another body', async () => {
      const need = await record();
      const key = `withdraw-${need.id}`;
      await post(`/needs/${need.id}/withdraw`)
        .set('Idempotency-Key', key)
        .send({ reason: 'a' })
        .expect(200);
      await post(`/needs/${need.id}/withdraw`)
        .set('Idempotency-Key', key)
        .send({ reason: 'b' })
        .expect(422);
    });
  });

  describe('POST /needs/{id}/prioritise', () => {
    it('200: scores the need with criteria; a later score replaces it', async () => {
      const need = await validated();
      const res = await post(`/needs/${need.id}/prioritise`)
        .send({ score: 87, criteria: { patientImpact: 90, feasibility: 80 } })
        .expect(200);
      expect(res.body).toMatchObject({
        priority: { score: 87, criteria: { patientImpact: 90, feasibility: 80 } },
        revision: 2,
      });
      const again = await post(`/needs/${need.id}/prioritise`).send({ score: 40 }).expect(200);
      expect(again.body).toMatchObject({ priority: { score: 40, criteria: null }, revision: 3 });
    });

    it('400 for a score or criterion outside 1-100; 401; 403; 404', async () => {
      const need = await record();
      expect(
        fieldsOf((await post(`/needs/${need.id}/prioritise`).send({ score: 0 }).expect(400)).body),
      ).toEqual(['score']);
      await post(`/needs/${need.id}/prioritise`).send({ score: 101 }).expect(400);
      const res = await post(`/needs/${need.id}/prioritise`)
        .send({ score: 50, criteria: { impact: 101 } })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['criteria']);
      await app.http().post(`/needs/${need.id}/prioritise`).send({ score: 5 }).expect(401);
      await post(`/needs/${need.id}/prioritise`, 'bea').send({ score: 5 }).expect(403);
      await post(`/needs/${randomUUID()}/prioritise`).send({ score: 5 }).expect(404);
    });

    it('409 for a withdrawn need', async () => {
      const need = await record();
      await post(`/needs/${need.id}/withdraw`).send({ reason: 'x' }).expect(200);
      await post(`/needs/${need.id}/prioritise`).send({ score: 5 }).expect(409);
    });

    it('422 for a criterion named twice once trimmed', async () => {
      const need = await record();
      const res = await post(`/needs/${need.id}/prioritise`)
        .send({ score: 50, criteria: { impact: 60, ' impact ': 70 } })
        .expect(422);
      expect(res.body.message).toBe('The criterion impact is scored more than once');
    });
  });

  describe('GET /needs/{id}/history (any role: never 403; reading: never 409 or 422)', () => {
    it('200: every change with type, revision, time, actor, reason, hash and data', async () => {
      const need = await record();
      await post(`/needs/${need.id}/prioritise`).send({ score: 70 }).expect(200);
      await post(`/needs/${need.id}/reject`).send({ reason: 'Out of scope' }).expect(200);
      const res = await get(`/needs/${need.id}/history`, 'aud').expect(200);
      expect(res.body.streamId).toBe(needStream(need.id));
      expect(res.body.items.map((i: { type: string }) => i.type)).toEqual([
        'NeedRecorded',
        'NeedPrioritised',
        'NeedRejected',
      ]);
      res.body.items.forEach((item: Record<string, unknown>, revision: number) =>
        expect(item).toMatchObject({
          revision,
          occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
          data: expect.objectContaining({ needId: need.id }),
        }),
      );
      expect(res.body.items[2].reason).toBe('Out of scope');
      expect(res.body.items[1].prevHash).toBe(res.body.items[0].hash);
    });

    it('401 without a token, 404 for an unknown need', async () => {
      await app.http().get(`/needs/${randomUUID()}/history`).expect(401);
      await get(`/needs/${randomUUID()}/history`).expect(404);
    });
  });
});
