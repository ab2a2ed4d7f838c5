import { ROUTES } from '@pcp/contracts';
import { bestKnownTrl, goesAgainstTrlRule, routeFor, routesWithinTrlRule } from './route-rule';

describe('routeFor: the TRL rule', () => {
  it.each([1, 2, 3, 4, 5, 6, 7])('TRL %i: PCP, R&D is still needed', (trl) => {
    expect(routeFor(trl)).toBe('PCP');
  });

  it.each([8, 9])('TRL %i: PPI', (trl) => {
    expect(routeFor(trl)).toBe('PPI');
  });

  it.each([0, 10, 7.5, Number.NaN])('refuses %s, which is no TRL', (trl) => {
    expect(() => routeFor(trl)).toThrow(RangeError);
  });
});

describe('bestKnownTrl', () => {
  it('takes the highest of the declared TRLs and the assessed state of the art', () => {
    expect(bestKnownTrl([4, 6, 5], null)).toBe(6);
    expect(bestKnownTrl([4, 6], 8)).toBe(8);
    expect(bestKnownTrl([9], 3)).toBe(9);
    expect(bestKnownTrl([], 5)).toBe(5);
    expect(bestKnownTrl([], null)).toBeNull();
  });
});

describe('routes within the TRL rule', () => {
  it('below TRL 8: PCP or an innovation partnership', () => {
    expect(routesWithinTrlRule(7)).toEqual(['PCP', 'INNOVATION_PARTNERSHIP']);
    expect(goesAgainstTrlRule('PPI', 7)).toBe(true);
    expect(goesAgainstTrlRule('COMMERCIAL', 3)).toBe(true);
    expect(goesAgainstTrlRule('NONE', 6)).toBe(true);
  });

  it('TRL 8: PPI only', () => {
    expect(routesWithinTrlRule(8)).toEqual(['PPI']);
    expect(goesAgainstTrlRule('PCP', 8)).toBe(true);
    expect(goesAgainstTrlRule('INNOVATION_PARTNERSHIP', 8)).toBe(true);
    expect(goesAgainstTrlRule('COMMERCIAL', 8)).toBe(true);
  });

  it('TRL 9: PPI, off the shelf, or no procurement', () => {
    expect(routesWithinTrlRule(9)).toEqual(['PPI', 'COMMERCIAL', 'NONE']);
    expect(goesAgainstTrlRule('PCP', 9)).toBe(true);
  });

  it('no TRL known: nothing goes against the rule', () => {
    for (const route of ROUTES) expect(goesAgainstTrlRule(route, null)).toBe(false);
  });
});
