import type { PilotKpi } from '@pcp/contracts';
import { meetsTarget, outcomeOf, type KpiMeasurement } from './outcome';

const waiting: PilotKpi = {
  name: 'time_to_antibiotics',
  unit: 'minutes',
  target: 60,
  direction: 'LOWER_IS_BETTER',
};
const detection: PilotKpi = {
  name: 'sepsis_detected',
  unit: '%',
  target: 85,
  direction: 'HIGHER_IS_BETTER',
};
const m = (kpi: string, value: number, at: string): KpiMeasurement => ({ kpi, value, at });

describe('meeting a KPI target', () => {
  it('reads the direction; reaching the target exactly counts as met', () => {
    expect(meetsTarget(detection, 85)).toBe(true);
    expect(meetsTarget(detection, 84.9)).toBe(false);
    expect(meetsTarget(waiting, 60)).toBe(true);
    expect(meetsTarget(waiting, 61)).toBe(false);
    expect(meetsTarget(waiting, 12)).toBe(true);
  });
});

describe('the outcome of a pilot from its KPI targets', () => {
  it('is SUCCESS when every KPI meets its target', () => {
    expect(
      outcomeOf(
        [waiting, detection],
        [
          m('time_to_antibiotics', 48, '2027-03-01T10:00:00Z'),
          m('sepsis_detected', 90, '2027-03-01T10:00:00Z'),
        ],
      ),
    ).toEqual({
      outcome: 'SUCCESS',
      kpiResults: [
        { name: 'time_to_antibiotics', target: 60, actual: 48, met: true },
        { name: 'sepsis_detected', target: 85, actual: 90, met: true },
      ],
    });
  });

  it('is PARTIAL when some KPIs meet their targets', () => {
    const result = outcomeOf(
      [waiting, detection],
      [
        m('time_to_antibiotics', 48, '2027-03-01T10:00:00Z'),
        m('sepsis_detected', 70, '2027-03-01T10:00:00Z'),
      ],
    );
    expect(result.outcome).toBe('PARTIAL');
    expect(result.kpiResults.map((r) => r.met)).toEqual([true, false]);
  });

  it('is FAILED when no KPI meets its target', () => {
    const result = outcomeOf(
      [waiting, detection],
      [
        m('time_to_antibiotics', 75, '2027-03-01T10:00:00Z'),
        m('sepsis_detected', 70, '2027-03-01T10:00:00Z'),
      ],
    );
    expect(result.outcome).toBe('FAILED');
  });

  it('is FAILED when a KPI was never measured, even if the others are met', () => {
    const result = outcomeOf(
      [waiting, detection],
      [m('time_to_antibiotics', 48, '2027-03-01T10:00:00Z')],
    );
    expect(result).toEqual({
      outcome: 'FAILED',
      kpiResults: [
        { name: 'time_to_antibiotics', target: 60, actual: 48, met: true },
        { name: 'sepsis_detected', target: 85, actual: null, met: false },
      ],
    });
    expect(outcomeOf([waiting], []).outcome).toBe('FAILED');
  });

  it('judges each KPI on its latest measurement by time, not by the order of recording nor the mean', () => {
    const result = outcomeOf(
      [waiting],
      [
        m('time_to_antibiotics', 50, '2027-06-01T10:00:00+02:00'),
        // Recorded later, taken earlier: the ramp-up.
        m('time_to_antibiotics', 95, '2027-02-01T10:00:00+01:00'),
        m('time_to_antibiotics', 90, '2027-01-20T10:00:00+01:00'),
      ],
    );
    expect(result.kpiResults).toEqual([
      { name: 'time_to_antibiotics', target: 60, actual: 50, met: true },
    ]);
    expect(result.outcome).toBe('SUCCESS');
  });

  it('compares times as instants across offsets, and takes the later recorded at the same instant', () => {
    const sameInstant = outcomeOf(
      [detection],
      [
        m('sepsis_detected', 90, '2027-03-01T10:00:00+01:00'),
        m('sepsis_detected', 80, '2027-03-01T09:00:00Z'),
      ],
    );
    expect(sameInstant.kpiResults[0].actual).toBe(80);
    const offsets = outcomeOf(
      [detection],
      // 10:00+02:00 is 08:00 UTC, before 09:00 UTC.
      [
        m('sepsis_detected', 90, '2027-03-01T09:00:00Z'),
        m('sepsis_detected', 80, '2027-03-01T10:00:00+02:00'),
      ],
    );
    expect(offsets.kpiResults[0].actual).toBe(90);
  });

  it('ignores measurements of other KPIs', () => {
    const result = outcomeOf([detection], [m('time_to_antibiotics', 99, '2027-03-01T10:00:00Z')]);
    expect(result.kpiResults[0]).toEqual({
      name: 'sepsis_detected',
      target: 85,
      actual: null,
      met: false,
    });
  });
});
