/**
 * The whole pipeline of issue 8, point 6, as an outside client drives it over HTTP: the same
 * steps and checks run against the embedded platform and the five services behind the gateway.
 *
 * A need in Catalonia (CatSalut) joined by a buyers group with Emilia-Romagna and Vaestra
 * Goetaland; an open market consultation with five suppliers; a three-phase PCP with 5, 3 and
 * 2 suppliers (figures of a Horizon Europe PCP: EUR 5M per proposal); pilots of the two
 * last-phase solutions at a hospital and a living lab; the TRL assessed up to 8 in the field;
 * the deployment decision.
 */
import { REFERENCE_REGIONS } from '@pcp/contracts';
import { call, type Client, type Reply } from './scenario';

const DAY = 86_400_000;

const regionCode = (name: string): string => {
  const region = REFERENCE_REGIONS.find((r) => r.name === name);
  if (!region) throw new Error(`${name} is not a reference region`);
  return region.code;
};
export const CATALONIA = regionCode('Catalonia');
export const EMILIA_ROMAGNA = regionCode('Emilia-Romagna');
export const VAESTRA_GOETALAND = regionCode('Vaestra Goetaland');
export const GROUP_REGIONS = [CATALONIA, EMILIA_ROMAGNA, VAESTRA_GOETALAND].sort();

export const PROCURERS = {
  cat: { sub: 'u-cat', org: 'org-catsalut', region: CATALONIA },
  emr: { sub: 'u-emr', org: 'org-regione-emilia-romagna', region: EMILIA_ROMAGNA },
  vgr: { sub: 'u-vgr', org: 'org-vgregion', region: VAESTRA_GOETALAND },
} as const;
type ProcurerKey = keyof typeof PROCURERS;

/**
 * Five suppliers answer the consultation; a sixth bids without having answered it. SMEs by
 * their tokens' `sme` claim: a start-up and SMEs, a large company and an RTO that are not.
 */
export const SUPPLIERS = {
  s1: { sub: 'u-s1', org: 'org-oncodata-sme', sme: true, country: 'ES', quality: 95 },
  s2: { sub: 'u-s2', org: 'org-medtech-europe', sme: false, country: 'DE', quality: 88 },
  s3: { sub: 'u-s3', org: 'org-genomica-sme', sme: true, country: 'IT', quality: 80 },
  s4: { sub: 'u-s4', org: 'org-health-rto', sme: false, country: 'SE', quality: 72 },
  s5: { sub: 'u-s5', org: 'org-biomarker-startup', sme: true, country: 'ES', quality: 64 },
  s6: { sub: 'u-s6', org: 'org-late-entrant-sme', sme: true, country: 'NL', quality: 50 },
} as const;
export type SupplierKey = keyof typeof SUPPLIERS;
const ALL_SUPPLIERS = Object.keys(SUPPLIERS) as SupplierKey[];
export const RESPONDENTS: SupplierKey[] = ['s1', 's2', 's3', 's4', 's5'];

const EVALUATORS = { eva: 'u-eva', eli: 'u-eli' } as const;

/** Where each innovation ends, as the scenario drives it. */
export const FATES: Record<SupplierKey, 'DEPLOYED' | 'PILOT' | 'DROPPED'> = {
  s1: 'DEPLOYED', // phase 3, hospital pilot, TRL 8, deployed
  s2: 'PILOT', // phase 3, living-lab pilot still running
  s3: 'DROPPED', // not down-selected into phase 3
  s4: 'DROPPED', // passed phase 1, not down-selected into phase 2
  s5: 'DROPPED', // failed the phase 1 evaluation
  s6: 'DROPPED', // ranked last: no phase 1 contract
};
const PHASE_SUPPLIERS: SupplierKey[][] = [
  ['s1', 's2', 's3', 's4', 's5'],
  ['s1', 's2', 's3'],
  ['s1', 's2'],
];
const FAILS_PHASE_1: SupplierKey[] = ['s5'];

export interface Tokens {
  procurer: Record<ProcurerKey, string>;
  supplier: Record<SupplierKey, string>;
  evaluator: Record<keyof typeof EVALUATORS, string>;
  admin: string;
  auditor: string;
}

