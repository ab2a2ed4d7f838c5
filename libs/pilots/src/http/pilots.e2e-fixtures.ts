import type { TestApp } from '@pcp/platform';

export const DAY_MS = 24 * 60 * 60 * 1000;

export const PEOPLE = {
  ana: { sub: 'u-ana', name: 'Ana García', org: 'org-sergas', roles: ['procurer'] },
  bea: { sub: 'u-bea', org: 'org-navarrabiomed', roles: ['procurer'] },
  sam: { sub: 'u-sam', org: 'org-medtech-sme', roles: ['supplier'], sme: true, country: 'ES' },
  tom: { sub: 'u-tom', org: 'org-philips-nl', roles: ['supplier'], country: 'NL' },
  eva: { sub: 'u-eva', org: 'org-experts', roles: ['evaluator'] },
  eli: { sub: 'u-eli', org: 'org-experts', roles: ['evaluator'] },
  aud: { sub: 'u-aud', org: 'org-court-of-audit', roles: ['auditor'] },
  adm: { sub: 'u-adm', org: 'org-platform', roles: ['admin'] },
} as const;

export type Person = keyof typeof PEOPLE;

export async function tokensFor(app: TestApp): Promise<Record<Person, string>> {
  const entries = await Promise.all(
    (Object.keys(PEOPLE) as Person[]).map(async (who) => {
      const person = PEOPLE[who];
      return [who, await app.token({ ...person, roles: [...person.roles] })] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Person, string>;
}

/** Ana's side of the tenders context. */
export const ANA = { userId: PEOPLE.ana.sub, org: PEOPLE.ana.org };

export const testbedBody = (changes: Record<string, unknown> = {}) => ({
  name: 'Hospital Clínico Universitario de Santiago',
  type: 'HOSPITAL',
  region: 'ES11',
  capabilities: ['ehr_integration', 'emergency_department'],
  ...changes,
});

/** A pilot that started 30 days ago and ends in 60 days, with two KPIs. */
export const pilotBody = (
  contractId: string,
  testbedId: string,
  changes: Record<string, unknown> = {},
) => ({
  contractId,
  testbedId,
  title: 'SepsisWatch in the emergency department',
  startsAt: new Date(Date.now() - 30 * DAY_MS).toISOString(),
  endsAt: new Date(Date.now() + 60 * DAY_MS).toISOString(),
  kpis: [
    { name: 'time_to_antibiotics', unit: 'minutes', target: 60, direction: 'LOWER_IS_BETTER' },
    { name: 'sensitivity', unit: '%', target: 85, direction: 'HIGHER_IS_BETTER' },
  ],
  ...changes,
});

export const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

export const fieldsOf = (body: { details?: { field: string }[] }): string[] =>
  (body.details ?? []).map((d) => d.field).sort();
