import { integrationEvents } from '@pcp/contracts';
import { integrationTranslator } from '@pcp/messaging';
import { createTestApp, type TestApp } from '@pcp/platform';
import { pilotStream, testbedStream } from '../application/streams';
import { pilotsContextWith } from '../pilots.context';
import {
  ANA,
  DAY_MS,
  PEOPLE,
  daysAgo,
  fieldsOf,
  pilotBody,
  testbedBody,
  tokensFor,
  type Person,
} from './pilots.e2e-fixtures';
import { lastPhaseContract, tendersAsPublished } from './tenders-publisher.e2e-fixtures';

describe('running pilots, TRL assessments, completion, deployment and roll-out over HTTP', () => {
  let app: TestApp;
  let tokens: Record<Person, string>;
  let hospital: string;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [tendersAsPublished, pilotsContextWith({ consistencyWaitMs: 1500 })],
    });
    tokens = await tokensFor(app);
    hospital = (await post('/testbeds').send(testbedBody()).expect(201)).body.id;
  });
  afterAll(() => app.close());

  function post(path: string, who: Person = 'ana') {
    return app.http().post(path).auth(tokens[who], { type: 'bearer' });
  }
  const get = (path: string, who: Person = 'ana') =>
    app.http().get(path).auth(tokens[who], { type: 'bearer' });

  /** A planned pilot of a last-phase contract whose phase-1 evaluation assessed TRL `trl`. */
  const planned = async (trl = 6) => {
    const { contract } = await lastPhaseContract(app, ANA, { supplierOrg: PEOPLE.sam.org }, trl);
    const res = await post('/pilots').send(pilotBody(contract.contractId, hospital)).expect(201);
    return { id: res.body.id as string, innovationId: contract.innovationId };
  };
  /** Planned, with Eva assigned, started. */
  const running = async (trl = 6) => {
    const pilot = await planned(trl);
    await post(`/pilots/${pilot.id}/evaluators`)
      .send({ evaluatorIds: ['u-eva'] })
      .expect(200);
    await post(`/pilots/${pilot.id}/start`).send({}).expect(200);
    return pilot;
  };
  const measure = (id: string, kpi: string, value: number, at = daysAgo(1), who: Person = 'ana') =>
    post(`/pilots/${id}/measurements`, who).send({ kpi, value, at });
  const assess = (id: string, trl: number, evidence: string[], who: Person = 'eva') =>
    post(`/pilots/${id}/trl-assessments`, who).send({
      trl,
      evidence,
      reason: `Observed in the operational environment: TRL ${trl}`,
    });
  const complete = (id: string) =>
    post(`/pilots/${id}/complete`).send({ reason: 'Pilot period ended; all measurements in.' });
  const completed = async (trl: number) => {
    const pilot = await running();
    await measure(pilot.id, 'time_to_antibiotics', 45).expect(201);
    await measure(pilot.id, 'sensitivity', 90).expect(201);
    await assess(pilot.id, trl, ['doc:clinical-validation-report']).expect(201);
    await complete(pilot.id).expect(200);
    return pilot;
  };

  describe('POST /pilots/{id}/evaluators', () => {
    it('200: assigns evaluators; assigning one again changes nothing', async () => {
      const { id } = await planned();
      const res = await post(`/pilots/${id}/evaluators`)
        .send({ evaluatorIds: ['u-eva', 'u-eli'] })
        .expect(200);
      expect(res.body).toMatchObject({ evaluators: ['u-eva', 'u-eli'], revision: 1 });
      const again = await post(`/pilots/${id}/evaluators`)
        .send({ evaluatorIds: ['u-eva'] })
        .expect(200);
      expect(again.body.revision).toBe(1);
    });

    it('403 for another organisation or a supplier, 404 for an unknown pilot, 400 without ids', async () => {
      const { id } = await planned();
      await post(`/pilots/${id}/evaluators`, 'bea')
        .send({ evaluatorIds: ['u-eva'] })
        .expect(403);
      await post(`/pilots/${id}/evaluators`, 'sam')
        .send({ evaluatorIds: ['u-eva'] })
        .expect(403);
      await post('/pilots/no-such-pilot/evaluators')
        .send({ evaluatorIds: ['u-eva'] })
        .expect(404);
      await post(`/pilots/${id}/evaluators`).send({ evaluatorIds: [] }).expect(400);
    });
  });

  describe('POST /pilots/{id}/start', () => {
    it('200 once; 409 the second time; 403 for another organisation; 404 unknown', async () => {
      const { id } = await planned();
      await post(`/pilots/${id}/start`, 'bea').send({}).expect(403);
      const res = await post(`/pilots/${id}/start`).send({}).expect(200);
      expect(res.body).toMatchObject({ status: 'RUNNING', startedAt: expect.any(String) });
      const again = await post(`/pilots/${id}/start`).send({}).expect(409);
      expect(again.body.details).toMatchObject({ code: 'ALREADY_STARTED' });
      await post('/pilots/no-such-pilot/start').send({}).expect(404);
    });

    it('409 with the current revision for a stale If-Match; 404 for If-Match on an unknown pilot', async () => {
      const { id } = await planned();
      const res = await post(`/pilots/${id}/start`).set('If-Match', '"5"').send({}).expect(409);
      expect(res.body.details).toEqual({ currentRevision: '0' });
      await post(`/pilots/${id}/start`).set('If-Match', '"0"').send({}).expect(200);
      await post('/pilots/no-such-pilot/start').set('If-Match', '"0"').send({}).expect(404);
      await post(`/pilots/${id}/start`).set('If-Match', 'yesterday').send({}).expect(400);
    });
  });

  describe('POST /pilots/{id}/measurements', () => {
    it('201 for the procurer and the contract holder, with an id to cite as evidence', async () => {
      const { id } = await running();
      const res = await measure(id, 'time_to_antibiotics', 52).expect(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^meas-/),
        pilotId: id,
        kpi: 'time_to_antibiotics',
        value: 52,
        unit: 'minutes',
        recordedByOrg: 'org-sergas',
      });
      const bySupplier = await measure(id, 'sensitivity', 88, daysAgo(2), 'sam').expect(201);
      expect(bySupplier.body.recordedByOrg).toBe('org-medtech-sme');
    });

    it('GET: the readers of the pilot walk its measurements in cursor pages, each once, in order', async () => {
      const { id } = await running();
      const recorded: string[] = [];
      for (const [n, who] of (['ana', 'sam', 'ana', 'sam', 'ana'] as Person[]).entries()) {
        const res = await measure(id, 'sensitivity', 80 + n, daysAgo(5 - n), who).expect(201);
        recorded.push(res.body.id);
      }
      for (const who of ['ana', 'sam', 'aud'] as Person[]) {
        const pages: { items: { id: string }[]; nextCursor: string | null }[] = [];
        let cursor: string | null = null;
        do {
          const after: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
          const page = await get(`/pilots/${id}/measurements?limit=2${after}`, who).expect(200);
          pages.push(page.body);
          cursor = page.body.nextCursor;
        } while (cursor !== null && pages.length < 10);
        expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
        expect(pages.flatMap((p) => p.items.map((m) => m.id))).toEqual(recorded);
        expect(pages.at(-1)?.nextCursor).toBeNull();
      }
      await get(`/pilots/${id}/measurements?limit=2`, 'tom').expect(403);
    });

    it('GET: 400 for a cursor it did not issue, a limit outside 1-500 or an unknown parameter', async () => {
      const { id } = await running();
      await measure(id, 'sensitivity', 90).expect(201);
      for (const kind of ['measurements', 'incidents', 'trl-assessments', 'rollouts']) {
        const bad = await get(`/pilots/${id}/${kind}?cursor=nope`).expect(400);
        expect(fieldsOf(bad.body)).toEqual(['cursor']);
        for (const query of ['limit=0', 'limit=501', 'colour=red']) {
          await get(`/pilots/${id}/${kind}?${query}`).expect(400);
        }
      }
    });

    it('409 before the start and after completion', async () => {
      const { id } = await planned();
      const before = await measure(id, 'sensitivity', 80).expect(409);
      expect(before.body.details).toMatchObject({ code: 'PILOT_NOT_STARTED' });
      await post(`/pilots/${id}/start`).send({}).expect(200);
      await complete(id).expect(200);
      await measure(id, 'sensitivity', 80).expect(409);
    });

    it('422 for an unknown KPI, a time outside the pilot or in the future', async () => {
      const { id } = await running();
      const unknown = await measure(id, 'patient_happiness', 3).expect(422);
      expect(unknown.body.details).toMatchObject({ code: 'UNKNOWN_KPI' });
      const outside = await measure(id, 'sensitivity', 80, daysAgo(40)).expect(422);
      expect(outside.body.details).toMatchObject({ code: 'OUTSIDE_PILOT_WINDOW' });
      const future = await measure(
        id,
        'sensitivity',
        80,
        new Date(Date.now() + 2 * DAY_MS).toISOString(),
      ).expect(422);
      expect(future.body.details).toMatchObject({ code: 'TIME_IN_FUTURE' });
    });

    it('403 for a supplier that does not hold the contract or another procurer; 400 without a value', async () => {
      const { id } = await running();
      await measure(id, 'sensitivity', 80, daysAgo(1), 'tom').expect(403);
      await measure(id, 'sensitivity', 80, daysAgo(1), 'bea').expect(403);
      await measure(id, 'sensitivity', 80, daysAgo(1), 'eva').expect(403);
      const res = await post(`/pilots/${id}/measurements`)
        .send({ kpi: 'sensitivity', at: daysAgo(1) })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['value']);
    });
  });

  describe('POST /pilots/{id}/incidents', () => {
    it('201 with its severity, by the procurer or the contract holder; counted at completion', async () => {
      const { id } = await running();
      const res = await post(`/pilots/${id}/incidents`, 'sam')
        .send({ severity: 'HIGH', description: 'Alert feed interrupted for 40 minutes.' })
        .expect(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^inc-/),
        severity: 'HIGH',
        reportedByOrg: 'org-medtech-sme',
      });
      await post(`/pilots/${id}/incidents`)
        .send({ severity: 'LOW', description: 'One delayed alert.' })
        .expect(201);
      const done = await complete(id).expect(200);
      expect(done.body.incidentCounts).toEqual({ LOW: 1, MEDIUM: 0, HIGH: 1, CRITICAL: 0 });
    });

    it('400 for an unknown severity or no description; 403 for others; 409 before the start', async () => {
      const { id } = await planned();
      await post(`/pilots/${id}/incidents`)
        .send({ severity: 'APOCALYPTIC', description: 'x' })
        .expect(400);
      await post(`/pilots/${id}/incidents`).send({ severity: 'LOW' }).expect(400);
      await post(`/pilots/${id}/incidents`, 'tom')
        .send({ severity: 'LOW', description: 'x' })
        .expect(403);
      await post(`/pilots/${id}/incidents`).send({ severity: 'LOW', description: 'x' }).expect(409);
    });
  });

  describe('POST /pilots/{id}/trl-assessments', () => {
    it('201 by an assigned evaluator citing a measurement; the current TRL is the latest; a downgrade is flagged', async () => {
      const { id, innovationId } = await running(6);
      const measurement = (await measure(id, 'sensitivity', 90).expect(201)).body.id as string;
      const first = await assess(id, 8, [measurement, 'doc:validation-report']).expect(201);
      expect(first.body).toMatchObject({
        id: expect.stringMatching(/^trl-/),
        pilotId: id,
        trl: 8,
        evidence: [measurement, 'doc:validation-report'],
        assessedBy: 'u-eva',
        previousTrl: 6,
        downgrade: false,
      });
      const down = await assess(id, 7, ['doc:incident-review']).expect(201);
      expect(down.body).toMatchObject({ trl: 7, previousTrl: 8, downgrade: true });
      const pilot = await get(`/pilots/${id}`).expect(200);
      expect(pilot.body.assessedTrl).toBe(7);
      expect(pilot.body.trlAssessments).toHaveLength(2);
      const history = await get(`/pilots/${id}/history`).expect(200);
      const assessed = history.body.items.filter((i: { type: string }) => i.type === 'TrlAssessed');
      expect(assessed[1].reason).toBe('Observed in the operational environment: TRL 7');
      await app.settle();
      const list = await get(`/pilots?innovationId=${innovationId}`).expect(200);
      expect(list.body.items.map((p: { assessedTrl: number }) => p.assessedTrl)).toEqual([7]);
    });

    it("a TRL assessed in one pilot is the innovation's current TRL in the next: a living lab admits it", async () => {
      const livingLab = (
        await post('/testbeds')
          .send(testbedBody({ name: 'Navarra Living Lab', type: 'LIVING_LAB', region: 'ES22' }))
          .expect(201)
      ).body.id as string;
      const { contract } = await lastPhaseContract(app, ANA, { supplierOrg: PEOPLE.sam.org }, 6);
      const body = pilotBody(contract.contractId, livingLab);
      await post('/pilots').send(body).expect(422);
      const first = (
        await post('/pilots').send(pilotBody(contract.contractId, hospital)).expect(201)
      ).body.id as string;
      await post(`/pilots/${first}/evaluators`)
        .send({ evaluatorIds: ['u-eva'] })
        .expect(200);
      await post(`/pilots/${first}/start`).send({}).expect(200);
      await assess(first, 7, ['doc:hospital-pilot-report']).expect(201);
      await app.settle();
      const second = await post('/pilots').send(body).expect(201);
      expect(second.body).toMatchObject({ testbedType: 'LIVING_LAB', trlAtPlanning: 7 });
    });

    it('403 for an evaluator not assigned to the pilot, and for a procurer (role)', async () => {
      const { id } = await running();
      const res = await assess(id, 7, ['doc:x'], 'eli').expect(403);
      expect(res.body.message).toMatch(/Only evaluators assigned to this pilot/);
      await assess(id, 7, ['doc:x'], 'ana').expect(403);
    });

    it('422 without evidence or citing a measurement of no such kind; 400 without a reason or with TRL 10', async () => {
      const { id } = await running();
      const none = await assess(id, 7, []).expect(422);
      expect(none.body.details).toMatchObject({ code: 'EVIDENCE_REQUIRED' });
      const unknown = await assess(id, 7, ['meas-not-recorded']).expect(422);
      expect(unknown.body.details).toMatchObject({ code: 'UNKNOWN_MEASUREMENT' });
      const noReason = await post(`/pilots/${id}/trl-assessments`, 'eva')
        .send({ trl: 7, evidence: ['doc:x'] })
        .expect(400);
      expect(fieldsOf(noReason.body)).toEqual(['reason']);
      await post(`/pilots/${id}/trl-assessments`, 'eva')
        .send({ trl: 10, evidence: ['doc:x'], reason: 'x' })
        .expect(400);
    });

    it('409 before the pilot starts', async () => {
      const { id } = await planned();
      await post(`/pilots/${id}/evaluators`)
        .send({ evaluatorIds: ['u-eva'] })
        .expect(200);
      await assess(id, 7, ['doc:x']).expect(409);
    });
  });

  describe('POST /pilots/{id}/complete', () => {
    it('SUCCESS when every KPI meets its target on its latest measurement', async () => {
      const { id } = await running();
      await measure(id, 'time_to_antibiotics', 75, daysAgo(10)).expect(201);
      await measure(id, 'time_to_antibiotics', 55, daysAgo(2)).expect(201);
      await measure(id, 'sensitivity', 86, daysAgo(2)).expect(201);
      const res = await complete(id).expect(200);
      expect(res.body).toMatchObject({
        status: 'COMPLETED',
        outcome: 'SUCCESS',
        completionReason: 'Pilot period ended; all measurements in.',
        kpiResults: [
          { name: 'time_to_antibiotics', target: 60, actual: 55, met: true },
          { name: 'sensitivity', target: 85, actual: 86, met: true },
        ],
      });
    });

    it('PARTIAL when some KPIs meet their targets', async () => {
      const { id } = await running();
      await measure(id, 'time_to_antibiotics', 50).expect(201);
      await measure(id, 'sensitivity', 70).expect(201);
      expect((await complete(id).expect(200)).body.outcome).toBe('PARTIAL');
    });

    it('FAILED when a KPI was never measured', async () => {
      const { id } = await running();
      await measure(id, 'time_to_antibiotics', 50).expect(201);
      expect((await complete(id).expect(200)).body.outcome).toBe('FAILED');
    });

    it('409 before the start and when already completed; 400 without a reason; 403 for others', async () => {
      const { id } = await planned();
      await complete(id).expect(409);
      await post(`/pilots/${id}/start`).send({}).expect(200);
      await post(`/pilots/${id}/complete`).send({}).expect(400);
      await post(`/pilots/${id}/complete`, 'bea').send({ reason: 'x' }).expect(403);
      await post(`/pilots/${id}/complete`, 'sam').send({ reason: 'x' }).expect(403);
      await complete(id).expect(200);
      const again = await complete(id).expect(409);
      expect(again.body.details).toMatchObject({ code: 'ALREADY_COMPLETED' });
    });
  });

  describe('POST /pilots/{id}/deployment-decision', () => {
    it('409 before the pilot is completed', async () => {
      const { id } = await running();
      const res = await post(`/pilots/${id}/deployment-decision`)
        .send({ deploy: false, reason: 'Too early' })
        .expect(409);
      expect(res.body.details).toMatchObject({ code: 'PILOT_NOT_COMPLETED' });
    });

    it('422 to deploy below an assessed TRL of 8; not deploying is recorded with its reason', async () => {
      const { id } = await completed(7);
      const refused = await post(`/pilots/${id}/deployment-decision`)
        .send({ deploy: true, reason: 'Good results', sites: ['ES11'] })
        .expect(422);
      expect(refused.body.details).toMatchObject({
        code: 'TRL_TOO_LOW_FOR_DEPLOYMENT',
        assessedTrl: 7,
        required: 8,
      });
      const res = await post(`/pilots/${id}/deployment-decision`)
        .send({ deploy: false, reason: 'Not mature enough for routine care' })
        .expect(200);
      expect(res.body.deployment).toMatchObject({
        deploy: false,
        assessedTrl: 7,
        sites: [],
        reason: 'Not mature enough for routine care',
      });
      const rollout = await post(`/pilots/${id}/rollouts`)
        .send({ site: 'ES22', at: new Date().toISOString() })
        .expect(409);
      expect(rollout.body.details).toMatchObject({ code: 'NOT_DEPLOYED' });
    });

    it('200 to deploy at TRL 8 with regions and a testbed as sites; decided once', async () => {
      const second = (
        await post('/testbeds')
          .send(testbedBody({ name: 'Complejo Hospitalario de Navarra', region: 'ES22' }))
          .expect(201)
      ).body.id as string;
      const { id } = await completed(8);
      await post(`/pilots/${id}/deployment-decision`, 'bea')
        .send({ deploy: true, reason: 'x' })
        .expect(403);
      const res = await post(`/pilots/${id}/deployment-decision`)
        .send({ deploy: true, reason: 'KPIs met at TRL 8; payer agreed', sites: ['ES11', second] })
        .expect(200);
      expect(res.body.deployment).toMatchObject({
        deploy: true,
        assessedTrl: 8,
        sites: [
          { site: 'ES11', kind: 'REGION', region: 'ES11' },
          { site: second, kind: 'TESTBED', region: 'ES22' },
        ],
      });
      const again = await post(`/pilots/${id}/deployment-decision`)
        .send({ deploy: true, reason: 'again' })
        .expect(409);
      expect(again.body.details).toMatchObject({ code: 'DEPLOYMENT_ALREADY_DECIDED' });
    });

    it('400 without deploy or reason; 422 for a site that is neither a region nor a testbed', async () => {
      const { id } = await completed(8);
      const res = await post(`/pilots/${id}/deployment-decision`).send({}).expect(400);
      expect(fieldsOf(res.body)).toEqual(['deploy', 'reason']);
      const site = await post(`/pilots/${id}/deployment-decision`)
        .send({ deploy: true, reason: 'x', sites: ['Atlantis'] })
        .expect(422);
      expect(site.body.details).toMatchObject({ code: 'UNKNOWN_SITE' });
      await post('/pilots/no-such-pilot/deployment-decision')
        .send({ deploy: false, reason: 'x' })
        .expect(404);
    });
  });

  describe('POST /pilots/{id}/rollouts', () => {
    it('201: scale-up to further regions and testbeds, each once, recorded as events', async () => {
      const { id } = await completed(9);
      await post(`/pilots/${id}/rollouts`)
        .send({ site: 'ES22', at: new Date().toISOString() })
        .expect(409);
      await post(`/pilots/${id}/deployment-decision`)
        .send({ deploy: true, reason: 'Ready for routine care', sites: ['ES11'] })
        .expect(200);
      const res = await post(`/pilots/${id}/rollouts`)
        .send({
          site: 'ES22',
          region: 'ES22',
          at: new Date().toISOString(),
          reason: 'Navarra joins',
        })
        .expect(201);
      expect(res.body.rollouts).toEqual([
        expect.objectContaining({
          site: 'ES22',
          kind: 'REGION',
          region: 'ES22',
          reason: 'Navarra joins',
        }),
      ]);
      const twice = await post(`/pilots/${id}/rollouts`)
        .send({ site: 'ES22', at: new Date().toISOString() })
        .expect(409);
      expect(twice.body.details).toMatchObject({ code: 'ALREADY_ROLLED_OUT' });
      const history = await get(`/pilots/${id}/history`).expect(200);
      expect(history.body.items.map((i: { type: string }) => i.type).slice(-2)).toEqual([
        'DeploymentDecided',
        'RolloutRecorded',
      ]);
    });

    it('422 for a region that is not the site\u2019s, an unknown site, a time before the decision; 400 for a bad time or no site', async () => {
      const { id } = await completed(8);
      await post(`/pilots/${id}/deployment-decision`)
        .send({ deploy: true, reason: 'Ready' })
        .expect(200);
      const mismatch = await post(`/pilots/${id}/rollouts`)
        .send({ site: 'ES22', region: 'ES11', at: new Date().toISOString() })
        .expect(422);
      expect(mismatch.body.details).toMatchObject({ code: 'REGION_MISMATCH' });
      await post(`/pilots/${id}/rollouts`)
        .send({ site: 'nowhere', at: new Date().toISOString() })
        .expect(422);
      const early = await post(`/pilots/${id}/rollouts`)
        .send({ site: 'ES22', at: daysAgo(5) })
        .expect(422);
      expect(early.body.details).toMatchObject({ code: 'ROLLOUT_BEFORE_DECISION' });
      await post(`/pilots/${id}/rollouts`).send({ site: 'ES22', at: '2027-09-01' }).expect(400);
      await post(`/pilots/${id}/rollouts`).send({ at: new Date().toISOString() }).expect(400);
      // Without a time, the roll-out is recorded as of now.
      const now = await post(`/pilots/${id}/rollouts`).send({ site: 'ES22' }).expect(201);
      expect(Date.parse(now.body.rollouts[0].at)).toBeGreaterThan(Date.now() - 60_000);
      await post(`/pilots/${id}/rollouts`, 'sam')
        .send({ site: 'ES22', at: new Date().toISOString() })
        .expect(403);
    });
  });

  it('publishes every event it records that other contexts may see, each valid under its schema', async () => {
    const { id } = await running(7);
    await measure(id, 'time_to_antibiotics', 45).expect(201);
    await measure(id, 'sensitivity', 90).expect(201);
    await assess(id, 8, ['doc:report']).expect(201);
    await assess(id, 7, ['doc:incident-review']).expect(201);
    await assess(id, 9, ['doc:follow-up']).expect(201);
    await complete(id).expect(200);
    await post(`/pilots/${id}/deployment-decision`)
      .send({ deploy: true, reason: 'Ready', sites: ['ES11', hospital] })
      .expect(200);
    await post(`/pilots/${id}/rollouts`)
      .send({ site: 'ES22', at: new Date().toISOString() })
      .expect(201);
    const translator = integrationTranslator('pilots');
    const events = [
      ...(await app.store.readStream(testbedStream(hospital))),
      ...(await app.store.readStream(pilotStream(id))),
    ];
    const published = events.flatMap((e) => {
      const translation = translator.translate(e);
      return translation ? [{ type: e.type, ...translation }] : [];
    });
    expect(published.map((p) => p.type)).toEqual([
      'TestbedRegistered',
      'PilotPlanned',
      'PilotStarted',
      'TrlAssessed',
      'TrlAssessed',
      'TrlAssessed',
      'PilotCompleted',
      'DeploymentDecided',
    ]);
    for (const p of published) {
      const check = integrationEvents.check(p.definition, p.data);
      expect({ type: p.type, errors: check.valid ? [] : check.errors }).toEqual({
        type: p.type,
        errors: [],
      });
    }
    const downgrade = published[4]?.data as { downgrade: boolean; previousTrl: number };
    expect(downgrade).toMatchObject({ downgrade: true, previousTrl: 8 });
  });

  it('each recorded item has a Location to read it back, scoped as the pilot', async () => {
    const { id } = await running();
    const m = await measure(id, 'sensitivity', 90).expect(201);
    expect(m.headers['location']).toBe(`/pilots/${id}/measurements/${m.body.id}`);
    const i = await post(`/pilots/${id}/incidents`, 'sam')
      .send({ severity: 'MEDIUM', description: 'Sensor offline for an hour.' })
      .expect(201);
    expect(i.headers['location']).toBe(`/pilots/${id}/incidents/${i.body.id}`);
    const a = await assess(id, 8, [m.body.id]).expect(201);
    expect(a.headers['location']).toBe(`/pilots/${id}/trl-assessments/${a.body.id}`);
    for (const [res, who] of [
      [m, 'sam'],
      [i, 'ana'],
      [a, 'eva'],
    ] as const) {
      const back = await get(res.headers['location'] as string, who).expect(200);
      expect(back.body).toEqual(expect.objectContaining({ id: res.body.id }));
      await get(res.headers['location'] as string, 'tom').expect(403);
    }
    const lists = await Promise.all(
      ['measurements', 'incidents', 'trl-assessments'].map((kind) =>
        get(`/pilots/${id}/${kind}`, 'aud').expect(200),
      ),
    );
    expect(lists.map((l) => [l.body.items.length, l.body.nextCursor])).toEqual([
      [1, null],
      [1, null],
      [1, null],
    ]);
    await get(`/pilots/${id}/measurements/meas-unknown`).expect(404);
    await get('/pilots/no-such-pilot/incidents').expect(404);
    await complete(id).expect(200);
    await post(`/pilots/${id}/deployment-decision`)
      .send({ deploy: true, reason: 'Ready' })
      .expect(200);
    const r = await post(`/pilots/${id}/rollouts`)
      .send({ site: 'ES22', at: new Date().toISOString() })
      .expect(201);
    expect(r.headers['location']).toBe(`/pilots/${id}/rollouts`);
    const rollouts = await get(r.headers['location'] as string, 'sam').expect(200);
    expect(rollouts.body).toEqual({
      items: [expect.objectContaining({ site: 'ES22', kind: 'REGION' })],
      nextCursor: null,
    });
  });

  describe('GET /pilots and GET /pilots/{id}', () => {
    it('scoped: the running organisation, the contract holder, assigned evaluators, auditors and admins', async () => {
      const { id } = await running();
      await app.settle();
      for (const who of ['ana', 'sam', 'eva', 'aud', 'adm'] as Person[]) {
        await get(`/pilots/${id}`, who).expect(200);
        const list = await get('/pilots?status=RUNNING&limit=500', who).expect(200);
        expect(list.body.items.map((p: { id: string }) => p.id)).toContain(id);
      }
      for (const who of ['bea', 'tom', 'eli'] as Person[]) {
        await get(`/pilots/${id}`, who).expect(403);
        await get(`/pilots/${id}/history`, who).expect(403);
        const list = await get('/pilots?limit=500', who).expect(200);
        expect(list.body.items.map((p: { id: string }) => p.id)).not.toContain(id);
      }
      await app.http().get(`/pilots/${id}`).expect(401);
    });

    it('filters by status, testbed and innovation, in cursor pages', async () => {
      const a = await planned();
      const b = await running();
      await app.settle();
      const byInnovation = await get(`/pilots?innovationId=${b.innovationId}`).expect(200);
      expect(byInnovation.body.items.map((p: { id: string }) => p.id)).toEqual([b.id]);
      const plannedOnes = await get(
        `/pilots?status=PLANNED&testbedId=${hospital}&limit=500`,
      ).expect(200);
      const ids = plannedOnes.body.items.map((p: { id: string }) => p.id);
      expect(ids).toContain(a.id);
      expect(ids).not.toContain(b.id);
      const page = await get('/pilots?limit=1').expect(200);
      expect(page.body.items).toHaveLength(1);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      await get('/pilots?status=DREAMING').expect(400);
      await get('/pilots?limit=501').expect(400);
    });

    it('asOf gives the pilot as it was; 404 before it existed; 400 for a malformed asOf', async () => {
      const { id } = await planned();
      const plannedAt = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await post(`/pilots/${id}/start`).send({}).expect(200);
      const then = await get(`/pilots/${id}?asOf=${encodeURIComponent(plannedAt)}`).expect(200);
      expect(then.body.status).toBe('PLANNED');
      expect((await get(`/pilots/${id}`).expect(200)).body.status).toBe('RUNNING');
      // Access follows the pilot as it is now: an evaluator assigned later reads its past too.
      await get(`/pilots/${id}?asOf=${encodeURIComponent(plannedAt)}`, 'eva').expect(403);
      await post(`/pilots/${id}/evaluators`)
        .send({ evaluatorIds: ['u-eva'] })
        .expect(200);
      const past = await get(`/pilots/${id}?asOf=${encodeURIComponent(plannedAt)}`, 'eva');
      expect(past.status).toBe(200);
      expect(past.body).toMatchObject({ status: 'PLANNED', evaluators: [] });
      await get(`/pilots/${id}?asOf=${encodeURIComponent(daysAgo(365))}`).expect(404);
      await get(`/pilots/${id}?asOf=last-week`).expect(400);
      await get('/pilots/no-such-pilot').expect(404);
      await get('/pilots/no-such-pilot/history').expect(404);
    });

    it('history lists the events with actor, reason and hash', async () => {
      const { id } = await completed(8);
      const res = await get(`/pilots/${id}/history`, 'aud').expect(200);
      expect(res.body.items.map((i: { type: string }) => i.type)).toEqual([
        'PilotPlanned',
        'PilotEvaluatorsAssigned',
        'PilotStarted',
        'MeasurementRecorded',
        'MeasurementRecorded',
        'TrlAssessed',
        'PilotCompleted',
      ]);
      const completion = res.body.items[6];
      expect(completion).toMatchObject({
        actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
        reason: 'Pilot period ended; all measurements in.',
        hash: expect.any(String),
      });
    });
  });
});