export interface ScenarioOutcome {
  tokens: Tokens;
  needIds: Record<ProcurerKey, string>;
  buyersGroupId: string;
  consultationId: string;
  tenderId: string;
  innovations: Record<SupplierKey, string>;
  pilots: { hospital: string; livingLab: string };
  testbeds: { hospital: string; livingLab: string };
}

export interface ScenarioOptions {
  /** How far ahead of the drafting the submission deadline is (all bids must fit before it). */
  deadlineAheadMs: number;
  /** How long the pipeline may take to reflect what happened (Kafka lags behind). */
  catchUpMs: number;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds, or returns the last reply after `timeoutMs`. */
export async function eventually(
  read: () => Promise<Reply>,
  done: (reply: Reply) => boolean,
  timeoutMs: number,
): Promise<Reply> {
  const until = Date.now() + timeoutMs;
  let reply = await read();
  while (!done(reply) && Date.now() < until) {
    await sleep(250);
    reply = await read();
  }
  return reply;
}

async function tokensFor(client: Client): Promise<Tokens> {
  const procurer = {} as Record<ProcurerKey, string>;
  for (const [key, p] of Object.entries(PROCURERS))
    procurer[key as ProcurerKey] = await client.token({
      sub: p.sub,
      org: p.org,
      roles: ['procurer'],
      country: p.region.slice(0, 2),
    });
  const supplier = {} as Record<SupplierKey, string>;
  for (const [key, s] of Object.entries(SUPPLIERS))
    supplier[key as SupplierKey] = await client.token({
      sub: s.sub,
      org: s.org,
      roles: ['supplier'],
      sme: s.sme,
      country: s.country,
    });
  const evaluator = {} as Record<keyof typeof EVALUATORS, string>;
  for (const [key, sub] of Object.entries(EVALUATORS))
    evaluator[key as keyof typeof EVALUATORS] = await client.token({
      sub,
      org: 'org-independent-experts',
      roles: ['evaluator'],
    });
  return {
    procurer,
    supplier,
    evaluator,
    admin: await client.token({ sub: 'u-admin', org: 'org-platform', roles: ['admin'] }),
    auditor: await client.token({ sub: 'u-aud', org: 'org-court-of-auditors', roles: ['auditor'] }),
  };
}

function needOf(key: ProcurerKey) {
  const common = {
    diseaseField: 'cancer',
    scope: ['diagnosis', 'decision_support'],
    barriers: ['data_fragmentation', 'data_governance', 'competence_gaps'],
  };
  if (key === 'cat')
    return {
      ...common,
      title: 'Clinical and genomic data together at the molecular tumour board',
      description:
        'Oncologists in the Catalan Plan for Precision Oncology wait weeks for sequencing results ' +
        'that arrive apart from the clinical record; they need one view of clinical, genomic and ' +
        'imaging data to decide treatment at the molecular tumour board.',
      region: CATALONIA,
      patientPopulation: 48_000,
      budgetEstimateEur: 5_000_000,
      evidence: [
        { title: 'Catalan Plan for Precision Oncology' },
        { title: 'OMIQS-HES: integration of clinical, genomic and healthcare data' },
      ],
    };
  return {
    ...common,
    title: 'Genomic results in the oncology record',
    description:
      'Tumour sequencing results reach the oncology teams as PDF reports outside the record; ' +
      'treatment decisions need them structured and next to the clinical data.',
    region: PROCURERS[key].region,
    patientPopulation: key === 'emr' ? 31_000 : 18_000,
    budgetEstimateEur: key === 'emr' ? 3_000_000 : 2_000_000,
    evidence: [{ title: 'Regional personalised medicine roadmap' }],
  };
}

/** Drives the whole scenario; every call must succeed unless the step expects a refusal. */
export async function runWholeSystem(
  client: Client,
  options: ScenarioOptions,
): Promise<ScenarioOutcome> {
  const log = options.log ?? (() => undefined);
  const tokens = await tokensFor(client);
  const as = async (token: string, method: string, path: string, body?: unknown) =>
    call(client, token, method, path, body);
  const ok = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await as(token, method, path, body);
    expect({ method, path, status: res.status < 300 ? 'ok' : res.body }).toEqual({
      method,
      path,
      status: 'ok',
    });
    return res.body;
  };
  const cat = tokens.procurer.cat;

