import type { KpiResult, PilotKpi, PilotOutcome, Procedure, TestbedType } from '@pcp/contracts';
import type {
  IncidentCounts,
  IncidentSeverity,
  PilotEvent,
  PilotStatus,
  RolloutSite,
  SiteKind,
  TestbedEvent,
} from '../domain';

export type MeasurementView = {
  id: string;
  kpi: string;
  value: number;
  unit: string;
  at: string;
  recordedByOrg: string;
};

export type IncidentView = {
  id: string;
  severity: IncidentSeverity;
  description: string;
  reportedAt: string;
  reportedByOrg: string;
};

export type TrlAssessmentView = {
  id: string;
  trl: number;
  evidence: string[];
  reason: string;
  assessedBy: string;
  assessedAt: string;
  previousTrl: number | null;
  downgrade: boolean;
};

export type DeploymentView = {
  deploy: boolean;
  assessedTrl: number | null;
  sites: RolloutSite[];
  reason: string;
  decidedAt: string;
};

export type RolloutView = {
  site: string;
  kind: SiteKind;
  region: string;
  at: string;
  reason: string | null;
};

/** A pilot with everything recorded on it. */
export type PilotView = {
  id: string;
  /** The organisation running the pilot (the tender's procurer). */
  org: string;
  contractId: string;
  innovationId: string;
  tenderId: string;
  procedure: Procedure;
  phase: number;
  supplierOrg: string;
  testbedId: string;
  testbedType: TestbedType;
  testbedRegion: string;
  title: string;
  startsAt: string;
  endsAt: string;
  kpis: PilotKpi[];
  trlAtPlanning: number | null;
  status: PilotStatus;
  evaluators: string[];
  measurements: MeasurementView[];
  incidents: IncidentView[];
  trlAssessments: TrlAssessmentView[];
  /** The latest TRL assessed in this pilot. */
  assessedTrl: number | null;
  startedAt: string | null;
  completedAt: string | null;
  outcome: PilotOutcome | null;
  kpiResults: KpiResult[];
  completionReason: string | null;
  incidentCounts: IncidentCounts | null;
  deployment: DeploymentView | null;
  rollouts: RolloutView[];
  /** Who may read it, as `org:<id>` and `user:<id>` (list scoping). */
  readers: string[];
  createdAt: string;
  updatedAt: string;
  revision: number;
};

export type TestbedView = {
  id: string;
  org: string;
  name: string;
  type: TestbedType;
  region: string;
  enollLabelled: boolean;
  capabilities: string[];
  capacity: number | null;
  createdAt: string;
  revision: number;
};

export interface ViewedEvent {
  type: string;
  data: unknown;
  revision: bigint | number;
  occurredAt: string;
}

export const PILOT_VIEW_EVENT_TYPES = [
  'PilotPlanned',
  'PilotEvaluatorsAssigned',
  'PilotStarted',
  'MeasurementRecorded',
  'IncidentReported',
  'TrlAssessed',
  'PilotCompleted',
  'DeploymentDecided',
  'RolloutRecorded',
] as const;

export const TESTBED_VIEW_EVENT_TYPES = ['TestbedRegistered'] as const;

const readersOf = (org: string, supplierOrg: string, evaluators: string[]): string[] => [
  ...new Set([`org:${org}`, `org:${supplierOrg}`, ...evaluators.map((e) => `user:${e}`)]),
];

