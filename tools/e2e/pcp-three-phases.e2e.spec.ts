import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { consultationsContextWith } from '@pcp/consultations';
import { needsContext } from '@pcp/needs';
import { createTestApp, type TestApp } from '@pcp/platform';
import { pilotsContextWith } from '@pcp/pilots';
import { tendersContextWith } from '@pcp/tenders';
import { consultationFor, galicianNeed } from './scenario';

const SCHEMAS = join(__dirname, '..', '..', 'libs', 'tenders', 'src', 'ocds', 'schema');
const schema = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as object;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(schema('release-schema.json'));
const validateOcds = ajv.compile(schema('release-package-schema.json'));

const SUPPLIERS = ['s1', 's2', 's3', 's4', 's5'] as const;
type Supplier = (typeof SUPPLIERS)[number];
const orgOf = (s: Supplier) => `org-supplier-${s}`;
// Quality scores that rank the suppliers s1 > s2 > ... > s5.
const QUALITY: Record<Supplier, number> = { s1: 95, s2: 85, s3: 75, s4: 65, s5: 55 };

// A hospital PCP from the need to completion, every step through the public HTTP API of the
// embedded platform: 5 suppliers in phase 1, 3 in phase 2, 2 in phase 3.
describe('a whole three-phase PCP with 5, 3 and 2 suppliers', () => {
  let app: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        needsContext,
        consultationsContextWith({ consistencyWaitMs: 3000 }),
        tendersContextWith({ consistencyWaitMs: 3000, deadlineCheckMs: 250 }),
        pilotsContextWith({ consistencyWaitMs: 3000 }),
      ],
    });
    tokens['ana'] = await app.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    tokens['eva'] = await app.token({ sub: 'u-eva', org: 'org-experts', roles: ['evaluator'] });
    tokens['eli'] = await app.token({ sub: 'u-eli', org: 'org-experts', roles: ['evaluator'] });
    for (const s of SUPPLIERS) {
      tokens[s] = await app.token({ sub: `u-${s}`, org: orgOf(s), roles: ['supplier'], sme: true });
    }
  });
  afterAll(() => app.close());

  const post = (path: string, who = 'ana') =>
    app.http().post(path).auth(tokens[who], { type: 'bearer' });
  const get = (path: string, who = 'ana') =>
    app.http().get(path).auth(tokens[who], { type: 'bearer' });

  it('runs from the need to COMPLETED, the OCDS export validates, and the winner is piloted and deployed', async () => {
    // Need and consultation.
    const needId = (await post('/needs').send(galicianNeed).expect(201)).body.id as string;
    await post(`/needs/${needId}/validate`).send({}).expect(200);
    const consultationId = (await post('/consultations').send(consultationFor(needId)).expect(201))
      .body.id as string;
    await post(`/consultations/${consultationId}/publish`).send({}).expect(200);
    const innovations: Record<string, string> = {};
    for (const s of SUPPLIERS) {
      const res = await post(`/consultations/${consultationId}/responses`, s)
        .send({ solutionName: `Solution ${s}`, summary: 'Sepsis risk score.', declaredTrl: 4 })
        .expect(201);
      innovations[s] = res.body.innovationId;
    }
    await post(`/consultations/${consultationId}/close`)
      .send({ report: 'Five responses, best declared TRL 4.' })
      .expect(200);
    await post(`/consultations/${consultationId}/route`)
      .send({ route: 'PCP', rationale: 'Best declared TRL is 4: R&D is still needed.' })
      .expect(200);

    // The call, with a deadline a few seconds ahead that the scheduler closes.
    const created = await post('/tenders')
      .send({
        consultationId,
        procedure: 'PCP',
        title: 'PCP: early warning of sepsis',
        description: 'Three phases: solution design, prototyping, original development.',
        budgetEur: 3_000_000,
        submissionDeadline: new Date(Date.now() + 6_000).toISOString(),
        criteria: [
          { name: 'quality', weight: 80 },
          { name: 'price', weight: 20 },
        ],
        phases: [
          { budgetEur: 250_000, durationMonths: 3, maxSuppliers: 5 },
          { budgetEur: 900_000, durationMonths: 6, maxSuppliers: 3 },
          { budgetEur: 1_600_000, durationMonths: 12, maxSuppliers: 2 },
        ],
      })
      .expect(201);
    const tenderId = created.body.id as string;
    await post(`/tenders/${tenderId}/publish`).send({}).expect(200);
    const bidOf: Record<string, string> = {};
    for (const s of SUPPLIERS) {
      const res = await post(`/tenders/${tenderId}/bids`, s)
        .send({ priceEur: 50_000, technicalProposal: `Proposal of ${s}`, declaredTrl: 4 })
        .expect(201);
      bidOf[s] = res.body.id;
      expect(res.body.innovationId).toBe(innovations[s]);
    }
    expect((await get(`/tenders/${tenderId}/bids`).expect(200)).body).toEqual({ count: 5 });

    // The scheduler closes bidding at the deadline, as the system.
    let status = 'PUBLISHED';
    const waitUntil = Date.now() + 15_000;
    while (status === 'PUBLISHED' && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await get(`/tenders/${tenderId}`).expect(200)).body.status;
    }
    expect(status).toBe('BIDS_CLOSED');
    await post(`/tenders/${tenderId}/bids`, 's1')
      .send({ priceEur: 1, technicalProposal: 'late', declaredTrl: 4 })
      .expect(409);

    // Opening and evaluation; eli has a conflict with s3's bid.
    await post(`/tenders/${tenderId}/open-bids`).send({}).expect(200);
    await post(`/tenders/${tenderId}/evaluators`)
      .send({ evaluatorIds: ['u-eva', 'u-eli'] })
      .expect(200);
    for (const s of SUPPLIERS) {
      for (const evaluator of ['eva', 'eli']) {
        const conflict = evaluator === 'eli' && s === 's3';
        await post(`/tenders/${tenderId}/bids/${bidOf[s]}/conflict-declarations`, evaluator)
          .send({ conflict })
          .expect(200);
        const scores = {
          scores: [
            { criterion: 'quality', score: QUALITY[s] },
            { criterion: 'price', score: 70 },
          ],
        };
        await post(`/tenders/${tenderId}/bids/${bidOf[s]}/scores`, evaluator)
          .send(scores)
          .expect(conflict ? 422 : 200);
      }
    }
    const ranking = (await get(`/tenders/${tenderId}/ranking`).expect(200)).body;
    expect(ranking.complete).toBe(true);
    expect(ranking.items.map((r: { bidId: string }) => r.bidId)).toEqual(
      SUPPLIERS.map((s) => bidOf[s]),
    );

    // Phase 1: five contracts.
    const awarded = await post(`/tenders/${tenderId}/phases/1/award`)
      .send({ bidIds: SUPPLIERS.map((s) => bidOf[s]), reason: 'All five admissible bids' })
      .expect(200);
    let contracts = awarded.body.contracts as Array<{ id: string; supplierOrg: string }>;
    expect(contracts).toHaveLength(5);

    const runPhase = async (
      phase: number,
      running: Array<{ id: string; supplierOrg: string }>,
      failing: string[],
    ) => {
      for (const c of running) {
        const s = SUPPLIERS.find((x) => orgOf(x) === c.supplierOrg) as Supplier;
        const d = await post(`/tenders/${tenderId}/contracts/${c.id}/deliverables`, s)
          .send({ title: `Phase ${phase} report`, description: 'Results of the phase.' })
          .expect(201);
        await post(`/tenders/${tenderId}/contracts/${c.id}/deliverables/${d.body.id}/accept`)
          .send({})
          .expect(200);
      }
      return post(`/tenders/${tenderId}/phases/${phase}/complete`)
        .send({
          results: running.map((c) => ({
            contractId: c.id,
            passed: !failing.includes(c.supplierOrg),
            assessedTrl: 4 + phase,
            reason: failing.includes(c.supplierOrg) ? 'Did not reach the target' : 'Met the target',
          })),
        })
        .expect(200);
    };
    const byOrg = (list: Array<{ id: string; supplierOrg: string }>, ...s: Supplier[]) =>
      s.map((x) => (list.find((c) => c.supplierOrg === orgOf(x)) as { id: string }).id);

    await runPhase(1, contracts, [orgOf('s5')]);
    // A failed supplier cannot go on, and phase 2 takes at most 3.
    await post(`/tenders/${tenderId}/phases/2/down-select`)
      .send({ contractIds: byOrg(contracts, 's1', 's5'), reason: 'try' })
      .expect(422);
    await post(`/tenders/${tenderId}/phases/2/down-select`)
      .send({ contractIds: byOrg(contracts, 's1', 's2', 's3', 's4'), reason: 'try' })
      .expect(422);
    const second = await post(`/tenders/${tenderId}/phases/2/down-select`)
      .send({ contractIds: byOrg(contracts, 's1', 's2', 's3'), reason: 'Best three designs' })
      .expect(200);
    contracts = second.body.contracts;
    expect(contracts).toHaveLength(3);

    await runPhase(2, contracts, []);
    const third = await post(`/tenders/${tenderId}/phases/3/down-select`)
      .send({ contractIds: byOrg(contracts, 's1', 's2'), reason: 'Best two prototypes' })
      .expect(200);
    contracts = third.body.contracts;
    expect(contracts).toHaveLength(2);

    const done = await runPhase(3, contracts, []);
    expect(done.body.status).toBe('COMPLETED');

    const participations = (await get('/me/participations', 's1').expect(200)).body.items;
    expect(participations[0].contracts.map((c: { phase: number }) => c.phase)).toEqual([1, 2, 3]);

    const ocds = (await app.http().get(`/tenders/${tenderId}/ocds`).expect(200)).body;
    const valid = validateOcds(ocds);
    expect(validateOcds.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(JSON.stringify(ocds)).not.toContain('Proposal of');

    // The pilots context learns the last-phase contracts from the tenders' published events:
    // a field test of the best solution at a hospital testbed, then the deployment decision.
    const winner = contracts.find((c) => c.supplierOrg === orgOf('s1')) as { id: string };
    tokens['admin'] = await app.token({ sub: 'u-admin', org: 'org-platform', roles: ['admin'] });
    const testbed = await post('/testbeds', 'admin')
      .send({
        name: 'Hospital Álvaro Cunqueiro emergency department',
        type: 'HOSPITAL',
        region: 'ES11',
        capabilities: ['emergency care', 'laboratory integration'],
        capacity: 2,
      })
      .expect(201);
    const day = 86_400_000;
    const pilot = await post('/pilots')
      .send({
        contractId: winner.id,
        testbedId: testbed.body.id,
        title: 'Early sepsis warning in the emergency department',
        startsAt: new Date(Date.now() - day).toISOString(),
        endsAt: new Date(Date.now() + 90 * day).toISOString(),
        kpis: [
          {
            name: 'Time to antibiotics',
            unit: 'minutes',
            target: 60,
            direction: 'LOWER_IS_BETTER',
          },
        ],
      })
      .expect(201);
    const pilotId = pilot.body.id as string;
    await post(`/pilots/${pilotId}/evaluators`)
      .send({ evaluatorIds: ['u-eva'] })
      .expect(200);
    await post(`/pilots/${pilotId}/start`).send({}).expect(200);
    const measurement = await post(`/pilots/${pilotId}/measurements`, 's1')
      .send({ kpi: 'Time to antibiotics', value: 42, at: new Date().toISOString() })
      .expect(201);
    // Deployment needs an assessed TRL of 8: refused before the evaluator's assessment.
    await post(`/pilots/${pilotId}/complete`)
      .send({ reason: 'Twelve weeks of field testing' })
      .expect(200);
    await post(`/pilots/${pilotId}/deployment-decision`)
      .send({ deploy: true, reason: 'Ready to roll out' })
      .expect(422);
    await post(`/pilots/${pilotId}/trl-assessments`, 'eva')
      .send({
        trl: 8,
        evidence: [measurement.body.id, 'Field test report v1'],
        reason: 'System complete and qualified',
      })
      .expect(201);
    const decided = await post(`/pilots/${pilotId}/deployment-decision`)
      .send({
        deploy: true,
        reason: 'Target met in the field; roll out region-wide',
        sites: ['ES11'],
      })
      .expect(200);
    expect(decided.body).toMatchObject({ status: 'COMPLETED', outcome: 'SUCCESS' });
  }, 150_000);
});
