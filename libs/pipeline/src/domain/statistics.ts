/** Funnel, stage durations and SME shares over journeys. Pure. */
import { STAGES, type Journey, type Stage } from './journey';

const DAY_MS = 86_400_000;

/** Nearest-rank percentile (p in 0..100) of unsorted values; null when there are none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The middle value, or the mean of the two middle values. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export type StageCounts = Record<Stage, number>;

const zero = (): StageCounts => Object.fromEntries(STAGES.map((s) => [s, 0])) as StageCounts;

export interface Funnel {
  total: number;
  /** Where the innovations are now. */
  current: StageCounts;
  /** How many ever reached each stage. */
  reached: StageCounts;
}

export function funnelOf(journeys: Pick<Journey, 'stage' | 'stageHistory'>[]): Funnel {
  const current = zero();
  const reached = zero();
  for (const j of journeys) {
    if (j.stage) current[j.stage] += 1;
    for (const stage of new Set(j.stageHistory.map((c) => c.stage))) reached[stage] += 1;
  }
  return { total: journeys.length, current, reached };
}

export interface StageDuration {
  stage: Stage;
  /** Innovations that left the stage. */
  count: number;
  medianDays: number | null;
  p90Days: number | null;
}

/**
 * How long innovations stayed in each stage: from entering it to the next stage change.
 * A PCP phase counts as one stage across its phases; stages still running are left out.
 */
export function stageDurationsOf(journeys: Pick<Journey, 'stageHistory'>[]): StageDuration[] {
  const days = new Map<Stage, number[]>();
  for (const j of journeys) {
    const changes = j.stageHistory;
    let entered = 0;
    for (let i = 1; i <= changes.length; i++) {
      const next = changes[i];
      if (next && next.stage === changes[entered].stage) continue;
      if (!next) break;
      const stage = changes[entered].stage;
      const span = (Date.parse(next.at) - Date.parse(changes[entered].at)) / DAY_MS;
      days.set(stage, [...(days.get(stage) ?? []), span]);
      entered = i;
    }
  }
  return STAGES.filter((s) => s !== 'DROPPED' && s !== 'DEPLOYED').map((stage) => {
    const values = days.get(stage) ?? [];
    return {
      stage,
      count: values.length,
      medianDays: median(values),
      p90Days: percentile(values, 90),
    };
  });
}

export interface SmeCount {
  /** Innovations counted (with an opened bid, or awarded a contract). */
  total: number;
  /** Of those, by suppliers that declared themselves SMEs... */
  sme: number;
  /** ...that declared they are not... */
  notSme: number;
  /** ...and that did not say (no `sme` claim, or opened before the flag was published). */
  unknown: number;
  /** sme / (sme + notSme): the share among suppliers whose status is known; null if none is. */
  share: number | null;
}

export interface SmeShare {
  /** Innovations whose bid was opened (as the funnel's `bids`). */
  bids: SmeCount;
  /** Innovations awarded at least one contract (as the funnel's `awards`). */
  awards: SmeCount;
}

function smeCountOf(journeys: Pick<Journey, 'supplierSme'>[]): SmeCount {
  const sme = journeys.filter((j) => j.supplierSme === true).length;
  const notSme = journeys.filter((j) => j.supplierSme === false).length;
  const known = sme + notSme;
  return {
    total: journeys.length,
    sme,
    notSme,
    unknown: journeys.length - known,
    share: known === 0 ? null : sme / known,
  };
}

/** SME share of bids and of awards, counted per innovation as the funnel counts them. */
export function smeShareOf(
  journeys: Pick<Journey, 'supplierSme' | 'bidIds' | 'contracts'>[],
): SmeShare {
  return {
    bids: smeCountOf(journeys.filter((j) => j.bidIds.length > 0)),
    awards: smeCountOf(journeys.filter((j) => j.contracts.length > 0)),
  };
}
