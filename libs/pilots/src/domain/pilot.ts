import {
  DomainRuleError,
  InvalidStateError,
  NotFoundError,
  type Decider,
  type DomainEvent,
} from '@pcp/eventsourcing';
import {
  KPI_DIRECTIONS,
  isNutsCode,
  isTrlLevel,
  type DeploymentDecided,
  type KpiDirection,
  type PilotCompleted,
  type PilotKpi,
  type PilotOutcome,
  type PilotPlanned,
  type PilotStarted,
  type Procedure,
  type TestbedType,
  type TrlAssessed,
} from '@pcp/contracts';
import { currentTrlOf, type AssessedTrl } from './assessed-trl';
import { NotAssignedEvaluatorError, NotOwnerError } from './errors';
import { outcomeOf } from './outcome';
import type { TestbedFacts } from './testbed';
import {
  EVIDENCE_LIMIT,
  KPI_NAME_LIMIT,
  SITE_LIMIT,
  TITLE_LIMIT,
  UNIT_LIMIT,
  identifier,
  optionalText,
  requiredText,
} from './text-rules';
import { instant, notInFuture } from './time-rules';

/** Living-lab pilot calls require TRL 7 or higher at entry (DOMAIN.md, seed 003 L1986). */
export const LIVING_LAB_MIN_TRL = 7;
/** Deployment requires an assessed TRL of 8 or more. */
export const DEPLOYMENT_MIN_TRL = 8;
/**
 * Measurement ids start with this prefix (the application generates them so), which lets
 * evidence tell a measurement reference from a document reference.
 */
export const MEASUREMENT_ID_PREFIX = 'meas-';

export const INCIDENT_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/**
 * ACTIVE: the contract runs; COMPLETED: its phase (or the PPI contract) ended and passed;
 * TERMINATED: dropped at a down-selection, failed its intermediate evaluation, or its
 * tender was cancelled.
 */
export type ContractStatus = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

/**
 * What the pilots context has learned about a contract from the tenders context's
 * integration events (its own projection); the application layer passes it in.
 */
export interface ContractFacts {
  contractId: string;
  tenderId: string;
  procedure: Procedure;
  phase: number;
  /** The PCP phase is the tender's last (original development and field testing); true for PPI. */
  isLastPhase: boolean;
  supplierOrg: string;
  innovationId: string;
  /** The organisation that runs the tender. */
  procurerOrg: string;
  status: ContractStatus;
}

export interface KpiInput {
  name: string;
  unit: string;
  target: number;
  direction: string;
}

export interface PlanPilot {
  type: 'PlanPilot';
  pilotId: string;
  actorOrg: string;
  contractId: string;
  /** Undefined when the application knows no such contract. */
  contract?: ContractFacts;
  testbedId: string;
  /** Undefined when no such testbed is registered. */
  testbed?: TestbedFacts;
  /** Pilots planned or running at the testbed (both hold a place), from the application's projection. */
  activePilotsAtTestbed: number;
  /** The innovation's latest assessed TRL the application knows, or null. */
  knownTrl: AssessedTrl | null;
  title: string;
  startsAt: string;
  endsAt: string;
  kpis: KpiInput[];
}

export type PilotCommand =
  | PlanPilot
  | { type: 'AssignPilotEvaluators'; actorOrg: string; evaluatorIds: string[] }
  | { type: 'StartPilot'; actorOrg: string; now: Date }
  | {
      type: 'RecordMeasurement';
      actorOrg: string;
      /** The caller's roles: a procurer acts for the running organisation, a supplier for the holder. */
      actorRoles: readonly string[];
      measurementId: string;
      kpi: string;
      value: number;
      at: string;
      now: Date;
    }
  | {
      type: 'ReportIncident';
      actorOrg: string;
      actorRoles: readonly string[];
      incidentId: string;
      severity: string;
      description: string;
      now: Date;
    }
  | {
      type: 'AssessTrl';
      /** The assessing evaluator's user id. */
      actorUserId: string;
      assessmentId: string;
      trl: number;
      evidence: string[];
      reason: string;
      knownTrl: AssessedTrl | null;
      now: Date;
    }
  | { type: 'CompletePilot'; actorOrg: string; reason: string; now: Date }
  | {
      type: 'DecideDeployment';
      actorOrg: string;
      deploy: boolean;
      reason: string;
      /** NUTS region codes or testbed ids. */
      sites?: string[] | null;
      /** The registered testbeds among `sites`, as the application found them. */
      siteTestbeds?: TestbedFacts[];
      knownTrl: AssessedTrl | null;
      now: Date;
    }
  | {
      type: 'RecordRollout';
      actorOrg: string;
      /** A NUTS region code or a testbed id. */
      site: string;
      region?: string | null;
      at: string;
      reason?: string | null;
      /** The testbed `site` names, when it names a registered one. */
      siteTestbed?: TestbedFacts;
      now: Date;
    };

