import { Injectable } from '@nestjs/common';
import type { Filter } from '@pcp/documents';
import { funnelOf, stageDurationsOf, type Journey } from '../domain';
import { InnovationQueries } from './innovation-queries';

export interface AnalyticsFilters {
  region?: string;
  procedure?: string;
}

/**
 * SME shares cannot be told from what the other contexts publish: no integration event says
 * whether a supplier is an SME (only the supplier's token does, and it is not recorded).
 */
const SME_SHARE_UNKNOWN = {
  bids: null,
  awards: null,
  note: 'Unknown: no published event says whether a supplier is an SME',
};

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
      })),
      byProcedure: [...groups(journeys, (j) => [j.procedure])].map(([procedure, list]) => ({
        procedure,
        ...funnelOf(list),
      })),
      smeShare: SME_SHARE_UNKNOWN,
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
