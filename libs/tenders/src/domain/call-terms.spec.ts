import { changedTerms, type CallTerms } from './call-terms';

const terms: CallTerms = {
  procedure: 'PCP',
  ppiProcedure: null,
  title: 'PCP: sepsis',
  description: 'Early warning of sepsis.',
  budgetEur: 1_000_000,
  submissionDeadline: '2026-03-01T12:00:00.000Z',
  criteria: [{ name: 'quality', weight: 100 }],
  phases: [
    { number: 1, name: 'SOLUTION_DESIGN', budgetEur: 100_000, durationMonths: 3, maxSuppliers: 3 },
    { number: 2, name: 'PROTOTYPING', budgetEur: 200_000, durationMonths: 6, maxSuppliers: 2 },
  ],
  lots: [],
};

describe('changed call terms', () => {
  it('sees no change in terms read back with their keys in another order (as jsonb returns them)', () => {
    const reordered = JSON.parse(
      JSON.stringify({
        ...terms,
        phases: terms.phases.map((p) => ({
          name: p.name,
          number: p.number,
          maxSuppliers: p.maxSuppliers,
          durationMonths: p.durationMonths,
          budgetEur: p.budgetEur,
        })),
      }),
    ) as CallTerms;
    expect(changedTerms(reordered, terms)).toEqual([]);
  });

  it('names a field whose value changed', () => {
    expect(changedTerms(terms, { ...terms, budgetEur: 2_000_000 })).toEqual(['budgetEur']);
  });
});