/** The view after one more event; undefined when the event does not concern it. */
export function evolvePilotView(
  view: PilotView | null,
  stored: ViewedEvent,
): PilotView | undefined {
  const event = { type: stored.type, data: stored.data } as PilotEvent;
  const at = stored.occurredAt;
  const stamp = { revision: Number(stored.revision), updatedAt: at };
  if (event.type === 'PilotPlanned') {
    const d = event.data;
    return {
      id: d.pilotId,
      org: d.org,
      contractId: d.contractId,
      innovationId: d.innovationId,
      tenderId: d.tenderId,
      procedure: d.procedure,
      phase: d.phase,
      supplierOrg: d.supplierOrg,
      testbedId: d.testbedId,
      testbedType: d.testbedType,
      testbedRegion: d.testbedRegion,
      title: d.title,
      startsAt: d.startsAt,
      endsAt: d.endsAt,
      kpis: d.kpis.map((k) => ({ ...k })),
      trlAtPlanning: d.trlAtPlanning,
      status: 'PLANNED',
      evaluators: [],
      measurements: [],
      incidents: [],
      trlAssessments: [],
      assessedTrl: null,
      startedAt: null,
      completedAt: null,
      outcome: null,
      kpiResults: [],
      completionReason: null,
      incidentCounts: null,
      deployment: null,
      rollouts: [],
      readers: readersOf(d.org, d.supplierOrg, []),
      createdAt: at,
      ...stamp,
    };
  }
  if (!view) return undefined;
  switch (event.type) {
    case 'PilotEvaluatorsAssigned': {
      const evaluators = [...event.data.evaluators];
      return {
        ...view,
        evaluators,
        readers: readersOf(view.org, view.supplierOrg, evaluators),
        ...stamp,
      };
    }
    case 'PilotStarted':
      return { ...view, status: 'RUNNING', startedAt: event.data.startedAt, ...stamp };
    case 'MeasurementRecorded': {
      const d = event.data;
      const measurement: MeasurementView = {
        id: d.measurementId,
        kpi: d.kpi,
        value: d.value,
        unit: d.unit,
        at: d.at,
        recordedByOrg: d.recordedByOrg,
      };
      return { ...view, measurements: [...view.measurements, measurement], ...stamp };
    }
    case 'IncidentReported': {
      const d = event.data;
      const incident: IncidentView = {
        id: d.incidentId,
        severity: d.severity,
        description: d.description,
        reportedAt: d.reportedAt,
        reportedByOrg: d.reportedByOrg,
      };
      return { ...view, incidents: [...view.incidents, incident], ...stamp };
    }
    case 'TrlAssessed': {
      const d = event.data;
      const assessment: TrlAssessmentView = {
        id: d.assessmentId,
        trl: d.trl,
        evidence: [...d.evidence],
        reason: d.reason,
        assessedBy: d.assessedBy,
        assessedAt: d.assessedAt,
        previousTrl: d.previousTrl,
        downgrade: d.downgrade,
      };
      return {
        ...view,
        trlAssessments: [...view.trlAssessments, assessment],
        assessedTrl: d.trl,
        ...stamp,
      };
    }
    case 'PilotCompleted': {
      const d = event.data;
      return {
        ...view,
        status: 'COMPLETED',
        completedAt: d.completedAt,
        outcome: d.outcome,
        kpiResults: d.kpiResults.map((r) => ({ ...r })),
        completionReason: d.reason,
        incidentCounts: { ...d.incidents },
        ...stamp,
      };
    }
    case 'DeploymentDecided': {
      const d = event.data;
      return {
        ...view,
        deployment: {
          deploy: d.deploy,
          assessedTrl: d.assessedTrl,
          sites: d.siteDetails.map((s) => ({ ...s })),
          reason: d.reason,
          decidedAt: d.decidedAt,
        },
        ...stamp,
      };
    }
    case 'RolloutRecorded': {
      const d = event.data;
      const rollout: RolloutView = {
        site: d.site,
        kind: d.kind,
        region: d.region,
        at: d.at,
        reason: d.reason,
      };
      return { ...view, rollouts: [...view.rollouts, rollout], ...stamp };
    }
    default:
      return undefined;
  }
}

/** The pilot as its events tell it; null before it is planned. */
export function pilotViewOf(events: readonly ViewedEvent[]): PilotView | null {
  let view: PilotView | null = null;
  for (const event of events) view = evolvePilotView(view, event) ?? view;
  return view;
}

export function evolveTestbedView(
  _view: TestbedView | null,
  stored: ViewedEvent,
): TestbedView | undefined {
  const event = { type: stored.type, data: stored.data } as TestbedEvent;
  if (event.type !== 'TestbedRegistered') return undefined;
  const d = event.data;
  return {
    id: d.testbedId,
    org: d.org,
    name: d.name,
    type: d.type,
    region: d.region,
    enollLabelled: d.enollLabelled,
    capabilities: [...d.capabilities],
    capacity: d.capacity,
    createdAt: stored.occurredAt,
    revision: Number(stored.revision),
  };
}

export function testbedViewOf(events: readonly ViewedEvent[]): TestbedView | null {
  let view: TestbedView | null = null;
  for (const event of events) view = evolveTestbedView(view, event) ?? view;
  return view;
}
