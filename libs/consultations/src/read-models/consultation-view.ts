import type { DisclosedPersonalData, SealedPersonalData } from '@pcp/eventsourcing';
import type { ConsultationEvent, ConsultationStatus } from '../domain';

export type ResponseView = {
  id: string;
  innovationId: string;
  supplierOrg: string;
  solutionName: string;
  summary: string;
  declaredTrl: number;
  supplierSme: boolean | null;
  supplierCountry: string | null;
  /**
   * The contact person: sealed in the stored view, disclosed (name and e-mail, or erased)
   * when read.
   */
  contact: SealedPersonalData | DisclosedPersonalData | null;
  /** LIVE until the same supplier organisation sends a new response. */
  status: 'LIVE' | 'REPLACED';
  replacesResponseId: string | null;
  submittedAt: string;
};

export type ClarificationView = {
  id: string;
  question: string;
  /** Null where the reader may not learn who asked (equal treatment of respondents). */
  askedByOrg: string | null;
  askedAt: string;
  answer: string | null;
  answeredAt: string | null;
};

export type RouteDecisionView = {
  route: string;
  rationale: string;
  justification: string | null;
  againstTrlRule: boolean;
  bestTrl: number | null;
  expectedRoute: 'PCP' | 'PPI' | null;
  decidedAt: string;
};

/** A consultation with everything recorded on it; who may see which part is decided on reading. */
export type ConsultationView = {
  id: string;
  org: string;
  needId: string | null;
  buyersGroupId: string | null;
  regions: string[];
  title: string;
  description: string;
  opensAt: string;
  closesAt: string;
  questions: string[];
  stateOfTheArtTrl: number | null;
  status: ConsultationStatus;
  publishedAt: string | null;
  leadTimeDays: number | null;
  /** SHORT_LEAD_TIME when the notice came less than 30 days before opening. */
  warnings: string[];
  responses: ResponseView[];
  /** Live responses: one per supplier organisation. */
  responseCount: number;
  clarifications: ClarificationView[];
  report: string | null;
  closedAt: string | null;
  routeDecision: RouteDecisionView | null;
  createdAt: string;
  updatedAt: string;
  revision: number;
};

export interface ViewedEvent {
  type: string;
  data: unknown;
  revision: bigint | number;
  occurredAt: string;
}

export const CONSULTATION_VIEW_EVENT_TYPES = [
  'ConsultationOpened',
  'PriorInformationNoticePublished',
  'ConsultationResponseSubmitted',
  'ConsultationResponseReplaced',
  'ClarificationRequested',
  'ClarificationAnswered',
  'ConsultationClosed',
  'ProcurementRouteDecided',
] as const;

/** The view after one more event; undefined when the event does not concern it. */
export function evolveConsultationView(
  view: ConsultationView | null,
  stored: ViewedEvent,
): ConsultationView | undefined {
  const event = { type: stored.type, data: stored.data } as ConsultationEvent;
  const at = stored.occurredAt;
  const stamp = { revision: Number(stored.revision), updatedAt: at };
  if (event.type === 'ConsultationOpened') {
    const d = event.data;
    return {
      id: d.consultationId,
      org: d.org,
      needId: d.needId,
      buyersGroupId: d.buyersGroupId,
      regions: [...d.regions],
      title: d.title,
      description: d.description,
      opensAt: d.opensAt,
      closesAt: d.closesAt,
      questions: [...d.questions],
      stateOfTheArtTrl: d.stateOfTheArtTrl,
      status: 'DRAFT',
      publishedAt: null,
      leadTimeDays: null,
      warnings: [],
      responses: [],
      responseCount: 0,
      clarifications: [],
      report: null,
      closedAt: null,
      routeDecision: null,
      createdAt: at,
      ...stamp,
    };
  }
  if (view === null) return undefined;
  switch (event.type) {
    case 'PriorInformationNoticePublished':
      return {
        ...view,
        ...stamp,
        status: 'PUBLISHED',
        publishedAt: event.data.publishedAt,
        leadTimeDays: event.data.leadTimeDays,
        warnings: [...(event.data.warnings ?? [])],
      };
    case 'ConsultationResponseSubmitted':
    case 'ConsultationResponseReplaced': {
      const d = event.data;
      const replaces =
        event.type === 'ConsultationResponseReplaced' ? event.data.replacesResponseId : null;
      const responses: ResponseView[] = [
        ...view.responses.map((r) =>
          r.supplierOrg === d.supplierOrg ? { ...r, status: 'REPLACED' as const } : r,
        ),
        {
          id: d.responseId,
          innovationId: d.innovationId,
          supplierOrg: d.supplierOrg,
          solutionName: d.solutionName,
          summary: d.summary,
          declaredTrl: d.declaredTrl,
          supplierSme: d.supplierSme,
          supplierCountry: d.supplierCountry,
          contact: d.contact ?? null,
          status: 'LIVE',
          replacesResponseId: replaces,
          submittedAt: at,
        },
      ];
      return {
        ...view,
        ...stamp,
        responses,
        responseCount: responses.filter((r) => r.status === 'LIVE').length,
      };
    }
    case 'ClarificationRequested':
      return {
        ...view,
        ...stamp,
        clarifications: [
          ...view.clarifications,
          {
            id: event.data.questionId,
            question: event.data.question,
            askedByOrg: event.data.askedByOrg,
            askedAt: at,
            answer: null,
            answeredAt: null,
          },
        ],
      };
    case 'ClarificationAnswered':
      return {
        ...view,
        ...stamp,
        clarifications: view.clarifications.map((c) =>
          c.id === event.data.questionId ? { ...c, answer: event.data.answer, answeredAt: at } : c,
        ),
      };
    case 'ConsultationClosed':
      return { ...view, ...stamp, status: 'CLOSED', report: event.data.report, closedAt: at };
    case 'ProcurementRouteDecided':
      return {
        ...view,
        ...stamp,
        status: 'ROUTE_DECIDED',
        routeDecision: {
          route: event.data.route,
          rationale: event.data.rationale,
          justification: event.data.justification,
          againstTrlRule: event.data.againstTrlRule,
          bestTrl: event.data.bestTrl,
          expectedRoute: event.data.expectedRoute,
          decidedAt: at,
        },
      };
    default:
      return undefined;
  }
}

export function consultationViewOf(events: readonly ViewedEvent[]): ConsultationView | null {
  let view: ConsultationView | null = null;
  for (const event of events) view = evolveConsultationView(view, event) ?? view;
  return view;
}