export interface PilotPlannedData extends PilotPlanned {
  tenderId: string;
  procedure: Procedure;
  phase: number;
  supplierOrg: string;
  testbedType: TestbedType;
  testbedRegion: string;
  /** The assessed TRL the plan relied on (the living-lab entry rule). */
  trlAtPlanning: number | null;
}

export interface MeasurementRecorded {
  pilotId: string;
  measurementId: string;
  kpi: string;
  value: number;
  unit: string;
  at: string;
  recordedByOrg: string;
}

export interface IncidentReported {
  pilotId: string;
  incidentId: string;
  severity: IncidentSeverity;
  description: string;
  reportedAt: string;
  reportedByOrg: string;
}

/** The published TrlAssessed (with `previousTrl` and `downgrade`), plus when and under which id. */
export interface TrlAssessedData extends TrlAssessed {
  assessmentId: string;
  assessedAt: string;
}

export type IncidentCounts = Record<IncidentSeverity, number>;

export interface PilotCompletedData extends PilotCompleted {
  completedAt: string;
  /** Incidents by severity: they inform the decisions, not the outcome. */
  incidents: IncidentCounts;
}

export type SiteKind = 'REGION' | 'TESTBED';

export interface RolloutSite {
  site: string;
  kind: SiteKind;
  /** The region of the site: the site itself, or the testbed's region. */
  region: string;
}

export interface DeploymentDecidedData extends DeploymentDecided {
  decidedAt: string;
  /** Each of `sites` with its kind and region. */
  siteDetails: RolloutSite[];
}

export interface RolloutRecorded extends RolloutSite {
  pilotId: string;
  innovationId: string;
  at: string;
  reason: string | null;
}

export type PilotEvent =
  | DomainEvent<'PilotPlanned', PilotPlannedData>
  | DomainEvent<
      'PilotEvaluatorsAssigned',
      { pilotId: string; evaluatorIds: string[]; evaluators: string[] }
    >
  | DomainEvent<'PilotStarted', PilotStarted>
  | DomainEvent<'MeasurementRecorded', MeasurementRecorded>
  | DomainEvent<'IncidentReported', IncidentReported>
  | DomainEvent<'TrlAssessed', TrlAssessedData>
  | DomainEvent<'PilotCompleted', PilotCompletedData>
  | DomainEvent<'DeploymentDecided', DeploymentDecidedData>
  | DomainEvent<'RolloutRecorded', RolloutRecorded>;

export type PilotStatus = 'PLANNED' | 'RUNNING' | 'COMPLETED';

export interface Measurement {
  measurementId: string;
  kpi: string;
  value: number;
  at: string;
}

export interface PilotState {
  status: 'NONE' | PilotStatus;
  plan: PilotPlannedData | null;
  evaluators: string[];
  measurements: Measurement[];
  incidents: { incidentId: string; severity: IncidentSeverity }[];
  /** This pilot's assessments, in order; the last is its latest. */
  assessments: AssessedTrl[];
  outcome: PilotOutcome | null;
  deployment: { deploy: boolean; sites: string[]; decidedAt: string } | null;
  rollouts: RolloutSite[];
}

type Command<T extends PilotCommand['type']> = Extract<PilotCommand, { type: T }>;