  // Needs: one per region, validated; Catalonia forms the buyers group, the others join it.
  log('needs and buyers group');
  const needIds = {} as Record<ProcurerKey, string>;
  for (const key of Object.keys(PROCURERS) as ProcurerKey[])
    needIds[key] = (await ok(tokens.procurer[key], 'POST', '/needs', needOf(key))).id;
  for (const key of Object.keys(PROCURERS) as ProcurerKey[])
    await ok(tokens.procurer[key], 'POST', `/needs/${needIds[key]}/validate`, {
      rationale: 'Confirmed by the regional precision oncology board',
    });
  await ok(cat, 'POST', `/needs/${needIds.cat}/prioritise`, {
    score: 90,
    criteria: { clinicalImpact: 95, feasibility: 80 },
  });
  const buyersGroupId = (
    await ok(cat, 'POST', '/buyers-groups', {
      name: 'Precision oncology data buyers group',
      needIds: [needIds.cat],
    })
  ).id as string;
  await ok(tokens.procurer.emr, 'POST', `/buyers-groups/${buyersGroupId}/join`, {
    needId: needIds.emr,
  });
  await ok(tokens.procurer.vgr, 'POST', `/buyers-groups/${buyersGroupId}/join`, {
    needId: needIds.vgr,
  });

  // The market consultation of the group, with five respondents and a clarification.
  log('consultation');
  const consultationId = (
    await ok(cat, 'POST', '/consultations', {
      buyersGroupId,
      title: 'Open market consultation: integrated clinical and genomic data for oncology',
      description:
        'What can bring sequencing results and clinical data together for the tumour board, ' +
        'and how mature is it?',
      opensAt: new Date(Date.now() + 35 * DAY).toISOString(),
      closesAt: new Date(Date.now() + 80 * DAY).toISOString(),
      questions: ['Which data standards does your solution read?', 'What is its TRL today?'],
      stateOfTheArtTrl: 4,
    })
  ).id as string;
  await ok(cat, 'POST', `/consultations/${consultationId}/publish`, {});
  const innovations = {} as Record<SupplierKey, string>;
  for (const [i, s] of RESPONDENTS.entries()) {
    const res = await ok(tokens.supplier[s], 'POST', `/consultations/${consultationId}/responses`, {
      solutionName: `Tumour board data hub ${i + 1}`,
      summary: 'Reads HL7 FHIR genomics and the clinical record; proposes matched therapies.',
      declaredTrl: i < 2 ? 5 : 4,
    });
    innovations[s] = res.innovationId;
  }
  const question = await ok(
    tokens.supplier.s3,
    'POST',
    `/consultations/${consultationId}/questions`,
    { text: 'May the solution keep genomic data outside the hospital network?' },
  );
  await ok(cat, 'POST', `/consultations/${consultationId}/questions/${question.id}/answer`, {
    text: 'No: data stays in the regional health data space (EHDS rules apply).',
  });
  await ok(cat, 'POST', `/consultations/${consultationId}/close`, {
    report: 'Five responses (two SMEs from Spain, one from Italy); best declared TRL 5.',
  });
  await ok(cat, 'POST', `/consultations/${consultationId}/route`, {
    route: 'PCP',
    rationale: 'The best solution declares TRL 5: R&D is still needed.',
  });

