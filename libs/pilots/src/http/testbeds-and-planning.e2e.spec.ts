import type { AwardedContract } from '@pcp/contracts';
import { createTestApp, type TestApp } from '@pcp/platform';
import { pilotsContextWith } from '../pilots.context';
import {
  ANA,
  PEOPLE,
  fieldsOf,
  pilotBody,
  testbedBody,
  tokensFor,
  type Person,
} from './pilots.e2e-fixtures';
import {
  PublishedTender,
  lastPhaseContract,
  ppiContract,
  tendersAsPublished,
} from './tenders-publisher.e2e-fixtures';

describe('testbeds and pilot planning over HTTP, with contracts learned from tenders events', () => {
  let app: TestApp;
  let tokens: Record<Person, string>;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [tendersAsPublished, pilotsContextWith({ consistencyWaitMs: 1500 })],
    });
    tokens = await tokensFor(app);
  });
  afterAll(() => app.close());

  const post = (path: string, who: Person = 'ana') =>
    app.http().post(path).auth(tokens[who], { type: 'bearer' });
  const get = (path: string, who: Person = 'ana') =>
    app.http().get(path).auth(tokens[who], { type: 'bearer' });
  const testbed = async (changes: Record<string, unknown> = {}) =>
    (await post('/testbeds').send(testbedBody(changes)).expect(201)).body.id as string;
  const sam = { supplierOrg: PEOPLE.sam.org };

  it('documents every pilots endpoint in OpenAPI, roll-outs included', async () => {
    const res = await app.http().get('/docs-json').expect(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const routes = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /testbeds',
        'GET /testbeds',
        'GET /testbeds/{id}',
        'POST /pilots',
        'GET /pilots',
        'GET /pilots/{id}',
        'GET /pilots/{id}/history',
        'POST /pilots/{id}/evaluators',
        'POST /pilots/{id}/start',
        'POST /pilots/{id}/measurements',
        'POST /pilots/{id}/incidents',
        'POST /pilots/{id}/trl-assessments',
        'POST /pilots/{id}/complete',
        'POST /pilots/{id}/deployment-decision',
        'POST /pilots/{id}/rollouts',
      ]),
    );
    const rollout = paths['/pilots/{id}/rollouts']?.['post'] as { summary: string };
    expect(rollout.summary).toMatch(/scale-up/);
    // The lists a pilot holds come in pages like every other list.
    const schemas = res.body.components.schemas as Record<string, { properties: object }>;
    for (const [kind, schema] of [
      ['measurements', 'MeasurementList'],
      ['incidents', 'IncidentList'],
      ['trl-assessments', 'TrlAssessmentList'],
      ['rollouts', 'RolloutList'],
    ]) {
      const list = paths[`/pilots/{id}/${kind}`]?.['get'] as {
        parameters: { name: string; in: string }[];
      };
      const query = list.parameters.filter((p) => p.in === 'query').map((p) => p.name);
      expect({ kind, query: query.sort() }).toEqual({ kind, query: ['cursor', 'limit'] });
      expect(Object.keys(schemas[schema].properties)).toEqual(['items', 'nextCursor']);
    }
  });

  describe('POST /testbeds', () => {
    it('201: a procurer registers a hospital; Location, and it is listed and readable', async () => {
      const res = await post('/testbeds')
        .send(testbedBody({ capacity: 2 }))
        .expect(201);
      expect(res.headers['location']).toBe(`/testbeds/${res.body.id}`);
      expect(res.body).toMatchObject({
        org: 'org-sergas',
        type: 'HOSPITAL',
        region: 'ES11',
        enollLabelled: false,
        capabilities: ['ehr_integration', 'emergency_department'],
        capacity: 2,
      });
      await app.settle();
      const list = await get('/testbeds?type=HOSPITAL', 'tom').expect(200);
      expect(list.body.items.map((t: { id: string }) => t.id)).toContain(res.body.id);
      const read = await get(`/testbeds/${res.body.id}`, 'sam').expect(200);
      expect(read.body.name).toBe('Hospital Clínico Universitario de Santiago');
      const history = await get(`/testbeds/${res.body.id}/history`).expect(200);
      expect(history.body.items.map((i: { type: string }) => i.type)).toEqual([
        'TestbedRegistered',
      ]);
    });

    it('201: an admin registers an ENoLL-labelled living lab; the region filter finds it', async () => {
      const res = await post('/testbeds', 'adm')
        .send(
          testbedBody({
            name: 'Navarra Living Lab',
            type: 'LIVING_LAB',
            region: 'ES22',
            enollLabelled: true,
          }),
        )
        .expect(201);
      expect(res.body).toMatchObject({
        type: 'LIVING_LAB',
        enollLabelled: true,
        org: 'org-platform',
      });
      await app.settle();
      const list = await get('/testbeds?region=ES22&limit=1').expect(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0].id).toBe(res.body.id);
    });

    it('lists in cursor pages', async () => {
      await testbed();
      await testbed();
      await app.settle();
      const first = await get('/testbeds?limit=1').expect(200);
      expect(first.body.items).toHaveLength(1);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get(
        `/testbeds?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      ).expect(200);
      expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
      await get('/testbeds?cursor=not-a-cursor').expect(400);
    });

    it('422: only a living lab can be ENoLL-labelled', async () => {
      const res = await post('/testbeds')
        .send(testbedBody({ enollLabelled: true }))
        .expect(422);
      expect(res.body.details).toMatchObject({ code: 'ENOLL_LABEL_NOT_LIVING_LAB' });
    });

    it('400: unknown type, region outside NUTS, no capabilities, an unknown field', async () => {
      const res = await post('/testbeds')
        .send(testbedBody({ type: 'SPACESHIP', region: 'XX99', capabilities: [], colour: 'red' }))
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(
        expect.arrayContaining(['capabilities', 'region', 'type']),
      );
      await post('/testbeds')
        .send(testbedBody({ capacity: 0 }))
        .expect(400);
    });

    it('401 without a token, 403 for a supplier or an evaluator', async () => {
      await app.http().post('/testbeds').send(testbedBody()).expect(401);
      await app.http().get('/testbeds').expect(401);
      await post('/testbeds', 'sam').send(testbedBody()).expect(403);
      await post('/testbeds', 'eva').send(testbedBody()).expect(403);
    });

    it('404: an unknown testbed', async () => {
      await get('/testbeds/no-such-testbed').expect(404);
      await get('/testbeds/no-such-testbed/history').expect(404);
    });
  });

  describe('POST /pilots', () => {
    it('201: a pilot of a last-phase PCP contract, with the TRL of the phase evaluation', async () => {
      const testbedId = await testbed();
      const { contract, tender } = await lastPhaseContract(app, ANA, sam, 6);
      const res = await post('/pilots').send(pilotBody(contract.contractId, testbedId)).expect(201);
      expect(res.headers['location']).toBe(`/pilots/${res.body.id}`);
      expect(res.body).toMatchObject({
        org: 'org-sergas',
        contractId: contract.contractId,
        innovationId: contract.innovationId,
        tenderId: tender.tenderId,
        procedure: 'PCP',
        phase: 2,
        supplierOrg: 'org-medtech-sme',
        testbedId,
        testbedType: 'HOSPITAL',
        testbedRegion: 'ES11',
        status: 'PLANNED',
        trlAtPlanning: 6,
        revision: 0,
      });
      expect(res.body.kpis).toHaveLength(2);
    });

    it('201: a pilot of a PPI contract', async () => {
      const testbedId = await testbed();
      const { contract } = await ppiContract(app, ANA, sam);
      const res = await post('/pilots').send(pilotBody(contract.contractId, testbedId)).expect(201);
      expect(res.body).toMatchObject({ procedure: 'PPI', phase: 1, trlAtPlanning: null });
    });

    it('waits a moment for a contract the tenders context has just awarded', async () => {
      const testbedId = await testbed();
      const tender = await PublishedTender.drafted(app, ANA, 'PPI');
      const contractId = 'ctr-awarded-a-moment-later';
      // The request is under way before the award reaches the log.
      const planning = post('/pilots')
        .send(pilotBody(contractId, testbedId))
        .then((r) => r);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await tender.award(1, [{ ...sam, contractId }]);
      const res = await planning;
      expect(res.status).toBe(201);
      expect(res.body.contractId).toBe(contractId);
    });

    it('422: a contract the tenders context never published', async () => {
      const testbedId = await testbed();
      const res = await post('/pilots').send(pilotBody('ctr-unknown', testbedId)).expect(422);
      expect(res.body.details).toMatchObject({ code: 'UNKNOWN_CONTRACT' });
    });

    it('422: a contract of an earlier PCP phase', async () => {
      const testbedId = await testbed();
      const tender = await PublishedTender.drafted(app, ANA, 'PCP', 3);
      const [phase1] = await tender.award(1, [sam]);
      const res = await post('/pilots')
        .send(pilotBody((phase1 as { contractId: string }).contractId, testbedId))
        .expect(422);
      expect(res.body.details).toMatchObject({ code: 'NOT_LAST_PHASE' });
    });

    it('201: a phase-2 contract of a PCP call amended from 3 phases to 2 (its last phase now)', async () => {
      const testbedId = await testbed();
      const tender = await PublishedTender.drafted(app, ANA, 'PCP', 3);
      await tender.amendPhases(2);
      const [phase1] = (await tender.award(1, [sam])) as [AwardedContract];
      await tender.completePhase(1, [{ contract: phase1, passed: true, assessedTrl: 6 }]);
      const [phase2] = (await tender.downSelect(2, [phase1])) as [AwardedContract];
      const res = await post('/pilots').send(pilotBody(phase2.contractId, testbedId)).expect(201);
      expect(res.body).toMatchObject({ procedure: 'PCP', phase: 2, contractId: phase2.contractId });
    });

    it('422: a contract of a cancelled tender', async () => {
      const testbedId = await testbed();
      const { contract, tender } = await ppiContract(app, ANA, sam);
      await tender.cancel();
      await app.settle();
      const res = await post('/pilots').send(pilotBody(contract.contractId, testbedId)).expect(422);
      expect(res.body.details).toMatchObject({ code: 'CONTRACT_TERMINATED' });
    });

    it('422: a contract that failed its evaluation', async () => {
      const testbedId = await testbed();
      const { contract, tender } = await lastPhaseContract(app, ANA, sam, 6);
      await tender.completePhase(2, [{ contract, passed: false, assessedTrl: 6 }]);
      await app.settle();
      const res = await post('/pilots').send(pilotBody(contract.contractId, testbedId)).expect(422);
      expect(res.body.details).toMatchObject({ code: 'CONTRACT_TERMINATED' });
    });

    it('201: a last-phase contract that passed its evaluation (completed) can still be piloted', async () => {
      const testbedId = await testbed();
      const { contract, tender } = await lastPhaseContract(app, ANA, sam, 6);
      await tender.completePhase(2, [{ contract, passed: true, assessedTrl: 7 }]);
      await app.settle();
      const res = await post('/pilots').send(pilotBody(contract.contractId, testbedId)).expect(201);
      expect(res.body.trlAtPlanning).toBe(7);
    });

    it('422: an unknown testbed', async () => {
      const { contract } = await ppiContract(app, ANA, sam);
      const res = await post('/pilots')
        .send(pilotBody(contract.contractId, 'no-such-testbed'))
        .expect(422);
      expect(res.body.details).toMatchObject({ code: 'UNKNOWN_TESTBED' });
    });

    it('422: a living lab needs an assessed TRL of 7; with 7 from the phase evaluation it is planned', async () => {
      const livingLab = await testbed({ type: 'LIVING_LAB', enollLabelled: true, region: 'ES22' });
      const low = await lastPhaseContract(app, ANA, sam, 6);
      const refused = await post('/pilots')
        .send(pilotBody(low.contract.contractId, livingLab))
        .expect(422);
      expect(refused.body.details).toMatchObject({
        code: 'TRL_TOO_LOW_FOR_LIVING_LAB',
        assessedTrl: 6,
        required: 7,
      });
      const ppi = await ppiContract(app, ANA, sam);
      const none = await post('/pilots')
        .send(pilotBody(ppi.contract.contractId, livingLab))
        .expect(422);
      expect(none.body.details).toMatchObject({ assessedTrl: null });
      const high = await lastPhaseContract(app, ANA, sam, 7);
      await app.settle();
      const res = await post('/pilots')
        .send(pilotBody(high.contract.contractId, livingLab))
        .expect(201);
      expect(res.body).toMatchObject({ testbedType: 'LIVING_LAB', trlAtPlanning: 7 });
    });

    it('201: a living lab waits for the last phase’s evaluation still on its way from tenders', async () => {
      const livingLab = await testbed({ type: 'LIVING_LAB', enollLabelled: true, region: 'ES22' });
      const { contract, tender } = await lastPhaseContract(app, ANA, sam, 6);
      await app.settle();
      // The procurer completed the phase in tenders; pilots hears of it only a moment later.
      const planned = post('/pilots').send(pilotBody(contract.contractId, livingLab));
      const heard = new Promise((resolve) => setTimeout(resolve, 400)).then(() =>
        tender.completePhase(2, [{ contract, passed: true, assessedTrl: 7 }]),
      );
      const [res] = await Promise.all([planned, heard]);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ testbedType: 'LIVING_LAB', trlAtPlanning: 7 });
    });

    it('422: a testbed at capacity', async () => {
      const testbedId = await testbed({ capacity: 1 });
      const first = await ppiContract(app, ANA, sam);
      await post('/pilots').send(pilotBody(first.contract.contractId, testbedId)).expect(201);
      await app.settle();
      const second = await ppiContract(app, ANA, sam);
      const res = await post('/pilots')
        .send(pilotBody(second.contract.contractId, testbedId))
        .expect(422);
      expect(res.body.details).toMatchObject({ code: 'TESTBED_FULL', capacity: 1, active: 1 });
    });

    it('422: the pilot ends before it starts', async () => {
      const testbedId = await testbed();
      const { contract } = await ppiContract(app, ANA, sam);
      const res = await post('/pilots')
        .send(
          pilotBody(contract.contractId, testbedId, {
            startsAt: '2027-06-01T08:00:00+02:00',
            endsAt: '2027-01-01T08:00:00+01:00',
          }),
        )
        .expect(422);
      expect(res.body.details).toMatchObject({ code: 'ENDS_BEFORE_START' });
    });

    it('403: a procurer of another organisation than the one running the tender', async () => {
      const testbedId = await testbed();
      const { contract } = await ppiContract(app, ANA, sam);
      await post('/pilots', 'bea').send(pilotBody(contract.contractId, testbedId)).expect(403);
    });

    it('400: KPIs without a valid direction, no KPIs, missing fields, times without offset', async () => {
      const testbedId = await testbed();
      const { contract } = await ppiContract(app, ANA, sam);
      const badKpi = await post('/pilots')
        .send(
          pilotBody(contract.contractId, testbedId, {
            kpis: [{ name: 'x', unit: 'u', target: 1, direction: 'SIDEWAYS' }],
          }),
        )
        .expect(400);
      expect(JSON.stringify(badKpi.body.details)).toContain('direction');
      await post('/pilots')
        .send(pilotBody(contract.contractId, testbedId, { kpis: [] }))
        .expect(400);
      const missing = await post('/pilots').send({ contractId: contract.contractId }).expect(400);
      expect(fieldsOf(missing.body)).toEqual(
        expect.arrayContaining(['endsAt', 'kpis', 'startsAt', 'testbedId', 'title']),
      );
      await post('/pilots')
        .send(pilotBody(contract.contractId, testbedId, { startsAt: '2027-01-10T08:00:00' }))
        .expect(400);
    });

    it('401 without a token, 403 for a supplier', async () => {
      await app.http().post('/pilots').send({}).expect(401);
      await post('/pilots', 'sam').send(pilotBody('ctr-x', 'tb-x')).expect(403);
    });

    it('replays a repeated Idempotency-Key and records one pilot; another body with it is 422', async () => {
      const testbedId = await testbed();
      const { contract } = await ppiContract(app, ANA, sam);
      const body = pilotBody(contract.contractId, testbedId);
      const first = await post('/pilots').set('Idempotency-Key', 'plan-1').send(body).expect(201);
      const again = await post('/pilots').set('Idempotency-Key', 'plan-1').send(body).expect(201);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers['idempotent-replayed']).toBe('true');
      await post('/pilots')
        .set('Idempotency-Key', 'plan-1')
        .send({ ...body, title: 'Another title' })
        .expect(422);
      await app.settle();
      const list = await get(`/pilots?innovationId=${contract.innovationId}`).expect(200);
      expect(list.body.items).toHaveLength(1);
    });
  });
});
