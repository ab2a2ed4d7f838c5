import { defineIntegrationEvent } from '../published-language';
import {
  KPI_DIRECTIONS,
  PILOT_OUTCOMES,
  TESTBED_TYPES,
  type KpiDirection,
  type PilotOutcome,
  type TestbedType,
  arrayOf,
  id,
  isoTime,
  nullable,
  object,
  oneOfValues,
  positiveInt,
  reason,
  region,
  text,
  trl,
} from '../schema-fragments';

const context = 'pilots' as const;
const pilotId = id('Pilot id.');
const innovationId = id('Innovation piloted.');

export interface TestbedRegistered {
  testbedId: string;
  org: string;
  name: string;
  type: TestbedType;
  region: string;
  enollLabelled: boolean;
  capabilities: string[];
  capacity: number | null;
}

export const TestbedRegisteredEvent = defineIntegrationEvent<TestbedRegistered>({
  context,
  type: 'TestbedRegistered',
  version: 1,
  aggregate: 'testbed',
  key: 'testbedId',
  description: 'A testbed (hospital, living lab, sandbox...) became available for pilots.',
  schema: object(
    {
      testbedId: id('Testbed id.'),
      org: id('Operating organisation.'),
      name: text('Testbed name.', 300),
      type: oneOfValues(TESTBED_TYPES, 'Kind of testbed.'),
      region: region(),
      enollLabelled: { type: 'boolean', description: 'ENoLL-labelled living lab.' },
      capabilities: arrayOf(text('A capability.', 200), 'What the testbed can host.', {
        uniqueItems: true,
      }),
      capacity: nullable(positiveInt('Pilots it can host at once.')),
    },
    ['testbedId', 'org', 'name', 'type', 'region', 'enollLabelled', 'capabilities', 'capacity'],
  ),
  example: {
    testbedId: 'tb-ourense',
    org: 'org-sergas',
    name: 'Ourense living lab',
    type: 'LIVING_LAB',
    region: 'ES11',
    enollLabelled: true,
    capabilities: ['emergency_department', 'ehr_integration'],
    capacity: 6,
  },
});

export interface PilotKpi {
  name: string;
  unit: string;
  target: number;
  direction: KpiDirection;
}

export interface PilotPlanned {
  pilotId: string;
  org: string;
  contractId: string;
  innovationId: string;
  testbedId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  kpis: PilotKpi[];
}

export const PilotPlannedEvent = defineIntegrationEvent<PilotPlanned>({
  context,
  type: 'PilotPlanned',
  version: 1,
  aggregate: 'pilot',
  key: 'pilotId',
  description: 'A pilot of a contracted innovation was planned on a testbed, with KPI targets.',
  schema: object(
    {
      pilotId,
      org: id('Procuring organisation running the pilot.'),
      contractId: id('Contract of the last PCP phase, or a PPI contract.'),
      innovationId,
      testbedId: id('Testbed hosting the pilot.'),
      title: text('Pilot title.', 300),
      startsAt: isoTime('Planned start.'),
      endsAt: isoTime('Planned end.'),
      kpis: arrayOf(
        object(
          {
            name: text('KPI name.', 200),
            unit: text('Unit of measure.', 50),
            target: { type: 'number', description: 'Target value.' },
            direction: oneOfValues(KPI_DIRECTIONS, 'Which way is better.'),
          },
          ['name', 'unit', 'target', 'direction'],
        ),
        'KPIs with targets.',
        { minItems: 1 },
      ),
    },
    [
      'pilotId',
      'org',
      'contractId',
      'innovationId',
      'testbedId',
      'title',
      'startsAt',
      'endsAt',
      'kpis',
    ],
  ),
  example: {
    pilotId: 'pilot-0c3f',
    org: 'org-sergas',
    contractId: 'ctr-3a',
    innovationId: 'inno-4c6e',
    testbedId: 'tb-ourense',
    title: 'SepsisWatch in Ourense ED',
    startsAt: '2027-01-10T08:00:00+01:00',
    endsAt: '2027-07-10T08:00:00+02:00',
    kpis: [
      { name: 'time_to_antibiotics', unit: 'minutes', target: 60, direction: 'LOWER_IS_BETTER' },
    ],
  },
});

export interface PilotStarted {
  pilotId: string;
  innovationId: string;
  startedAt: string;
}

export const PilotStartedEvent = defineIntegrationEvent<PilotStarted>({
  context,
  type: 'PilotStarted',
  version: 1,
  aggregate: 'pilot',
  key: 'pilotId',
  description: 'The pilot started in its testbed.',
  schema: object({ pilotId, innovationId, startedAt: isoTime('Start time.') }, [
    'pilotId',
    'innovationId',
    'startedAt',
  ]),
  example: {
    pilotId: 'pilot-0c3f',
    innovationId: 'inno-4c6e',
    startedAt: '2027-01-10T08:00:00+01:00',
  },
});

