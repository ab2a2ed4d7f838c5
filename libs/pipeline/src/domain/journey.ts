/**
 * An innovation's journey as the pipeline sees it: one supplier's solution to one need (or
 * buyers group), its stage with the date of every change, and its TRL history. Pure: the
 * consumers turn integration events into steps and fold them with `advance`.
 */

export const STAGES = [
  'CONSULTATION',
  'TENDER',
  'PCP_PHASE',
  'PPI_CONTRACT',
  'PILOT',
  'DEPLOYED',
  'DROPPED',
] as const;
export type Stage = (typeof STAGES)[number];

/** Stages in the order an innovation moves through them (DROPPED ends any of them). */
const ORDER: Record<Stage, number> = {
  CONSULTATION: 0,
  TENDER: 1,
  PCP_PHASE: 2,
  PPI_CONTRACT: 2,
  PILOT: 3,
  DEPLOYED: 4,
  DROPPED: 5,
};

export type TrlKind = 'DECLARED' | 'ASSESSED';

export interface TrlRecord {
  trl: number;
  kind: TrlKind;
  at: string;
  /** Who declared or assessed it: a user id or an organisation. */
  by: string | null;
  /** Where: the consultation, the tender and phase, or the pilot. */
  source: string;
}

export interface StageChange {
  stage: Stage;
  phase: number | null;
  at: string;
  /** The event that moved the innovation. */
  eventType: string;
}

export interface ContractLink {
  contractId: string;
  tenderId: string;
  phase: number;
  status: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
}

export interface PilotLink {
  pilotId: string;
  status: 'PLANNED' | 'RUNNING' | 'COMPLETED';
  outcome: string | null;
}

export interface Journey {
  [key: string]: unknown;
  id: string;
  supplierOrg: string | null;
  /** Whether the supplier is an SME, as its bid said (published at opening); null if unknown. */
  supplierSme: boolean | null;
  solutionName: string | null;
  needId: string | null;
  buyersGroupId: string | null;
  /** The need and the grouped needs it answers. */
  needIds: string[];
  consultationId: string | null;
  tenderId: string | null;
  /** Known only once the tender's bids are opened. */
  bidIds: string[];
  procedure: string | null;
  regions: string[];
  /** Organisations of the need(s), buyers group, consultation and tender. */
  procurerOrgs: string[];
  contracts: ContractLink[];
  pilots: PilotLink[];
  deployment: { deploy: boolean; sites: string[]; at: string } | null;
  stage: Stage | null;
  phase: number | null;
  stageHistory: StageChange[];
  trlHistory: TrlRecord[];
  /** The latest assessed TRL (DOMAIN.md, TRL); null until one is assessed. */
  currentTrl: number | null;
  declaredTrl: number | null;
}

export function newJourney(id: string): Journey {
  return {
    id,
    supplierOrg: null,
    supplierSme: null,
    solutionName: null,
    needId: null,
    buyersGroupId: null,
    needIds: [],
    consultationId: null,
    tenderId: null,
    bidIds: [],
    procedure: null,
    regions: [],
    procurerOrgs: [],
    contracts: [],
    pilots: [],
    deployment: null,
    stage: null,
    phase: null,
    stageHistory: [],
    trlHistory: [],
    currentTrl: null,
    declaredTrl: null,
  };
}

export interface Links {
  needIds?: string[];
  needId?: string | null;
  buyersGroupId?: string | null;
  consultationId?: string | null;
  tenderId?: string | null;
  procedure?: string | null;
  regions?: string[];
  procurerOrgs?: string[];
}

/** What happened to an innovation, in the pipeline's words. */
export type JourneyStep =
  | {
      kind: 'Responded';
      at: string;
      supplierOrg: string;
      solutionName: string;
      declaredTrl: number;
      by: string | null;
      links: Links;
    }
  | {
      kind: 'BidOpened';
      at: string;
      bidId: string;
      supplierOrg: string;
      /** Absent from bids opened before the flag was published. */
      sme?: boolean | null;
      declaredTrl: number;
      links: Links;
    }
  | {
      kind: 'ContractAwarded';
      at: string;
      eventType: string;
      contractId: string;
      tenderId: string;
      procedure: string;
      phase: number;
      supplierOrg: string;
      sme?: boolean | null;
      previousContractId?: string;
    }
  | { kind: 'NotAwarded'; at: string; eventType: string }
  /** Links learned late: a consultation or tender heard of after the innovation's own events. */
  | { kind: 'Linked'; links: Links }
  | { kind: 'ContractEnded'; at: string; eventType: string; contractId: string; passed: boolean }
  | { kind: 'Dropped'; at: string; eventType: string }
  | { kind: 'TrlAssessed'; at: string; trl: number; by: string | null; source: string }
  | { kind: 'PilotPlanned'; at: string; pilotId: string }
  | { kind: 'PilotStarted'; at: string; pilotId: string }
  | { kind: 'PilotCompleted'; at: string; pilotId: string; outcome: string }
  | { kind: 'DeploymentDecided'; at: string; deploy: boolean; sites: string[] };

