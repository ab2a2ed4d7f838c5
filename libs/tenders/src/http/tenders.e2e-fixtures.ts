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
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export const PEOPLE = {
  ana: { sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
  bea: { sub: 'u-bea', org: 'org-navarrabiomed', roles: ['procurer'] },
  sam: { sub: 'u-sam', org: 'org-medtech-sme', roles: ['supplier'], sme: true, country: 'ES' },
  tom: { sub: 'u-tom', org: 'org-philips-nl', roles: ['supplier'], country: 'NL' },
  uli: { sub: 'u-uli', org: 'org-genomics-rto', roles: ['supplier'], country: 'DE' },
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

/** A PCP call with the given phases' supplier limits, its deadline `deadlineMs` after now. */
export const pcpBody = (
  clock: Clock,
  consultationId: string,
  maxSuppliers: number[] = [3, 2],
  deadlineMs = 10 * DAY_MS,
  changes: Record<string, unknown> = {},
) => ({
  consultationId,
  procedure: 'PCP',
  title: 'PCP: early warning of sepsis in emergency departments',
  description: 'Research and development of early warning of sepsis, in phases.',
  budgetEur: 3_000_000,
  submissionDeadline: new Date(clock.now().getTime() + deadlineMs).toISOString(),
  criteria: [
    { name: 'quality', weight: 80 },
    { name: 'price', weight: 20 },
  ],
  phases: maxSuppliers.map((max, i) => ({
    name: `PHASE_${i + 1}`,
    budgetEur: 300_000 * (i + 1),
    durationMonths: 3 * (i + 1),
    maxSuppliers: max,
  })),
  ...changes,
});

export const bidBody = (proposal: string, priceEur = 250_000) => ({
  priceEur,
  technicalProposal: proposal,
  declaredTrl: 4,
});