  // The PCP call: 5, 3 and 2 suppliers.
  log('tender');
  const submissionDeadline = Date.now() + options.deadlineAheadMs;
  const tenderId = (
    await ok(cat, 'POST', '/tenders', {
      consultationId,
      procedure: 'PCP',
      title: 'PCP: integrated clinical and genomic data for the molecular tumour board',
      description: 'Three phases: solution design, prototyping, original development and testing.',
      budgetEur: 5_000_000,
      submissionDeadline: new Date(submissionDeadline).toISOString(),
      criteria: [
        { name: 'quality', weight: 80 },
        { name: 'price', weight: 20 },
      ],
      phases: [
        { name: 'SOLUTION_DESIGN', budgetEur: 450_000, durationMonths: 3, maxSuppliers: 5 },
        { name: 'PROTOTYPING', budgetEur: 1_500_000, durationMonths: 6, maxSuppliers: 3 },
        {
          name: 'ORIGINAL_DEVELOPMENT_AND_TESTING',
          budgetEur: 3_000_000,
          durationMonths: 12,
          maxSuppliers: 2,
        },
      ],
    })
  ).id as string;
  await ok(cat, 'POST', `/tenders/${tenderId}/publish`, {});
  const bidOf = {} as Record<SupplierKey, string>;
  for (const s of ALL_SUPPLIERS) {
    const bid = await ok(tokens.supplier[s], 'POST', `/tenders/${tenderId}/bids`, {
      priceEur: 85_000 + 2_500 * ALL_SUPPLIERS.indexOf(s),
      technicalProposal: `Design of the data hub of ${SUPPLIERS[s].org}`,
      declaredTrl: 4,
    });
    bidOf[s] = bid.id;
    if (s !== 's6') expect(bid.innovationId).toBe(innovations[s]);
    else innovations[s] = bid.innovationId;
  }
  expect((await ok(cat, 'GET', `/tenders/${tenderId}/bids`)).count).toBe(ALL_SUPPLIERS.length);

  // The deadline scheduler closes bidding as the system; a late bid is refused.
  log('deadline');
  expect(Date.now()).toBeLessThan(submissionDeadline);
  await sleep(Math.max(0, submissionDeadline - Date.now()));
  const closed = await eventually(
    () => as(cat, 'GET', `/tenders/${tenderId}`),
    (r) => r.body?.status === 'BIDS_CLOSED',
    30_000,
  );
  expect(closed.body.status).toBe('BIDS_CLOSED');
  const late = await as(tokens.supplier.s6, 'POST', `/tenders/${tenderId}/bids`, {
    priceEur: 1,
    technicalProposal: 'late',
    declaredTrl: 4,
  });
  expect(late.status).toBe(409);

  // Opening and evaluation by two independent evaluators.
  log('evaluation');
  await ok(cat, 'POST', `/tenders/${tenderId}/open-bids`, {});
  await ok(cat, 'POST', `/tenders/${tenderId}/evaluators`, {
    evaluatorIds: Object.values(EVALUATORS),
  });
  for (const s of ALL_SUPPLIERS) {
    for (const evaluator of Object.keys(EVALUATORS) as (keyof typeof EVALUATORS)[]) {
      const token = tokens.evaluator[evaluator];
      await ok(token, 'POST', `/tenders/${tenderId}/bids/${bidOf[s]}/conflict-declarations`, {
        conflict: false,
      });
      await ok(token, 'POST', `/tenders/${tenderId}/bids/${bidOf[s]}/scores`, {
        scores: [
          { criterion: 'quality', score: SUPPLIERS[s].quality },
          { criterion: 'price', score: 70 },
        ],
      });
    }
  }
  const ranking = await ok(cat, 'GET', `/tenders/${tenderId}/ranking`);
  expect(ranking.items.map((r: { bidId: string }) => r.bidId)).toEqual(
    ALL_SUPPLIERS.map((s) => bidOf[s]),
  );