const union = (a: string[], b: string[] | undefined): string[] =>
  b ? [...new Set([...a, ...b])].sort() : a;

function linked(journey: Journey, links: Links): Journey {
  return {
    ...journey,
    needId: links.needId ?? journey.needId,
    buyersGroupId: links.buyersGroupId ?? journey.buyersGroupId,
    needIds: union(journey.needIds, links.needIds),
    consultationId: links.consultationId ?? journey.consultationId,
    tenderId: links.tenderId ?? journey.tenderId,
    procedure: links.procedure ?? journey.procedure,
    regions: union(journey.regions, links.regions),
    procurerOrgs: union(journey.procurerOrgs, links.procurerOrgs),
  };
}

/**
 * Moves to `stage` unless the journey already went further: events of different contexts
 * may arrive out of order (Kafka orders per topic only), and a late consultation event must
 * not pull a piloted innovation back. A DROPPED or DEPLOYED journey stays where it ended.
 * The history is rebuilt by date, so a late earlier move is slotted in where it belongs and
 * the stage is the one the moves leave in date order, whatever order they arrived in.
 */
function moved(
  journey: Journey,
  stage: Stage,
  phase: number | null,
  at: string,
  eventType: string,
): Journey {
  const stageHistory = historyByDate([...journey.stageHistory, { stage, phase, at, eventType }]);
  const last = stageHistory[stageHistory.length - 1];
  return { ...journey, stageHistory, stage: last?.stage ?? null, phase: last?.phase ?? null };
}

const rank = (c: Pick<StageChange, 'stage' | 'phase'>): number =>
  ORDER[c.stage] * 10 + (c.phase ?? 0) + (c.stage === 'PPI_CONTRACT' ? 5 : 0);

function historyByDate(changes: StageChange[]): StageChange[] {
  const sorted = [...changes].sort(
    (a, b) =>
      a.at.localeCompare(b.at) || rank(a) - rank(b) || a.eventType.localeCompare(b.eventType),
  );
  const kept: StageChange[] = [];
  for (const change of sorted) {
    const last = kept[kept.length - 1];
    if (last && (last.stage === 'DROPPED' || last.stage === 'DEPLOYED')) continue;
    if (change.stage === 'DROPPED') {
      // Dropped where it stood then.
      kept.push({ ...change, phase: last?.phase ?? null });
      continue;
    }
    if (last && rank(change) <= rank(last)) continue;
    kept.push(change);
  }
  return kept;
}

function withTrl(journey: Journey, record: TrlRecord): Journey {
  const duplicate = journey.trlHistory.some(
    (r) => r.kind === record.kind && r.at === record.at && r.source === record.source,
  );
  if (duplicate) return journey;
  // Ties broken on content, not arrival: records of one date may come from different contexts.
  const trlHistory = [...journey.trlHistory, record].sort(
    (a, b) =>
      a.at.localeCompare(b.at) ||
      a.kind.localeCompare(b.kind) ||
      a.source.localeCompare(b.source) ||
      a.trl - b.trl,
  );
  return { ...journey, trlHistory, ...trlsOf(trlHistory) };
}

/** The current TRL is the latest assessed one; the latest declared is kept beside it. */
export function trlsOf(history: TrlRecord[]): {
  currentTrl: number | null;
  declaredTrl: number | null;
} {
  const latest = (kind: TrlKind) => {
    const records = history.filter((r) => r.kind === kind);
    return records.length ? records[records.length - 1].trl : null;
  };
  return { currentTrl: latest('ASSESSED'), declaredTrl: latest('DECLARED') };
}

