import { nutsName } from '@pcp/contracts';
import type { NeedEvent, NeedStatus, RecordedNeed } from '../domain';

/** A need as people read it: every recorded fact and where it stands now. */
export type NeedView = {
  id: string;
  org: string;
  title: string;
  description: string;
  region: string;
  regionName: string | null;
  diseaseField: string;
  scope: string[];
  patientPopulation: number;
  budgetEstimateEur: number;
  barriers: string[];
  evidence: { title: string; url: string | null }[];
  status: NeedStatus;
  /** Why it was validated, when the validating procurer said so. */
  validationRationale: string | null;
  /** Why it was rejected or withdrawn. */
  statusReason: string | null;
  priority: { score: number; criteria: Record<string, number> | null } | null;
  buyersGroupId: string | null;
  recordedAt: string;
  updatedAt: string;
  /** Revision of the need's stream this view reflects. */
  revision: number;
};

/** What the view needs of a stored event, whether it comes from the stream or the log. */
export interface ViewedEvent {
  type: string;
  data: unknown;
  revision: bigint | number;
  occurredAt: string;
}

export const NEED_VIEW_EVENT_TYPES = [
  'NeedRecorded',
  'NeedValidated',
  'NeedRejected',
  'NeedPrioritised',
  'NeedWithdrawn',
  'NeedGrouped',
  'NeedReleased',
] as const;

/**
 * The view after one more event; undefined when the event does not concern it. Shared by
 * the projection (lists) and the queries that fold a stream (read-your-writes, asOf).
 */
export function evolveNeedView(view: NeedView | null, stored: ViewedEvent): NeedView | undefined {
  const event = { type: stored.type, data: stored.data } as NeedEvent;
  const stamp = { revision: Number(stored.revision), updatedAt: stored.occurredAt };
  if (event.type === 'NeedRecorded') return recordedView(event.data, stored);
  if (view === null) return undefined;
  switch (event.type) {
    case 'NeedValidated':
      return { ...view, ...stamp, status: 'VALIDATED', validationRationale: event.data.rationale };
    case 'NeedRejected':
      return { ...view, ...stamp, status: 'REJECTED', statusReason: event.data.reason };
    case 'NeedWithdrawn':
      return { ...view, ...stamp, status: 'WITHDRAWN', statusReason: event.data.reason };
    case 'NeedPrioritised':
      return {
        ...view,
        ...stamp,
        priority: { score: event.data.score, criteria: event.data.criteria },
      };
    case 'NeedGrouped':
      return { ...view, ...stamp, buyersGroupId: event.data.buyersGroupId };
    case 'NeedReleased':
      return { ...view, ...stamp, buyersGroupId: null };
    default:
      return undefined;
  }
}

/** Folds a stream's events; null when none of them records the need. */
export function needViewOf(events: readonly ViewedEvent[]): NeedView | null {
  let view: NeedView | null = null;
  for (const event of events) view = evolveNeedView(view, event) ?? view;
  return view;
}

function recordedView(data: RecordedNeed, stored: ViewedEvent): NeedView {
  return {
    id: data.needId,
    org: data.org,
    title: data.title,
    description: data.description,
    region: data.region,
    regionName: nutsName(data.region) ?? null,
    diseaseField: data.diseaseField,
    scope: [...data.scope],
    patientPopulation: data.patientPopulation,
    budgetEstimateEur: data.budgetEstimateEur,
    barriers: [...data.barriers],
    evidence: data.evidence.map((e) => ({ title: e.title, url: e.url ?? null })),
    status: 'RECORDED',
    validationRationale: null,
    statusReason: null,
    priority: null,
    buyersGroupId: null,
    recordedAt: stored.occurredAt,
    updatedAt: stored.occurredAt,
    revision: Number(stored.revision),
  };
}