  // Phases: award, deliverables, intermediate evaluation (TRL 5, 6, 7), down-selection.
  log('phases');
  type Contract = { id: string; supplierOrg: string };
  const supplierOf = (c: Contract) =>
    ALL_SUPPLIERS.find((s) => SUPPLIERS[s].org === c.supplierOrg) as SupplierKey;
  let contracts: Contract[] = (
    await ok(cat, 'POST', `/tenders/${tenderId}/phases/1/award`, {
      bidIds: PHASE_SUPPLIERS[0].map((s) => bidOf[s]),
      reason: 'The five best-ranked bids; the sixth ranks last on quality',
    })
  ).contracts;
  expect(contracts.map(supplierOf).sort()).toEqual(PHASE_SUPPLIERS[0]);
  const contractsOf: Record<SupplierKey, string[]> = {} as Record<SupplierKey, string[]>;
  for (let phase = 1; phase <= 3; phase++) {
    for (const c of contracts) {
      const s = supplierOf(c);
      contractsOf[s] = [...(contractsOf[s] ?? []), c.id];
      const deliverable = await ok(
        tokens.supplier[s],
        'POST',
        `/tenders/${tenderId}/contracts/${c.id}/deliverables`,
        { title: `Phase ${phase} report`, description: 'Results and evidence of the phase.' },
      );
      await ok(
        cat,
        'POST',
        `/tenders/${tenderId}/contracts/${c.id}/deliverables/${deliverable.id}/accept`,
        {},
      );
    }
    const completed = await ok(cat, 'POST', `/tenders/${tenderId}/phases/${phase}/complete`, {
      results: contracts.map((c) => {
        const failed = phase === 1 && FAILS_PHASE_1.includes(supplierOf(c));
        return {
          contractId: c.id,
          passed: !failed,
          assessedTrl: 4 + phase,
          reason: failed ? 'The design does not read FHIR genomics' : 'Met the phase targets',
        };
      }),
    });
    if (phase === 3) {
      expect(completed.status).toBe('COMPLETED');
      break;
    }
    const next = PHASE_SUPPLIERS[phase];
    contracts = (
      await ok(cat, 'POST', `/tenders/${tenderId}/phases/${phase + 1}/down-select`, {
        contractIds: contracts.filter((c) => next.includes(supplierOf(c))).map((c) => c.id),
        reason: `Best value for money after the phase ${phase} evaluation`,
      })
    ).contracts;
    expect(contracts.map(supplierOf).sort()).toEqual(next);
  }

  // Pilots of the two last-phase solutions: a hospital in Catalonia, a living lab in Sweden.
  log('pilots');
  const hospital = (
    await ok(tokens.admin, 'POST', '/testbeds', {
      name: 'Hospital Clinic de Barcelona, molecular tumour board',
      type: 'HOSPITAL',
      region: CATALONIA,
      capabilities: ['molecular tumour board', 'next-generation sequencing'],
      capacity: 2,
    })
  ).id as string;
  const livingLab = (
    await ok(tokens.admin, 'POST', '/testbeds', {
      name: 'Vaestra Goetaland digital health living lab',
      type: 'LIVING_LAB',
      region: VAESTRA_GOETALAND,
      enollLabelled: true,
      capabilities: ['home monitoring', 'patient panels'],
    })
  ).id as string;
  const kpis = [
    {
      name: 'Days from biopsy to tumour board report',
      unit: 'days',
      target: 14,
      direction: 'LOWER_IS_BETTER',
    },
  ];
  const lastContract = (s: SupplierKey) => contractsOf[s][contractsOf[s].length - 1];
  const hospitalPilot = (
    await ok(cat, 'POST', '/pilots', {
      contractId: lastContract('s1'),
      testbedId: hospital,
      title: 'Integrated data at the Barcelona molecular tumour board',
      startsAt: new Date(Date.now() - DAY).toISOString(),
      endsAt: new Date(Date.now() + 120 * DAY).toISOString(),
      kpis,
    })
  ).id as string;
  const livingLabPilot = (
    await ok(cat, 'POST', '/pilots', {
      contractId: lastContract('s2'),
      testbedId: livingLab,
      title: 'Genomic results for patients at home, Vaestra Goetaland',
      startsAt: new Date(Date.now() - DAY).toISOString(),
      endsAt: new Date(Date.now() + 120 * DAY).toISOString(),
      kpis,
    })
  ).id as string;
  await ok(cat, 'POST', `/pilots/${hospitalPilot}/evaluators`, { evaluatorIds: [EVALUATORS.eva] });
  for (const pilot of [hospitalPilot, livingLabPilot])
    await ok(cat, 'POST', `/pilots/${pilot}/start`, {});
  const measured = await ok(tokens.supplier.s1, 'POST', `/pilots/${hospitalPilot}/measurements`, {
    kpi: kpis[0].name,
    value: 9,
    at: new Date().toISOString(),
  });
  await ok(tokens.supplier.s2, 'POST', `/pilots/${livingLabPilot}/measurements`, {
    kpi: kpis[0].name,
    value: 16,
    at: new Date().toISOString(),
  });
  await ok(tokens.evaluator.eva, 'POST', `/pilots/${hospitalPilot}/trl-assessments`, {
    trl: 8,
    evidence: [measured.id, 'Field test report, Hospital Clinic, 12 weeks'],
    reason: 'System complete and qualified in the operational environment',
  });
  await ok(cat, 'POST', `/pilots/${hospitalPilot}/complete`, {
    reason: 'Twelve weeks at the tumour board: 9 days from biopsy to report',
  });
  const decided = await ok(cat, 'POST', `/pilots/${hospitalPilot}/deployment-decision`, {
    deploy: true,
    reason: 'Target met in the field; the buyers group rolls it out in its three regions',
    sites: GROUP_REGIONS,
  });
  expect(decided).toMatchObject({ status: 'COMPLETED', outcome: 'SUCCESS' });