export const pilotDecider: Decider<PilotCommand, PilotState, PilotEvent> = {
  initialState: () => ({
    status: 'NONE',
    plan: null,
    evaluators: [],
    measurements: [],
    incidents: [],
    assessments: [],
    outcome: null,
    deployment: null,
    rollouts: [],
  }),

  decide(command, state) {
    if (command.type === 'PlanPilot') return [planning(command, state)];
    const plan = state.plan;
    if (plan === null) throw new NotFoundError('There is no such pilot', 'PILOT_NOT_FOUND');
    switch (command.type) {
      case 'AssignPilotEvaluators':
        return evaluatorAssignment(command, state, plan);
      case 'StartPilot':
        return [start(command, state, plan)];
      case 'RecordMeasurement':
        return [measurement(command, state, plan)];
      case 'ReportIncident':
        return [incident(command, state, plan)];
      case 'AssessTrl':
        return [assessment(command, state, plan)];
      case 'CompletePilot':
        return [completion(command, state, plan)];
      case 'DecideDeployment':
        return [deploymentDecision(command, state, plan)];
      case 'RecordRollout':
        return [rollout(command, state, plan)];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PilotPlanned':
        return { ...state, status: 'PLANNED', plan: event.data };
      case 'PilotEvaluatorsAssigned':
        return { ...state, evaluators: event.data.evaluators };
      case 'PilotStarted':
        return { ...state, status: 'RUNNING' };
      case 'MeasurementRecorded': {
        const { measurementId, kpi, value, at } = event.data;
        return {
          ...state,
          measurements: [...state.measurements, { measurementId, kpi, value, at }],
        };
      }
      case 'IncidentReported': {
        const { incidentId, severity } = event.data;
        return { ...state, incidents: [...state.incidents, { incidentId, severity }] };
      }
      case 'TrlAssessed': {
        const { trl, assessedAt, pilotId } = event.data;
        return {
          ...state,
          assessments: [...state.assessments, { trl, assessedAt, source: pilotId }],
        };
      }
      case 'PilotCompleted':
        return { ...state, status: 'COMPLETED', outcome: event.data.outcome };
      case 'DeploymentDecided': {
        const { deploy, sites, decidedAt } = event.data;
        return { ...state, deployment: { deploy, sites, decidedAt } };
      }
      case 'RolloutRecorded': {
        const { site, kind, region } = event.data;
        return { ...state, rollouts: [...state.rollouts, { site, kind, region }] };
      }
    }
  },
};

/** The innovation's current TRL as this pilot sees it: its own latest assessment or a later one known elsewhere. */
export function pilotCurrentTrl(
  state: PilotState,
  knownTrl: AssessedTrl | null,
): AssessedTrl | null {
  return currentTrlOf(knownTrl, state.assessments.at(-1));
}

function planning(command: PlanPilot, state: PilotState): PilotEvent {
  if (state.status !== 'NONE') {
    throw new InvalidStateError(`The pilot ${command.pilotId} is already planned`, 'PILOT_EXISTS');
  }
  const contract = eligibleContract(command);
  const testbed = command.testbed;
  if (!testbed || testbed.testbedId !== command.testbedId) {
    throw new DomainRuleError(
      `No testbed is registered with the id ${command.testbedId}; register it first or choose a registered one`,
      'UNKNOWN_TESTBED',
      { testbedId: command.testbedId },
    );
  }
  // A pilot cannot see the others; the application counts those holding a place at the testbed.
  if (testbed.capacity !== null && command.activePilotsAtTestbed >= testbed.capacity) {
    throw new DomainRuleError(
      `The testbed ${testbed.testbedId} hosts at most ${testbed.capacity} pilots at once and has ${command.activePilotsAtTestbed} planned or running; choose another testbed or wait until one completes`,
      'TESTBED_FULL',
      {
        testbedId: testbed.testbedId,
        capacity: testbed.capacity,
        active: command.activePilotsAtTestbed,
      },
    );
  }
  const title = requiredText('title', command.title, TITLE_LIMIT);
  const startsAt = instant('start (startsAt)', command.startsAt);
  const endsAt = instant('end (endsAt)', command.endsAt);
  if (endsAt <= startsAt) {
    throw new DomainRuleError(
      `The pilot must end after it starts; endsAt ${command.endsAt} is not after startsAt ${command.startsAt}`,
      'ENDS_BEFORE_START',
      { startsAt: command.startsAt, endsAt: command.endsAt },
    );
  }
  const kpis = kpisOf(command.kpis);
  const trlAtPlanning = command.knownTrl?.trl ?? null;
  if (
    testbed.type === 'LIVING_LAB' &&
    (trlAtPlanning === null || trlAtPlanning < LIVING_LAB_MIN_TRL)
  ) {
    const known =
      trlAtPlanning === null
        ? 'has no assessed TRL yet'
        : `has an assessed TRL of ${trlAtPlanning}`;
    throw new DomainRuleError(
      `Living-lab pilots need an assessed TRL of ${LIVING_LAB_MIN_TRL} or more at entry; the innovation ${contract.innovationId} ${known}. Choose another kind of testbed or have the TRL assessed first`,
      'TRL_TOO_LOW_FOR_LIVING_LAB',
      {
        innovationId: contract.innovationId,
        assessedTrl: trlAtPlanning,
        required: LIVING_LAB_MIN_TRL,
      },
    );
  }
  return {
    type: 'PilotPlanned',
    data: {
      pilotId: command.pilotId,
      org: contract.procurerOrg,
      contractId: contract.contractId,
      innovationId: contract.innovationId,
      testbedId: testbed.testbedId,
      title,
      startsAt: command.startsAt,
      endsAt: command.endsAt,
      kpis,
      tenderId: contract.tenderId,
      procedure: contract.procedure,
      phase: contract.phase,
      supplierOrg: contract.supplierOrg,
      testbedType: testbed.type,
      testbedRegion: testbed.region,
      trlAtPlanning,
    },
  };
}

