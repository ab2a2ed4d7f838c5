import { Injectable } from '@nestjs/common';
import type { Filter } from '@pcp/documents';
import { funnelOf, smeShareOf, stageDurationsOf, type Journey } from '../domain';
import { InnovationQueries } from './innovation-queries';

export interface AnalyticsFilters {
  region?: string;
  procedure?: string;
}

function groups(
  journeys: Journey[],
  keyOf: (j: Journey) => (string | null)[],
): Map<string, Journey[]> {
  const out = new Map<string, Journey[]>();
  for (const j of journeys)
    for (const key of keyOf(j)) if (key) out.set(key, [...(out.get(key) ?? []), j]);
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

@Injectable()
export class PipelineAnalytics {
  constructor(private readonly innovations: InnovationQueries) {}

  async funnel(filters: AnalyticsFilters) {
    const journeys = await this.innovations.all(filterOf(filters));
    const bidders = journeys.filter((j) => j.bidIds.length > 0).length;
    const awarded = journeys.filter((j) => j.contracts.length > 0).length;
    return {
      ...filters,
      ...funnelOf(journeys),
      bids: bidders,
      awards: awarded,
      byRegion: [...groups(journeys, (j) => j.regions)].map(([region, list]) => ({
        region,
        ...funnelOf(list),
        smeShare: smeShareOf(list),
      })),
      byProcedure: [...groups(journeys, (j) => [j.procedure])].map(([procedure, list]) => ({
        procedure,
        ...funnelOf(list),
        smeShare: smeShareOf(list),
      })),
      smeShare: smeShareOf(journeys),
    };
  }

  /** SME share of bids and of awards, by region and procedure, as the funnel counts them. */
  async smeShare(filters: AnalyticsFilters) {
    const journeys = await this.innovations.all(filterOf(filters));
    return {
      ...filters,
      ...smeShareOf(journeys),
      byRegion: [...groups(journeys, (j) => j.regions)].map(([region, list]) => ({
        region,
        ...smeShareOf(list),
      })),
      byProcedure: [...groups(journeys, (j) => [j.procedure])].map(([procedure, list]) => ({
        procedure,
        ...smeShareOf(list),
      })),
    };
  }

  async stageDurations(filters: AnalyticsFilters) {
    const journeys = await this.innovations.all(filterOf(filters));
    return {
      ...filters,
      unit: 'days',
      stages: stageDurationsOf(journeys),
      byRegion: [...groups(journeys, (j) => j.regions)].map(([region, list]) => ({
        region,
        stages: stageDurationsOf(list),
      })),
      byProcedure: [...groups(journeys, (j) => [j.procedure])].map(([procedure, list]) => ({
        procedure,
        stages: stageDurationsOf(list),
      })),
    };
  }
}

function filterOf(filters: AnalyticsFilters): Filter {
  const filter: Filter = {};
  if (filters.region) filter.regions = filters.region;
  if (filters.procedure) filter.procedure = filters.procedure;
  return filter;
}
