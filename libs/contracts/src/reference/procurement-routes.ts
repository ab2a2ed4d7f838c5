import { ROUTES, type ProcurementRoute } from '../schema-fragments';

/** What each procurement route chosen after a market consultation means. */
export const PROCUREMENT_ROUTE_DESCRIPTIONS: Readonly<Record<ProcurementRoute, string>> = {
  PCP: 'Pre-commercial procurement: R&D services in competing phases, for solutions below TRL 8',
  PPI: 'Public procurement of innovative solutions: the procurer as early adopter, TRL 8 or 9',
  INNOVATION_PARTNERSHIP:
    'Innovation partnership (Directive 2014/24/EU Art. 31): development and purchase in one procedure',
  COMMERCIAL: 'Ordinary procurement: a commercial off-the-shelf solution is available',
  NONE: 'No procurement follows the consultation',
};

export function isProcurementRoute(value: unknown): value is ProcurementRoute {
  return typeof value === 'string' && (ROUTES as readonly string[]).includes(value);
}