  return {
    tokens,
    needIds,
    buyersGroupId,
    consultationId,
    tenderId,
    innovations,
    pilots: { hospital: hospitalPilot, livingLab: livingLabPilot },
    testbeds: { hospital, livingLab },
  };
}

const CAT = ['u-cat'];
const PHASE_STEPS = (last: boolean) => [
  { type: 'DeliverableAccepted', actors: CAT },
  { type: 'PhaseCompleted', actors: CAT },
  last ? { type: 'TenderCompleted', actors: CAT } : { type: 'SuppliersDownSelected', actors: CAT },
];

/**
 * The deployed innovation's timeline: every step from the needs to the deployment, in
 * order, each with its actor (a sealed bid's is withheld by design: null).
 */
export const DEPLOYED_TIMELINE: Array<{ type: string; actors: string[] | null }> = [
  { type: 'NeedRecorded', actors: ['u-cat'] },
  { type: 'NeedRecorded', actors: ['u-emr'] },
  { type: 'NeedRecorded', actors: ['u-vgr'] },
  { type: 'NeedValidated', actors: ['u-cat'] },
  { type: 'NeedValidated', actors: ['u-emr'] },
  { type: 'NeedValidated', actors: ['u-vgr'] },
  { type: 'NeedPrioritised', actors: CAT },
  { type: 'BuyersGroupFormed', actors: CAT },
  { type: 'BuyersGroupJoined', actors: ['u-emr'] },
  { type: 'BuyersGroupJoined', actors: ['u-vgr'] },
  { type: 'ConsultationOpened', actors: CAT },
  { type: 'PriorInformationNoticePublished', actors: CAT },
  { type: 'ConsultationResponseSubmitted', actors: ['u-s1'] },
  { type: 'ClarificationAnswered', actors: CAT },
  { type: 'ConsultationClosed', actors: CAT },
  { type: 'ProcurementRouteDecided', actors: CAT },
  { type: 'TenderDrafted', actors: CAT },
  { type: 'TenderPublished', actors: CAT },
  { type: 'BidSubmitted', actors: null },
  { type: 'BidsOpened', actors: CAT },
  { type: 'EvaluationCompleted', actors: Object.values(EVALUATORS) },
  { type: 'PhaseContractsAwarded', actors: CAT },
  ...PHASE_STEPS(false),
  ...PHASE_STEPS(false),
  ...PHASE_STEPS(true),
  { type: 'PilotPlanned', actors: CAT },
  { type: 'PilotStarted', actors: CAT },
  { type: 'TrlAssessed', actors: [EVALUATORS.eva] },
  { type: 'PilotCompleted', actors: CAT },
  { type: 'DeploymentDecided', actors: CAT },
];

