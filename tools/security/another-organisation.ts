import type { Role } from '@pcp/auth';
import { type Send, takeStep } from './requests';

const DAY = 86_400_000;

export type TokenOf = (claims: { sub: string; org: string; roles: Role[] }) => Promise<string>;

/** What organisation A owns, and the tokens of those who try it. */
export interface OrganisationA {
  ids: Record<string, string>;
  /** A procurer of organisation A. */
  ownerToken: string;
  /** A procurer of organisation B: right role, wrong organisation. */
  strangerToken: string;
  /** A supplier that did not submit the bid. */
  rivalToken: string;
}

export interface SetUpOptions {
  /** Waits until every context has taken in what was written so far (default: no wait). */
  settle?(): Promise<void>;
  /**
   * How long a step of the right caller, or a read it may make, may keep being refused before
   * giving up (0: not retried): a service hears of another's events later than the embedded
   * platform does, and a refused step changed nothing.
   */
  retryForMs?: number;
}

/**
 * Organisation A's needs, consultations (draft, open with a supplier's question, closed and
 * routed to PCP) and tenders (draft, and open with a supplier's bid).
 */
export async function setUpOrganisationA(
  send: Send,
  tokenOf: TokenOf,
  { settle = async () => undefined, retryForMs = 0 }: SetUpOptions,
): Promise<OrganisationA> {
  const ownerToken = await tokenOf({ sub: 'u-ana', org: 'org-a', roles: ['procurer'] });
  const strangerToken = await tokenOf({ sub: 'u-bea', org: 'org-b', roles: ['procurer'] });
  const rivalToken = await tokenOf({ sub: 'u-rik', org: 'org-rival', roles: ['supplier'] });
  const supplier = await tokenOf({ sub: 'u-sam', org: 'org-s', roles: ['supplier'] });
  const as = (token: string, method: string, path: string, body?: unknown) =>
    takeStep(send, retryForMs, token, method, path, body);
  const owner = (path: string, body: unknown = {}) => as(ownerToken, 'POST', path, body);

  const ids: Record<string, string> = {};
  ids.need = (await owner('/needs', need())).id as string;
  ids.validatedNeed = (await owner('/needs', need())).id as string;
  await owner(`/needs/${ids.validatedNeed}/validate`);
  await settle();
  ids.draftConsultation = (await owner('/consultations', consultation(ids.validatedNeed)))
    .id as string;
  ids.openConsultation = (await owner('/consultations', consultation(ids.validatedNeed)))
    .id as string;
  await owner(`/consultations/${ids.openConsultation}/publish`);
  ids.question = (
    await as(supplier, 'POST', `/consultations/${ids.openConsultation}/questions`, {
      text: 'Which data formats must the solution read?',
    })
  ).id as string;
  ids.closedConsultation = (await owner('/consultations', consultation(ids.validatedNeed)))
    .id as string;
  await owner(`/consultations/${ids.closedConsultation}/publish`);
  await owner(`/consultations/${ids.closedConsultation}/close`, { report: 'No responses.' });
  await owner(`/consultations/${ids.closedConsultation}/route`, {
    route: 'PCP',
    rationale: 'No solution on the market: R&D is needed.',
    justification: 'No responses to weigh the TRL rule against.',
  });
  await settle();
  ids.tender = (await owner('/tenders', tender(ids.closedConsultation))).id as string;
  ids.openTender = (await owner('/tenders', tender(ids.closedConsultation))).id as string;
  await owner(`/tenders/${ids.openTender}/publish`);
  await settle();
  ids.bid = (
    await as(supplier, 'POST', `/tenders/${ids.openTender}/bids`, {
      priceEur: 200_000,
      technicalProposal: 'Risk score from routine vital signs.',
      declaredTrl: 4,
    })
  ).id as string;
  return { ids, ownerToken, strangerToken, rivalToken };
}

