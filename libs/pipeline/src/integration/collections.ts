/** The pipeline's own collections: everything in them is learned from integration events. */
export const INNOVATIONS = 'pipeline_innovations';
export const NEEDS = 'pipeline_needs';
export const CONSULTATIONS = 'pipeline_consultations';
export const BUYERS_GROUPS = 'pipeline_buyers_groups';
export const TENDERS = 'pipeline_tenders';
/** One document per integration event received: the timeline's entries. */
export const TIMELINE_EVENTS = 'pipeline_timeline_events';

export const PIPELINE_COLLECTIONS = [
  INNOVATIONS,
  NEEDS,
  CONSULTATIONS,
  BUYERS_GROUPS,
  TENDERS,
  TIMELINE_EVENTS,
] as const;

export type NeedStage = 'NEED' | 'CONSULTATION' | 'TENDER' | 'DROPPED';

export type NeedJourney = {
  id: string;
  org: string | null;
  region: string | null;
  title: string | null;
  status: 'RECORDED' | 'VALIDATED' | 'REJECTED' | 'WITHDRAWN' | null;
  priority: number | null;
  buyersGroupId: string | null;
  consultationIds: string[];
  route: string | null;
  tenderIds: string[];
  innovationIds: string[];
  stage: NeedStage;
  stageHistory: { stage: NeedStage; at: string; eventType: string }[];
};

export type KnownConsultation = {
  id: string;
  org: string;
  needIds: string[];
  needId: string | null;
  buyersGroupId: string | null;
  regions: string[];
  procurerOrgs: string[];
  route: string | null;
  /** When the consultation opened (its ConsultationOpened event). */
  openedAt: string;
  /** Days between its prior information notice and opensAt; absent until the notice. */
  leadTimeDays?: number;
  /** The notice came less than 30 days ahead: allowed, and shown on its innovations' journeys. */
  shortLeadTime?: boolean;
};

export type KnownBuyersGroup = {
  id: string;
  leadOrg: string;
  orgs: string[];
  needIds: string[];
  regions: string[];
};

export type KnownTender = {
  id: string;
  org: string;
  consultationId: string;
  procedure: string;
  regions: string[];
  procurerOrgs: string[];
  opened: boolean;
  /** When it was drafted: dates the needs' TENDER stage when its consultation is heard of later. */
  draftedAt?: string;
};

/** What the timeline shows of an event, and how it links to innovations. */
export type TimelineEntry = {
  eventId: string;
  type: string;
  context: string;
  streamId: string;
  revision: number;
  globalPosition: number;
  occurredAt: string;
  actor: { userId: string; org: string | null; roles: string[] } | null;
  reason: string | null;
  hash: string | null;
  needIds: string[];
  buyersGroupId: string | null;
  consultationId: string | null;
  tenderId: string | null;
  bidId: string | null;
  pilotId: string | null;
  /** The innovations the event names; empty for events of a need, consultation or tender as a whole. */
  innovationIds: string[];
};