/** What the funnel must count after the scenario, derived from the fates it drove. */
export function expectedFunnel() {
  const suppliers = ALL_SUPPLIERS;
  const count = (pred: (s: SupplierKey) => boolean) => suppliers.filter(pred).length;
  const current = {
    CONSULTATION: 0,
    TENDER: 0,
    PCP_PHASE: 0,
    PPI_CONTRACT: 0,
    PILOT: count((s) => FATES[s] === 'PILOT'),
    DEPLOYED: count((s) => FATES[s] === 'DEPLOYED'),
    DROPPED: count((s) => FATES[s] === 'DROPPED'),
  };
  const reached = {
    CONSULTATION: RESPONDENTS.length,
    TENDER: suppliers.length,
    PCP_PHASE: PHASE_SUPPLIERS[0].length,
    PPI_CONTRACT: 0,
    PILOT: count((s) => FATES[s] !== 'DROPPED'),
    DEPLOYED: current.DEPLOYED,
    DROPPED: current.DROPPED,
  };
  return {
    total: suppliers.length,
    current,
    reached,
    bids: suppliers.length,
    awards: PHASE_SUPPLIERS[0].length,
  };
}

/** SME share of bids (every bidder) and awards (phase 1 contract holders), from the tokens. */
export function expectedSmeShare() {
  const countOf = (list: SupplierKey[]) => {
    const sme = list.filter((s) => SUPPLIERS[s].sme).length;
    return {
      total: list.length,
      sme,
      notSme: list.length - sme,
      unknown: 0,
      share: sme / list.length,
    };
  };
  return { bids: countOf(ALL_SUPPLIERS), awards: countOf(PHASE_SUPPLIERS[0]) };
}

/**
 * Reads the pipeline as each role would, once it has caught up with the scenario: the
 * deployed innovation's journey and timeline, the funnel, SME shares and the audit.
 */
