import type { TestApp } from '@pcp/platform';

/** People of the e2e suites: procurers of two health authorities, a supplier, an auditor. */
export const PEOPLE = {
  ana: { sub: 'u-ana', name: 'Ana García', org: 'org-sergas', roles: ['procurer'] },
  bea: { sub: 'u-bea', org: 'org-navarrabiomed', roles: ['procurer'] },
  cai: { sub: 'u-cai', org: 'org-aria-lombardia', roles: ['procurer'] },
  sam: { sub: 'u-sam', org: 'org-medtech-sme', roles: ['supplier'], sme: true, country: 'ES' },
  aud: { sub: 'u-aud', org: 'org-court-of-audit', roles: ['auditor'] },
} as const;

export type Person = keyof typeof PEOPLE;

export async function tokensFor(app: TestApp): Promise<Record<Person, string>> {
  const entries = await Promise.all(
    (Object.keys(PEOPLE) as Person[]).map(
      async (who) =>
        [who, await app.token({ ...PEOPLE[who], roles: [...PEOPLE[who].roles] })] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<Person, string>;
}

/** A need as the Galician health service would record it. */
export const needBody = (changes: Record<string, unknown> = {}) => ({
  title: 'Early detection of sepsis in emergency departments',
  description:
    'Sepsis is recognised too late in two out of five emergency admissions; clinicians need ' +
    'an early warning from routine vital signs and laboratory values.',
  region: 'ES11',
  diseaseField: 'infectious',
  scope: ['early_detection', 'decision_support'],
  patientPopulation: 12000,
  budgetEstimateEur: 2_500_000,
  barriers: ['data_fragmentation', 'ai_uncertainty'],
  evidence: [
    { title: 'Regional sepsis audit 2024', url: 'https://www.sergas.es/audit-sepsis-2024.pdf' },
    { title: 'Clinical board minutes, March 2024' },
  ],
  ...changes,
});

/** Field names listed in a 400's details. */
export const fieldsOf = (body: { details?: { field: string }[] }): string[] =>
  (body.details ?? []).map((d) => d.field).sort();
