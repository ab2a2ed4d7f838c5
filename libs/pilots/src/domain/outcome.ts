import type { KpiResult, PilotKpi, PilotOutcome } from '@pcp/contracts';

/** A measurement as the outcome reads it: the KPI, the value and when it was taken. */
export interface KpiMeasurement {
  kpi: string;
  value: number;
  at: string;
}

export interface PilotResult {
  outcome: PilotOutcome;
  kpiResults: KpiResult[];
}

/**
 * Whether a value reaches a KPI's target; reaching it exactly counts as met.
 */
export function meetsTarget(kpi: Pick<PilotKpi, 'target' | 'direction'>, value: number): boolean {
  return kpi.direction === 'HIGHER_IS_BETTER' ? value >= kpi.target : value <= kpi.target;
}

/**
 * The outcome of a pilot from its KPI targets. Each KPI is judged on its latest
 * measurement (by `at`; on equal times the later recorded): the target states the level
 * the innovation reaches in the real setting, and early values mostly show the ramp-up,
 * which a mean would carry into the result. All KPIs met: SUCCESS; some met: PARTIAL;
 * none met, or any KPI never measured: FAILED, since an unmeasured target proves nothing
 * and the outcome cannot rest on part of the plan.
 */
export function outcomeOf(
  kpis: readonly PilotKpi[],
  measurements: readonly KpiMeasurement[],
): PilotResult {
  const kpiResults = kpis.map((kpi): KpiResult => {
    const actual = latestValue(kpi.name, measurements);
    return {
      name: kpi.name,
      target: kpi.target,
      actual,
      met: actual !== null && meetsTarget(kpi, actual),
    };
  });
  const met = kpiResults.filter((r) => r.met).length;
  const unmeasured = kpiResults.some((r) => r.actual === null);
  const outcome: PilotOutcome =
    kpiResults.length > 0 && met === kpiResults.length
      ? 'SUCCESS'
      : met === 0 || unmeasured
        ? 'FAILED'
        : 'PARTIAL';
  return { outcome, kpiResults };
}

function latestValue(kpi: string, measurements: readonly KpiMeasurement[]): number | null {
  let latest: { value: number; at: number } | null = null;
  for (const m of measurements) {
    if (m.kpi !== kpi) continue;
    const at = Date.parse(m.at);
    if (latest === null || at >= latest.at) latest = { value: m.value, at };
  }
  return latest === null ? null : latest.value;
}
