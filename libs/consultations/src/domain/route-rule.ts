import { ROUTES, type ProcurementRoute } from '@pcp/contracts';

/** From TRL 8 on, solutions are close to or on the market: procure them (PPI), not R&D. */
export const PPI_FROM_TRL = 8;

/** The route the TRL rule names: below TRL 8 R&D is still needed (PCP); 8 or 9 is PPI. */
export function routeFor(bestTrl: number): 'PCP' | 'PPI' {
  if (!Number.isInteger(bestTrl) || bestTrl < 1 || bestTrl > 9) {
    throw new RangeError(`A TRL is a whole number from 1 to 9, not ${bestTrl}`);
  }
  return bestTrl >= PPI_FROM_TRL ? 'PPI' : 'PCP';
}

/**
 * The best TRL known after a consultation: the highest of the suppliers' declared TRLs and
 * the assessed state of the art (the prior-art search). Null when nothing is known.
 */
export function bestKnownTrl(declared: readonly number[], assessed: number | null): number | null {
  const all = assessed === null ? [...declared] : [...declared, assessed];
  return all.length === 0 ? null : Math.max(...all);
}

/**
 * The routes that follow the TRL rule. Besides the rule's own route: an innovation
 * partnership develops and buys in one procedure, so it fits wherever R&D is still needed;
 * at TRL 9 an actual system is proven in operation, so buying off the shelf (COMMERCIAL)
 * or not procuring at all (NONE) follows too. Every other route goes against the rule and
 * needs a written justification. With no TRL known, the rule has nothing to say.
 */
export function routesWithinTrlRule(bestTrl: number | null): readonly ProcurementRoute[] {
  if (bestTrl === null) return ROUTES;
  const route = routeFor(bestTrl);
  if (route === 'PCP') return ['PCP', 'INNOVATION_PARTNERSHIP'];
  return bestTrl === 9 ? ['PPI', 'COMMERCIAL', 'NONE'] : ['PPI'];
}

export function goesAgainstTrlRule(route: ProcurementRoute, bestTrl: number | null): boolean {
  return !routesWithinTrlRule(bestTrl).includes(route);
}