/** A contract of the last PCP phase or a PPI contract, still in force, of the planner's tender. */
function eligibleContract(command: PlanPilot): ContractFacts {
  const contract = command.contract;
  if (!contract || contract.contractId !== command.contractId) {
    throw new DomainRuleError(
      `The contract ${command.contractId} is not known as a last-phase PCP or PPI contract; pilots are planned for one of those`,
      'UNKNOWN_CONTRACT',
      { contractId: command.contractId },
    );
  }
  if (contract.procurerOrg !== command.actorOrg) {
    throw new NotOwnerError(
      `Only procurers of ${contract.procurerOrg}, the organisation that runs the tender of contract ${contract.contractId}, can plan its pilots`,
      'NOT_OWNER',
      { org: contract.procurerOrg },
    );
  }
  if (contract.procedure === 'PCP' && !contract.isLastPhase) {
    throw new DomainRuleError(
      `The contract ${contract.contractId} is for PCP phase ${contract.phase}, not the last phase; pilots are for contracts of the last phase (original development and field testing) or PPI contracts`,
      'NOT_LAST_PHASE',
      { contractId: contract.contractId, phase: contract.phase },
    );
  }
  if (contract.status === 'TERMINATED') {
    throw new DomainRuleError(
      `The contract ${contract.contractId} has ended without passing (dropped, failed or cancelled); pilots are planned for contracts in force or completed`,
      'CONTRACT_TERMINATED',
      { contractId: contract.contractId },
    );
  }
  return contract;
}

function kpisOf(value: unknown): PilotKpi[] {
  const inputs = Array.isArray(value) ? (value as KpiInput[]) : [];
  if (inputs.length === 0) {
    throw new DomainRuleError(
      'A pilot needs at least one KPI with a name, a unit, a target and a direction',
      'KPIS_REQUIRED',
    );
  }
  const seen = new Set<string>();
  return inputs.map((input, i) => {
    const name = requiredText(`name of KPI ${i + 1}`, input?.name, KPI_NAME_LIMIT);
    // Names differing only in case would be read as the same KPI.
    const key = name.toLowerCase();
    if (seen.has(key)) {
      throw new DomainRuleError(
        `Two KPIs are named ${JSON.stringify(name)}; give each KPI its own name`,
        'DUPLICATE_KPI',
        { name },
      );
    }
    seen.add(key);
    const unit = requiredText(`unit of KPI ${name}`, input.unit, UNIT_LIMIT);
    if (typeof input.target !== 'number' || !Number.isFinite(input.target)) {
      throw new DomainRuleError(
        `The target of KPI ${name} must be a number, not ${JSON.stringify(input.target)}`,
        'INVALID_TARGET',
        { kpi: name, target: input.target },
      );
    }
    if (!isKpiDirection(input.direction)) {
      throw new DomainRuleError(
        `The direction of KPI ${name} must be HIGHER_IS_BETTER or LOWER_IS_BETTER, not ${JSON.stringify(input.direction)}`,
        'INVALID_DIRECTION',
        { kpi: name, direction: input.direction },
      );
    }
    return { name, unit, target: input.target, direction: input.direction };
  });
}