export async function checkWholeSystem(
  client: Client,
  outcome: ScenarioOutcome,
  options: Pick<ScenarioOptions, 'catchUpMs'>,
): Promise<void> {
  const { tokens, innovations } = outcome;
  const deployed = innovations.s1;
  const funnel = expectedFunnel();

  // The pipeline follows the other contexts' events: wait until it has seen them all.
  const timelineTypes = DEPLOYED_TIMELINE.map((t) => t.type);
  const timeline = await eventually(
    () => call(client, tokens.auditor, 'GET', `/innovations/${deployed}/timeline`),
    (r) => r.status === 200 && r.body.items.length >= timelineTypes.length,
    options.catchUpMs,
  );
  const funnelReply = await eventually(
    () => call(client, tokens.auditor, 'GET', '/analytics/funnel'),
    (r) =>
      r.status === 200 &&
      r.body.total === funnel.total &&
      r.body.current.DEPLOYED === 1 &&
      r.body.current.PILOT === 1 &&
      r.body.current.DROPPED === funnel.current.DROPPED,
    options.catchUpMs,
  );

  // The journey of the deployed innovation, with its TRL assessed up to 8.
  const journey = await call(client, tokens.procurer.emr, 'GET', `/innovations/${deployed}`);
  expect(journey.status).toBe(200);
  expect(journey.body).toMatchObject({
    stage: 'DEPLOYED',
    supplierOrg: SUPPLIERS.s1.org,
    supplierSme: true,
    // It answers the buyers group (every grouped need), not one need alone.
    needId: null,
    buyersGroupId: outcome.buyersGroupId,
    consultationId: outcome.consultationId,
    tenderId: outcome.tenderId,
    procedure: 'PCP',
    regions: GROUP_REGIONS,
    currentTrl: 8,
    deployment: { deploy: true, sites: GROUP_REGIONS },
  });
  expect(journey.body.needIds).toEqual(Object.values(outcome.needIds).sort());
  expect(journey.body.contracts).toHaveLength(3);
  expect(journey.body.pilots).toEqual([
    { pilotId: outcome.pilots.hospital, status: 'COMPLETED', outcome: 'SUCCESS' },
  ]);
  expect(
    journey.body.trlHistory
      .filter((r: { kind: string }) => r.kind === 'ASSESSED')
      .map((r: { trl: number }) => r.trl),
  ).toEqual([5, 6, 7, 8]);
  expect(
    journey.body.stageHistory.map((c: { stage: string; phase: number | null }) => [
      c.stage,
      c.phase,
    ]),
  ).toEqual([
    ['CONSULTATION', null],
    ['TENDER', null],
    ['PCP_PHASE', 1],
    ['PCP_PHASE', 2],
    ['PCP_PHASE', 3],
    ['PILOT', null],
    ['DEPLOYED', null],
  ]);

  // Its timeline: every step in order, each with its actor.
  expect(timeline.status).toBe(200);
  const items = timeline.body.items as Array<{
    type: string;
    actor: { userId: string } | null;
    occurredAt: string;
    hash: string | null;
    streamId: string;
    revision: number;
  }>;
  expect(items.map((i) => i.type)).toEqual(timelineTypes);
  const actorMismatches = items
    .map((item, i) => ({ i, type: item.type, actor: item.actor?.userId ?? null }))
    .filter(({ i, actor }) => {
      const allowed = DEPLOYED_TIMELINE[i]?.actors ?? null;
      return allowed === null ? actor !== null : actor === null || !allowed.includes(actor);
    });
  expect(actorMismatches).toEqual([]);
  for (const item of items) {
    expect(item.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(item.streamId).toEqual(expect.any(String));
  }
  const times = items.map((i) => Date.parse(i.occurredAt));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  // Its supplier sees its own timeline; a competitor does not.
  expect(
    (await call(client, tokens.supplier.s1, 'GET', `/innovations/${deployed}/timeline`)).status,
  ).toBe(200);
  expect(
    (await call(client, tokens.supplier.s2, 'GET', `/innovations/${deployed}/timeline`)).status,
  ).toBe(403);

  // The funnel counts what the scenario did, overall, by region and by procedure.
  expect(funnelReply.status).toBe(200);
  const sme = expectedSmeShare();
  expect(funnelReply.body).toMatchObject({ ...funnel, smeShare: sme });
  expect(funnelReply.body.byRegion).toEqual(
    GROUP_REGIONS.map((region) =>
      expect.objectContaining({ region, total: funnel.total, current: funnel.current }),
    ),
  );
  expect(funnelReply.body.byProcedure).toEqual([
    expect.objectContaining({
      procedure: 'PCP',
      total: funnel.total,
      current: funnel.current,
      reached: funnel.reached,
      smeShare: expectedSmeShare(),
    }),
  ]);
  const catalonia = await call(
    client,
    tokens.procurer.cat,
    'GET',
    `/analytics/funnel?region=${CATALONIA}&procedure=PCP`,
  );
  expect(catalonia.body).toMatchObject({ total: funnel.total, reached: funnel.reached });

  // SME shares: 4 of 6 bidders, 3 of 5 contract holders.
  const shares = await call(client, tokens.auditor, 'GET', '/analytics/sme-share');
  expect(shares.status).toBe(200);
  expect(shares.body).toMatchObject(sme);
  expect(shares.body.byRegion).toEqual(GROUP_REGIONS.map((region) => ({ region, ...sme })));
  expect(shares.body.byProcedure).toEqual([{ procedure: 'PCP', ...sme }]);

  // The audit trail holds together, over every context's store, and names who decided.
  const verified = await call(client, tokens.auditor, 'GET', '/audit/verify');
  expect(verified.status).toBe(200);
  expect(verified.body).toMatchObject({ ok: true });
  expect(verified.body.firstBroken).toBeUndefined();
  // Needs, group, consultation, tender, bids, testbeds, pilots: well over a hundred events.
  expect(verified.body.checkedEvents).toBeGreaterThan(100);
  const decisions = await call(
    client,
    tokens.auditor,
    'GET',
    '/audit/events?type=DeploymentDecided',
  );
  expect(decisions.status).toBe(200);
  expect(decisions.body.items).toEqual([
    expect.objectContaining({ actor: expect.objectContaining({ userId: 'u-cat' }) }),
  ]);
}