export function advance(journey: Journey, step: JourneyStep): Journey {
  switch (step.kind) {
    case 'Responded': {
      const next = linked(
        { ...journey, supplierOrg: step.supplierOrg, solutionName: step.solutionName },
        step.links,
      );
      const declared = withTrl(next, {
        trl: step.declaredTrl,
        kind: 'DECLARED',
        at: step.at,
        by: step.by ?? step.supplierOrg,
        source: `consultation ${step.links.consultationId ?? ''}`.trim(),
      });
      return moved(declared, 'CONSULTATION', null, step.at, 'ConsultationResponseSubmitted');
    }
    case 'BidOpened': {
      const next = linked(
        {
          ...journey,
          supplierOrg: journey.supplierOrg ?? step.supplierOrg,
          supplierSme: step.sme ?? journey.supplierSme,
          bidIds: union(journey.bidIds, [step.bidId]),
        },
        step.links,
      );
      const declared = withTrl(next, {
        trl: step.declaredTrl,
        kind: 'DECLARED',
        at: step.at,
        by: step.supplierOrg,
        source: `tender ${step.links.tenderId ?? ''} bid ${step.bidId}`,
      });
      return moved(declared, 'TENDER', null, step.at, 'BidsOpened');
    }
    case 'ContractAwarded': {
      const contracts = journey.contracts
        .filter((c) => c.contractId !== step.contractId)
        .map((c) =>
          c.contractId === step.previousContractId && c.status === 'ACTIVE'
            ? { ...c, status: 'COMPLETED' as const }
            : c,
        );
      contracts.push({
        contractId: step.contractId,
        tenderId: step.tenderId,
        phase: step.phase,
        status: 'ACTIVE',
      });
      const next: Journey = {
        ...journey,
        supplierOrg: journey.supplierOrg ?? step.supplierOrg,
        supplierSme: step.sme ?? journey.supplierSme,
        tenderId: journey.tenderId ?? step.tenderId,
        procedure: step.procedure,
        contracts,
      };
      return step.procedure === 'PPI'
        ? moved(next, 'PPI_CONTRACT', null, step.at, step.eventType)
        : moved(next, 'PCP_PHASE', step.phase, step.at, step.eventType);
    }
    case 'ContractEnded': {
      const contracts = journey.contracts.map((c) =>
        c.contractId === step.contractId && c.status === 'ACTIVE'
          ? { ...c, status: step.passed ? ('COMPLETED' as const) : ('TERMINATED' as const) }
          : c,
      );
      const next = { ...journey, contracts };
      return step.passed ? next : moved(next, 'DROPPED', journey.phase, step.at, step.eventType);
    }
    case 'Linked':
      return linked(journey, step.links);
    case 'NotAwarded':
      // Only a bid still waiting for its award is dropped; contracted ones go on.
      return journey.stage === 'TENDER' || journey.stage === 'CONSULTATION'
        ? moved(journey, 'DROPPED', null, step.at, step.eventType)
        : journey;
    case 'Dropped':
      return moved(journey, 'DROPPED', journey.phase, step.at, step.eventType);
    case 'TrlAssessed':
      return withTrl(journey, {
        trl: step.trl,
        kind: 'ASSESSED',
        at: step.at,
        by: step.by,
        source: step.source,
      });
    case 'PilotPlanned':
    case 'PilotStarted':
    case 'PilotCompleted': {
      const status =
        step.kind === 'PilotPlanned'
          ? 'PLANNED'
          : step.kind === 'PilotStarted'
            ? 'RUNNING'
            : 'COMPLETED';
      const known = journey.pilots.find((p) => p.pilotId === step.pilotId);
      const rank = { PLANNED: 0, RUNNING: 1, COMPLETED: 2 } as const;
      const pilot: PilotLink =
        known && rank[known.status] > rank[status]
          ? known
          : {
              pilotId: step.pilotId,
              status,
              outcome: step.kind === 'PilotCompleted' ? step.outcome : (known?.outcome ?? null),
            };
      const pilots = [...journey.pilots.filter((p) => p.pilotId !== step.pilotId), pilot];
      pilots.sort((a, b) => a.pilotId.localeCompare(b.pilotId));
      return moved(
        { ...journey, pilots },
        'PILOT',
        null,
        step.at,
        `Pilot${status === 'PLANNED' ? 'Planned' : status === 'RUNNING' ? 'Started' : 'Completed'}`,
      );
    }
    case 'DeploymentDecided': {
      const next = {
        ...journey,
        deployment: { deploy: step.deploy, sites: step.sites, at: step.at },
      };
      return moved(next, step.deploy ? 'DEPLOYED' : 'DROPPED', null, step.at, 'DeploymentDecided');
    }
  }
}
