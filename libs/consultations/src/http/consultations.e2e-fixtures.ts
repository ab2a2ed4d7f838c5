import type { TestApp } from '@pcp/platform';
import type { Clock } from '../application/settings';

/** The server's clock in e2e suites: real time, moved forward when a test needs it. */
export class MovableClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  reset(): void {
    this.offsetMs = 0;
  }
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export const PEOPLE = {
  ana: { sub: 'u-ana', name: 'Ana García', org: 'org-sergas', roles: ['procurer'] },
  bea: { sub: 'u-bea', org: 'org-navarrabiomed', roles: ['procurer'] },
  sam: {
    sub: 'u-sam',
    name: 'Sam Ortega',
    org: 'org-medtech-sme',
    roles: ['supplier'],
    sme: true,
    country: 'ES',
  },
  tom: { sub: 'u-tom', org: 'org-philips-nl', roles: ['supplier'], sme: false, country: 'NL' },
  uli: { sub: 'u-uli', org: 'org-genomics-rto', roles: ['supplier'], country: 'DE' },
  /** A supplier role in the organising organisation itself. */
  sol: { sub: 'u-sol', org: 'org-sergas', roles: ['supplier'] },
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

export const needBody = (region = 'ES11') => ({
  title: 'Early detection of sepsis in emergency departments',
  description: 'Sepsis is recognised too late in two out of five emergency admissions.',
  region,
  diseaseField: 'infectious',
  scope: ['early_detection'],
  patientPopulation: 12000,
  budgetEstimateEur: 2_500_000,
  barriers: ['data_fragmentation'],
  evidence: [],
});

/** A consultation body opening in 40 days and closing 40 days later, by the given clock. */
export const consultationBody = (
  clock: Clock,
  subject: Record<string, string>,
  changes: Record<string, unknown> = {},
) => ({
  ...subject,
  title: 'Market consultation: sepsis early warning',
  description: 'We look for early warning of sepsis in emergency departments.',
  opensAt: new Date(clock.now().getTime() + 40 * DAY_MS).toISOString(),
  closesAt: new Date(clock.now().getTime() + 80 * DAY_MS).toISOString(),
  questions: ['Which data sources does your solution need?'],
  stateOfTheArtTrl: 6,
  ...changes,
});

export const fieldsOf = (body: { details?: { field: string }[] }): string[] =>
  (body.details ?? []).map((d) => d.field).sort();