/** Steps on what organisation A owns, each refused (403) to a procurer of organisation B. */
const REFUSED_TO_ANOTHER_ORGANISATION: [method: string, path: string, body: object][] = [
  ['POST', '/needs/{need}/validate', {}],
  ['POST', '/needs/{need}/reject', { reason: 'Not a priority for us' }],
  ['POST', '/needs/{need}/withdraw', { reason: 'Not a priority for us' }],
  ['POST', '/needs/{need}/prioritise', { score: 50 }],
  ['POST', '/consultations/{draftConsultation}/publish', {}],
  ['POST', '/consultations/{openConsultation}/close', { report: 'Closing early.' }],
  [
    'POST',
    '/consultations/{openConsultation}/questions/{question}/answer',
    { text: 'Any HL7 FHIR feed.' },
  ],
  [
    'POST',
    '/consultations/{closedConsultation}/route',
    { route: 'PPI', rationale: 'Ready to buy.' },
  ],
  ['POST', '/tenders/{tender}/publish', {}],
  ['POST', '/tenders/{tender}/amend', { title: 'Another title', reason: 'Clearer scope' }],
  ['POST', '/tenders/{tender}/cancel', { reason: 'No longer needed' }],
  ['POST', '/tenders/{tender}/evaluators', { evaluatorIds: ['u-eva'] }],
];

/** A path of REFUSED_TO_ANOTHER_ORGANISATION with organisation A's ids in it. */
function pathOf(template: string, ids: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => ids[key]);
}

/**
 * The steps above, a bid withdrawn by a supplier that did not submit it, and what stays
 * unchanged after them; `organisation` is set up in a beforeAll of the caller's.
 */
export function itRefusesAnotherOrganisation(send: Send, organisation: () => OrganisationA): void {
  it.each(REFUSED_TO_ANOTHER_ORGANISATION)(
    '%s %s by a procurer of another organisation: 403',
    async (method, template, body) => {
      const a = organisation();
      const res = await send(method, pathOf(template, a.ids), a.strangerToken, body);
      expect({ path: template, status: res.status }).toEqual({ path: template, status: 403 });
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    },
  );

  it('POST /tenders/{id}/bids/{bidId}/withdraw by a supplier of another organisation: 403', async () => {
    const a = organisation();
    const res = await send(
      'POST',
      `/tenders/${a.ids.openTender}/bids/${a.ids.bid}/withdraw`,
      a.rivalToken,
      { reason: 'Not mine to withdraw' },
    );
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  it('leaves what it refused unchanged', async () => {
    const a = organisation();
    const res = await send('GET', `/needs/${a.ids.need}`, a.ownerToken);
    expect(res.body).toMatchObject({ status: 'RECORDED', revision: 0 });
    const t = await send('GET', `/tenders/${a.ids.tender}`, a.ownerToken);
    expect(t.body).toMatchObject({ status: 'DRAFT', title: tender('').title });
  });
}

export function need() {
  return {
    title: 'Early detection of sepsis in emergency departments',
    description: 'Sepsis is recognised too late in two out of five emergency admissions.',
    region: 'ES11',
    diseaseField: 'infectious',
    scope: ['early_detection'],
    patientPopulation: 12000,
    budgetEstimateEur: 2_500_000,
    barriers: [],
    evidence: [],
  };
}

export function consultation(needId: string) {
  return {
    needId,
    title: 'Open market consultation: early sepsis warning',
    description: 'What can detect sepsis earlier from routine data?',
    opensAt: new Date(Date.now() + DAY).toISOString(),
    closesAt: new Date(Date.now() + 40 * DAY).toISOString(),
    questions: ['Which data does your solution need?'],
    stateOfTheArtTrl: 5,
  };
}

export function tender(consultationId: string) {
  return {
    consultationId,
    procedure: 'PCP',
    title: 'PCP: early warning of sepsis',
    description: 'Three phases: solution design, prototyping, original development.',
    budgetEur: 3_000_000,
    submissionDeadline: new Date(Date.now() + 30 * DAY).toISOString(),
    criteria: [
      { name: 'quality', weight: 80 },
      { name: 'price', weight: 20 },
    ],
    phases: [
      { budgetEur: 250_000, durationMonths: 3, maxSuppliers: 5 },
      { budgetEur: 900_000, durationMonths: 6, maxSuppliers: 3 },
    ],
  };
}