function isKpiDirection(value: unknown): value is KpiDirection {
  return (KPI_DIRECTIONS as readonly unknown[]).includes(value);
}

function evaluatorAssignment(
  command: Command<'AssignPilotEvaluators'>,
  state: PilotState,
  plan: PilotPlannedData,
): PilotEvent[] {
  byProcurer(command.actorOrg, plan, 'assign its evaluators');
  const ids = Array.isArray(command.evaluatorIds) ? command.evaluatorIds : [];
  if (ids.length === 0) {
    throw new DomainRuleError(
      'Name at least one evaluator (user id) to assign',
      'EVALUATORS_REQUIRED',
    );
  }
  const added = [...new Set(ids.map((id) => identifier('evaluator id', id)))].filter(
    (id) => !state.evaluators.includes(id),
  );
  // Assigning someone already assigned changes nothing.
  if (added.length === 0) return [];
  return [
    {
      type: 'PilotEvaluatorsAssigned',
      data: {
        pilotId: plan.pilotId,
        evaluatorIds: added,
        evaluators: [...state.evaluators, ...added],
      },
    },
  ];
}

function start(
  command: Command<'StartPilot'>,
  state: PilotState,
  plan: PilotPlannedData,
): PilotEvent {
  byProcurer(command.actorOrg, plan, 'start it');
  if (state.status !== 'PLANNED') {
    throw new InvalidStateError(
      `The pilot is already ${state.status.toLowerCase()}; it starts once`,
      'ALREADY_STARTED',
      { status: state.status },
    );
  }
  return {
    type: 'PilotStarted',
    data: {
      pilotId: plan.pilotId,
      innovationId: plan.innovationId,
      startedAt: command.now.toISOString(),
    },
  };
}

function measurement(
  command: Command<'RecordMeasurement'>,
  state: PilotState,
  plan: PilotPlannedData,
): PilotEvent {
  byProcurerOrContractHolder(command, plan, 'record measurements');
  running(state, 'Measurements are recorded');
  if (state.measurements.some((m) => m.measurementId === command.measurementId)) {
    throw new InvalidStateError(
      `A measurement with the id ${command.measurementId} is already recorded`,
      'MEASUREMENT_EXISTS',
    );
  }
  const kpi = plan.kpis.find((k) => k.name === command.kpi);
  if (!kpi) {
    throw new DomainRuleError(
      `${JSON.stringify(command.kpi)} is not a KPI of this pilot; use one of ${plan.kpis.map((k) => k.name).join(', ')}`,
      'UNKNOWN_KPI',
      { kpi: command.kpi, kpis: plan.kpis.map((k) => k.name) },
    );
  }
  if (typeof command.value !== 'number' || !Number.isFinite(command.value)) {
    throw new DomainRuleError(
      `The value of a measurement must be a number (in ${kpi.unit}), not ${JSON.stringify(command.value)}`,
      'INVALID_VALUE',
      { value: command.value },
    );
  }
  const at = instant('measurement time (at)', command.at);
  if (at < Date.parse(plan.startsAt) || at > Date.parse(plan.endsAt)) {
    throw new DomainRuleError(
      `The measurement time ${command.at} is outside the pilot, which runs from ${plan.startsAt} to ${plan.endsAt}`,
      'OUTSIDE_PILOT_WINDOW',
      { at: command.at, startsAt: plan.startsAt, endsAt: plan.endsAt },
    );
  }
  notInFuture('measurement time (at)', at, command.at, command.now);
  return {
    type: 'MeasurementRecorded',
    data: {
      pilotId: plan.pilotId,
      measurementId: command.measurementId,
      kpi: kpi.name,
      value: command.value,
      unit: kpi.unit,
      at: command.at,
      recordedByOrg: command.actorOrg,
    },
  };
}