export interface TrlAssessed {
  pilotId: string;
  innovationId: string;
  trl: number;
  evidence: string[];
  reason: string;
  assessedBy: string;
  /** The innovation's current TRL before this assessment; null when it had none. */
  previousTrl: number | null;
  /** True when `trl` is below `previousTrl`: the reason says why. */
  downgrade: boolean;
}

export const TrlAssessedEvent = defineIntegrationEvent<TrlAssessed>({
  context,
  type: 'TrlAssessed',
  version: 1,
  aggregate: 'pilot',
  key: 'pilotId',
  description:
    "An evaluator assigned to the pilot assessed the innovation's TRL with evidence (measurement ids, " +
    'document references) and a reason.',
  schema: object(
    {
      pilotId,
      innovationId,
      trl: trl('Assessed TRL.'),
      evidence: arrayOf(text('Measurement id or document reference.', 500), 'Evidence.', {
        minItems: 1,
      }),
      reason: reason(),
      assessedBy: id('User id of the assessing evaluator (an id, never a name).'),
      previousTrl: nullable(trl("The innovation's current TRL before this assessment.")),
      downgrade: {
        type: 'boolean',
        description: 'The assessed TRL is below the previous one; the reason says why.',
      },
    },
    [
      'pilotId',
      'innovationId',
      'trl',
      'evidence',
      'reason',
      'assessedBy',
      'previousTrl',
      'downgrade',
    ],
    {
      if: { properties: { downgrade: { const: true } } },
      then: { properties: { previousTrl: { type: 'integer', minimum: 2 } } },
    },
  ),
  example: {
    pilotId: 'pilot-0c3f',
    innovationId: 'inno-4c6e',
    trl: 8,
    evidence: ['meas-118', 'doc:validation-report-v2'],
    reason: 'System qualified in the operational environment over 6 months',
    assessedBy: 'user-eval-12',
    previousTrl: 7,
    downgrade: false,
  },
});

export interface KpiResult {
  name: string;
  target: number;
  actual: number | null;
  met: boolean;
}

export interface PilotCompleted {
  pilotId: string;
  innovationId: string;
  outcome: PilotOutcome;
  kpiResults: KpiResult[];
  reason: string;
}

export const PilotCompletedEvent = defineIntegrationEvent<PilotCompleted>({
  context,
  type: 'PilotCompleted',
  version: 1,
  aggregate: 'pilot',
  key: 'pilotId',
  description: 'The pilot ended; the outcome follows from the KPI targets.',
  schema: object(
    {
      pilotId,
      innovationId,
      outcome: oneOfValues(PILOT_OUTCOMES, 'Outcome from the KPI targets.'),
      kpiResults: arrayOf(
        object(
          {
            name: text('KPI name.', 200),
            target: { type: 'number', description: 'Target value.' },
            actual: nullable({
              type: 'number',
              description: 'Last measured value; null when never measured.',
            }),
            met: { type: 'boolean', description: 'Whether the target was reached.' },
          },
          ['name', 'target', 'actual', 'met'],
        ),
        'Result per KPI.',
      ),
      reason: reason(),
    },
    ['pilotId', 'innovationId', 'outcome', 'kpiResults', 'reason'],
  ),
  example: {
    pilotId: 'pilot-0c3f',
    innovationId: 'inno-4c6e',
    outcome: 'SUCCESS',
    kpiResults: [{ name: 'time_to_antibiotics', target: 60, actual: 48, met: true }],
    reason: 'All KPI targets met',
  },
});

export interface DeploymentDecided {
  pilotId: string;
  innovationId: string;
  deploy: boolean;
  assessedTrl: number | null;
  sites: string[];
  reason: string;
}

export const DeploymentDecidedEvent = defineIntegrationEvent<DeploymentDecided>({
  context,
  type: 'DeploymentDecided',
  version: 1,
  aggregate: 'pilot',
  key: 'pilotId',
  description:
    'After a completed pilot the procurer decided on deployment, with a reason; deploying needs an assessed TRL of 8 or more.',
  schema: object(
    {
      pilotId,
      innovationId,
      deploy: { type: 'boolean', description: 'Whether the innovation is rolled out.' },
      assessedTrl: nullable(trl('Latest assessed TRL at the decision.')),
      sites: arrayOf(text('Region or testbed id for roll-out.', 128), 'Roll-out sites.', {
        uniqueItems: true,
      }),
      reason: reason(),
    },
    ['pilotId', 'innovationId', 'deploy', 'assessedTrl', 'sites', 'reason'],
    {
      if: { properties: { deploy: { const: true } } },
      then: { properties: { assessedTrl: { type: 'integer', minimum: 8 } } },
    },
  ),
  example: {
    pilotId: 'pilot-0c3f',
    innovationId: 'inno-4c6e',
    deploy: true,
    assessedTrl: 8,
    sites: ['ES11', 'ES22'],
    reason: 'Pilot succeeded; reimbursement agreed with the regional payer',
  },
});

export const pilotsEvents = [
  TestbedRegisteredEvent,
  PilotPlannedEvent,
  PilotStartedEvent,
  TrlAssessedEvent,
  PilotCompletedEvent,
  DeploymentDecidedEvent,
] as const;
