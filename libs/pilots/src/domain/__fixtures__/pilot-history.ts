/** A pilot's commands and past events as the specs use them: SepsisWatch in the Ourense living lab. */
import type { AssessedTrl } from '../assessed-trl';
import type {
  ContractFacts,
  MeasurementRecorded,
  PilotCommand,
  PilotEvent,
  PilotPlannedData,
  PlanPilot,
} from '../pilot';
import type { TestbedFacts } from '../testbed';

export const procurer = 'org-sergas';
export const supplier = 'org-medtech-sme';
export const evaluator = 'user-eval-12';
export const pilotId = 'pilot-0c3f';
export const innovationId = 'inno-4c6e';

export const contract: ContractFacts = {
  contractId: 'ctr-3a',
  tenderId: 'tender-91b0',
  procedure: 'PCP',
  phase: 3,
  isLastPhase: true,
  supplierOrg: supplier,
  innovationId,
  procurerOrg: procurer,
  status: 'ACTIVE',
};

export const livingLab: TestbedFacts = {
  testbedId: 'tb-ourense',
  org: procurer,
  type: 'LIVING_LAB',
  region: 'ES11',
  enollLabelled: true,
  capacity: 6,
};

export const hospital: TestbedFacts = {
  testbedId: 'tb-chuac',
  org: procurer,
  type: 'HOSPITAL',
  region: 'ES11',
  enollLabelled: false,
  capacity: null,
};

/** TRL 7 assessed in the PCP's last intermediate evaluation. */
export const phaseTrl: AssessedTrl = {
  trl: 7,
  assessedAt: '2026-12-15T10:00:00.000Z',
  source: 'tender-91b0:phase-2',
};

export const plan: PlanPilot = {
  type: 'PlanPilot',
  pilotId,
  actorOrg: procurer,
  contractId: 'ctr-3a',
  contract,
  testbedId: 'tb-ourense',
  testbed: livingLab,
  activePilotsAtTestbed: 2,
  knownTrl: phaseTrl,
  title: 'SepsisWatch in Ourense ED',
  startsAt: '2027-01-10T08:00:00+01:00',
  endsAt: '2027-07-10T08:00:00+02:00',
  kpis: [
    { name: 'time_to_antibiotics', unit: 'minutes', target: 60, direction: 'LOWER_IS_BETTER' },
    { name: 'sepsis_detected', unit: '%', target: 85, direction: 'HIGHER_IS_BETTER' },
  ],
};

export const plannedData: PilotPlannedData = {
  pilotId,
  org: procurer,
  contractId: 'ctr-3a',
  innovationId,
  testbedId: 'tb-ourense',
  title: 'SepsisWatch in Ourense ED',
  startsAt: '2027-01-10T08:00:00+01:00',
  endsAt: '2027-07-10T08:00:00+02:00',
  kpis: [
    { name: 'time_to_antibiotics', unit: 'minutes', target: 60, direction: 'LOWER_IS_BETTER' },
    { name: 'sepsis_detected', unit: '%', target: 85, direction: 'HIGHER_IS_BETTER' },
  ],
  tenderId: 'tender-91b0',
  procedure: 'PCP',
  phase: 3,
  supplierOrg: supplier,
  testbedType: 'LIVING_LAB',
  testbedRegion: 'ES11',
  trlAtPlanning: 7,
};

export const planned: PilotEvent = { type: 'PilotPlanned', data: plannedData };

export const evaluatorsAssigned: PilotEvent = {
  type: 'PilotEvaluatorsAssigned',
  data: { pilotId, evaluatorIds: [evaluator], evaluators: [evaluator] },
};

export const startedAt = new Date('2027-01-10T07:30:00.000Z');
export const started: PilotEvent = {
  type: 'PilotStarted',
  data: { pilotId, innovationId, startedAt: '2027-01-10T07:30:00.000Z' },
};

/** A time during the pilot, used as the commands' clock. */
export const during = new Date('2027-04-01T12:00:00.000Z');
export const afterwards = new Date('2027-07-12T09:00:00.000Z');

export function measured(
  measurementId: string,
  kpi: string,
  value: number,
  at: string,
  recordedByOrg = supplier,
): PilotEvent {
  const unit = kpi === 'time_to_antibiotics' ? 'minutes' : '%';
  const data: MeasurementRecorded = { pilotId, measurementId, kpi, value, unit, at, recordedByOrg };
  return { type: 'MeasurementRecorded', data };
}

/** Both KPIs measured twice; the latest values meet both targets. */
export const measurements: PilotEvent[] = [
  measured('meas-1', 'time_to_antibiotics', 75, '2027-02-01T10:00:00+01:00'),
  measured('meas-2', 'sepsis_detected', 80, '2027-02-01T10:00:00+01:00'),
  measured('meas-3', 'time_to_antibiotics', 52, '2027-06-01T10:00:00+02:00'),
  measured('meas-4', 'sepsis_detected', 88, '2027-06-01T10:00:00+02:00'),
];

export function assessed(
  trl: number,
  assessedAt: string,
  previousTrl: number | null,
  evidence = ['meas-3', 'doc:validation-report-v2'],
): PilotEvent {
  const reason = `Assessed at TRL ${trl} on the pilot's evidence`;
  return {
    type: 'TrlAssessed',
    data: {
      pilotId,
      innovationId,
      trl,
      evidence,
      reason,
      assessedBy: evaluator,
      assessmentId: `trl-${assessedAt}`,
      assessedAt,
      previousTrl,
      downgrade: previousTrl !== null && trl < previousTrl,
    },
    reason,
  };
}

export const completedAt = '2027-07-11T09:00:00.000Z';
export const completed: PilotEvent = {
  type: 'PilotCompleted',
  data: {
    pilotId,
    innovationId,
    outcome: 'SUCCESS',
    kpiResults: [
      { name: 'time_to_antibiotics', target: 60, actual: 52, met: true },
      { name: 'sepsis_detected', target: 85, actual: 88, met: true },
    ],
    reason: 'All KPI targets met',
    completedAt,
    incidents: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 },
  },
  reason: 'All KPI targets met',
};

/** A completed pilot whose evaluator assessed TRL 8 at the end. */
export const completedAtTrl8: PilotEvent[] = [
  planned,
  evaluatorsAssigned,
  started,
  ...measurements,
  assessed(8, '2027-07-05T10:00:00.000Z', 7),
  completed,
];

export type CommandOf<T extends PilotCommand['type']> = Extract<PilotCommand, { type: T }>;