function incident(
  command: Command<'ReportIncident'>,
  state: PilotState,
  plan: PilotPlannedData,
): PilotEvent {
  byProcurerOrContractHolder(command, plan, 'report incidents');
  running(state, 'Incidents are reported');
  if (state.incidents.some((i) => i.incidentId === command.incidentId)) {
    throw new InvalidStateError(
      `An incident with the id ${command.incidentId} is already reported`,
      'INCIDENT_EXISTS',
    );
  }
  const severity = command.severity;
  if (!(INCIDENT_SEVERITIES as readonly unknown[]).includes(severity)) {
    throw new DomainRuleError(
      `The severity must be one of ${INCIDENT_SEVERITIES.join(', ')}, not ${JSON.stringify(severity)}`,
      'INVALID_SEVERITY',
      { severity },
    );
  }
  return {
    type: 'IncidentReported',
    data: {
      pilotId: plan.pilotId,
      incidentId: command.incidentId,
      severity: severity as IncidentSeverity,
      description: requiredText('description', command.description),
      reportedAt: command.now.toISOString(),
      reportedByOrg: command.actorOrg,
    },
  };
}

function assessment(
  command: Command<'AssessTrl'>,
  state: PilotState,
  plan: PilotPlannedData,
): PilotEvent {
  if (!state.evaluators.includes(command.actorUserId)) {
    throw new NotAssignedEvaluatorError(
      `Only evaluators assigned to this pilot can assess its TRL; procurers of ${plan.org} assign them`,
      'NOT_ASSIGNED_EVALUATOR',
      { org: plan.org },
    );
  }
  // Assessed on what the pilot showed: from its start on, also after completion (follow-up).
  if (state.status === 'PLANNED') {
    throw new InvalidStateError(
      'The pilot has not started; its TRL is assessed once it runs',
      'PILOT_NOT_STARTED',
    );
  }
  if (!isTrlLevel(command.trl)) {
    throw new DomainRuleError(
      `The TRL must be a whole number from 1 to 9, not ${JSON.stringify(command.trl)}`,
      'INVALID_TRL',
      { trl: command.trl },
    );
  }
  const evidence = evidenceOf(command.evidence, state);
  const previous = pilotCurrentTrl(state, command.knownTrl);
  const previousTrl = previous?.trl ?? null;
  const downgrade = previousTrl !== null && command.trl < previousTrl;
  const reasonField = downgrade
    ? `reason for the downgrade from TRL ${previousTrl} to ${command.trl}`
    : 'reason';
  const reason = requiredText(reasonField, command.reason);
  return {
    type: 'TrlAssessed',
    data: {
      pilotId: plan.pilotId,
      innovationId: plan.innovationId,
      trl: command.trl,
      evidence,
      reason,
      assessedBy: command.actorUserId,
      assessmentId: command.assessmentId,
      assessedAt: command.now.toISOString(),
      previousTrl,
      downgrade,
    },
    reason,
  };
}

/**
 * At least one piece of evidence. An item that names a measurement (its id, or an id with
 * the measurement prefix) must be a measurement of this pilot; anything else is a
 * document reference. The same item twice is kept once.
 */
function evidenceOf(value: unknown, state: PilotState): string[] {
  const items = Array.isArray(value) ? value : [];
  if (items.length === 0) {
    throw new DomainRuleError(
      'A TRL assessment needs evidence: measurement ids of this pilot or document references',
      'EVIDENCE_REQUIRED',
    );
  }
  const evidence = [
    ...new Set(
      items.map((item, i) => requiredText(`evidence item ${i + 1}`, item, EVIDENCE_LIMIT)),
    ),
  ];
  const unknown = evidence.filter(
    (item) =>
      item.startsWith(MEASUREMENT_ID_PREFIX) &&
      !state.measurements.some((m) => m.measurementId === item),
  );
  if (unknown.length > 0) {
    throw new DomainRuleError(
      `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a measurement' : 'are not measurements'} of this pilot; cite measurements recorded in it, or documents`,
      'UNKNOWN_MEASUREMENT',
      { measurementIds: unknown },
    );
  }
  return evidence;
}

function completion(
  command: Command<'CompletePilot'>,
  state: PilotState,
  plan: PilotPlannedData,
): PilotEvent {
  byProcurer(command.actorOrg, plan, 'complete it');
  if (state.status === 'PLANNED') {
    throw new InvalidStateError('Start the pilot before completing it', 'PILOT_NOT_STARTED');
  }
  if (state.status !== 'RUNNING') {
    throw new InvalidStateError('The pilot is already completed', 'ALREADY_COMPLETED');
  }
  const reason = requiredText('reason', command.reason);
  const { outcome, kpiResults } = outcomeOf(plan.kpis, state.measurements);
  // Incidents do not change the outcome, which follows from the KPI targets alone; they are
  // counted here so that the deployment decision reads them beside it.
  const incidents: IncidentCounts = { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 };
  for (const i of state.incidents) incidents[i.severity]++;
  return {
    type: 'PilotCompleted',
    data: {
      pilotId: plan.pilotId,
      innovationId: plan.innovationId,
      outcome,
      kpiResults,
      reason,
      completedAt: command.now.toISOString(),
      incidents,
    },
    reason,
  };
}

function deploymentDecision(
  command: Command<'DecideDeployment'>,
  state: PilotState,
  plan: PilotPlannedData,
): PilotEvent {
  byProcurer(command.actorOrg, plan, 'decide on deployment');
  if (state.status !== 'COMPLETED') {
    throw new InvalidStateError(
      `Deployment is decided once the pilot is completed; it is ${state.status.toLowerCase()}`,
      'PILOT_NOT_COMPLETED',
      { status: state.status },
    );
  }
  if (state.deployment) {
    throw new InvalidStateError(
      `Deployment is already decided (${state.deployment.deploy ? 'deploy' : 'do not deploy'}); it is decided once. Record further sites as roll-outs`,
      'DEPLOYMENT_ALREADY_DECIDED',
      { deploy: state.deployment.deploy },
    );
  }
  if (typeof command.deploy !== 'boolean') {
    throw new DomainRuleError('Say whether to deploy: deploy is true or false', 'DEPLOY_REQUIRED');
  }
  const reason = requiredText('reason', command.reason);
  const current = pilotCurrentTrl(state, command.knownTrl);
  const assessedTrl = current?.trl ?? null;
  if (command.deploy && (assessedTrl === null || assessedTrl < DEPLOYMENT_MIN_TRL)) {
    const known =
      assessedTrl === null
        ? 'has no assessed TRL'
        : `has an assessed TRL of ${assessedTrl} (${current?.source})`;
    throw new DomainRuleError(
      `Deployment needs an assessed TRL of ${DEPLOYMENT_MIN_TRL} or more; the innovation ${plan.innovationId} ${known}. Have an assigned evaluator assess it first, or decide not to deploy`,
      'TRL_TOO_LOW_FOR_DEPLOYMENT',
      { innovationId: plan.innovationId, assessedTrl, required: DEPLOYMENT_MIN_TRL },
    );
  }
  const given = command.sites ?? [];
  if (!Array.isArray(given)) {
    throw new DomainRuleError('The sites are a list of regions or testbed ids', 'INVALID_SITES');
  }
  if (!command.deploy && given.length > 0) {
    throw new DomainRuleError(
      'Roll-out sites go with a decision to deploy; leave them out when deciding not to deploy',
      'SITES_WITHOUT_DEPLOYMENT',
    );
  }
  const siteDetails: RolloutSite[] = [];
  for (const site of given) {
    const details = siteOf(site, command.siteTestbeds ?? []);
    if (!siteDetails.some((s) => s.site === details.site)) siteDetails.push(details);
  }
  return {
    type: 'DeploymentDecided',
    data: {
      pilotId: plan.pilotId,
      innovationId: plan.innovationId,
      deploy: command.deploy,
      assessedTrl,
      sites: siteDetails.map((s) => s.site),
      reason,
      decidedAt: command.now.toISOString(),
      siteDetails,
    },
    reason,
  };
}

function rollout(
  command: Command<'RecordRollout'>,
  state: PilotState,
  plan: PilotPlannedData,
): PilotEvent {
  byProcurer(command.actorOrg, plan, 'record its roll-out');
  const deployment = state.deployment;
  if (!deployment) {
    throw new InvalidStateError(
      'Roll-outs follow a decision to deploy; decide on deployment first',
      'NO_DEPLOYMENT_DECISION',
    );
  }
  if (!deployment.deploy) {
    throw new InvalidStateError(
      'The decision was not to deploy this innovation; there is nothing to roll out',
      'NOT_DEPLOYED',
    );
  }
  const site = siteOf(command.site, command.siteTestbed ? [command.siteTestbed] : []);
  const region = command.region ?? null;
  if (region !== null && region !== site.region) {
    throw new DomainRuleError(
      `The site ${site.site} is in ${site.region}, not ${JSON.stringify(region)}; leave the region out or give the site's own`,
      'REGION_MISMATCH',
      { site: site.site, region: site.region, given: region },
    );
  }
  if (state.rollouts.some((r) => r.site === site.site)) {
    throw new InvalidStateError(
      `The roll-out to ${site.site} is already recorded`,
      'ALREADY_ROLLED_OUT',
      { site: site.site },
    );
  }
  const at = instant('roll-out time (at)', command.at);
  if (at < Date.parse(deployment.decidedAt)) {
    throw new DomainRuleError(
      `The roll-out time ${command.at} is before the deployment decision of ${deployment.decidedAt}; a roll-out follows the decision`,
      'ROLLOUT_BEFORE_DECISION',
      { at: command.at, decidedAt: deployment.decidedAt },
    );
  }
  notInFuture('roll-out time (at)', at, command.at, command.now);
  const reason = optionalText('reason', command.reason);
  return {
    type: 'RolloutRecorded',
    data: {
      pilotId: plan.pilotId,
      innovationId: plan.innovationId,
      ...site,
      at: command.at,
      reason,
    },
    ...(reason === null ? {} : { reason }),
  };
}

/** A roll-out site: a NUTS region code, or the id of a registered testbed (with its region). */
function siteOf(value: unknown, testbeds: readonly TestbedFacts[]): RolloutSite {
  const site = requiredText('site', value, SITE_LIMIT);
  if (isNutsCode(site)) return { site, kind: 'REGION', region: site };
  const testbed = testbeds.find((t) => t.testbedId === site);
  if (testbed) return { site, kind: 'TESTBED', region: testbed.region };
  throw new DomainRuleError(
    `The site ${JSON.stringify(site)} is neither a NUTS 2021 region code (such as ES11) nor a registered testbed`,
    'UNKNOWN_SITE',
    { site },
  );
}

function byProcurer(actorOrg: string, plan: PilotPlannedData, what: string): void {
  if (actorOrg !== plan.org) {
    throw new NotOwnerError(
      `Only procurers of ${plan.org}, the organisation running this pilot, can ${what}`,
      'NOT_OWNER',
      { org: plan.org },
    );
  }
}

/**
 * A procurer of the running organisation, or a supplier of the contract holder: the right
 * organisation in the other capacity (a supplier of the running organisation) is refused too.
 */
function byProcurerOrContractHolder(
  actor: { actorOrg: string; actorRoles: readonly string[] },
  plan: PilotPlannedData,
  what: string,
): void {
  const runner = actor.actorRoles.includes('procurer') && actor.actorOrg === plan.org;
  const holder = actor.actorRoles.includes('supplier') && actor.actorOrg === plan.supplierOrg;
  if (!runner && !holder) {
    throw new NotOwnerError(
      `Only procurers of ${plan.org}, the organisation running this pilot, and suppliers of ${plan.supplierOrg}, the contract holder, can ${what}`,
      'NOT_OWNER',
      { org: plan.org, supplierOrg: plan.supplierOrg },
    );
  }
}

function running(state: PilotState, what: string): void {
  if (state.status === 'PLANNED') {
    throw new InvalidStateError(`${what} once the pilot has started`, 'PILOT_NOT_STARTED');
  }
  if (state.status !== 'RUNNING') {
    throw new InvalidStateError(
      `The pilot is completed; ${what.toLowerCase()} while it runs`,
      'PILOT_COMPLETED',
    );
  }
}
