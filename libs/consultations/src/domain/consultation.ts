import {
  DomainRuleError,
  InvalidStateError,
  NotFoundError,
  type Decider,
  type DomainEvent,
  type SealedPersonalData,
} from '@pcp/eventsourcing';
import {
  isProcurementRoute,
  isTrlLevel,
  type ClarificationAnswered,
  type ConsultationClosed,
  type ConsultationOpened,
  type ConsultationResponseSubmitted,
  type PriorInformationNoticePublished,
  type ProcurementRoute,
  type ProcurementRouteDecided,
} from '@pcp/contracts';
import { NotOwnerError } from './errors';
import { bestKnownTrl, goesAgainstTrlRule, routeFor } from './route-rule';
import { TITLE_LIMIT, optionalText, requiredText } from '@pcp/eventsourcing';

/** Practice: the prior information notice appears at least 30 days before the consultation opens. */
export const PIN_LEAD_TIME_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const REPORT_LIMIT = 100_000;

/**
 * What the consultations context has learned about a need from the needs context's
 * integration events (its own projection); the application layer passes it in.
 */
export interface NeedFacts {
  id: string;
  org: string;
  region: string;
  status: 'RECORDED' | 'VALIDATED' | 'REJECTED' | 'WITHDRAWN';
}

/** The same for a buyers group. */
export interface BuyersGroupFacts {
  id: string;
  leadOrg: string;
  regions: string[];
}

/** Facts about the responding organisation, from its token: organisation data, not a person's. */
export interface SupplierFacts {
  sme: boolean | null;
  country: string | null;
}

export type ConsultationCommand =
  | {
      type: 'OpenConsultation';
      consultationId: string;
      actorOrg: string;
      /** Exactly one of needId and buyersGroupId. */
      needId?: string | null;
      buyersGroupId?: string | null;
      need?: NeedFacts;
      buyersGroup?: BuyersGroupFacts;
      title: string;
      description: string;
      opensAt: string;
      closesAt: string;
      questions: string[];
      stateOfTheArtTrl?: number | null;
    }
  | { type: 'PublishPriorInformationNotice'; actorOrg: string; now: Date }
  | {
      type: 'SubmitConsultationResponse';
      actorOrg: string;
      responseId: string;
      /** A fresh id, used only when this is the organisation's first response. */
      innovationId: string;
      solutionName: string;
      summary: string;
      declaredTrl: number;
      supplier: SupplierFacts;
      /** The contact person's name and e-mail, sealed with their key by the application. */
      contact?: SealedPersonalData | null;
      now: Date;
    }
  | { type: 'AskClarification'; actorOrg: string; questionId: string; text: string; now: Date }
  | { type: 'AnswerClarification'; actorOrg: string; questionId: string; text: string }
  | { type: 'CloseConsultation'; actorOrg: string; report: string }
  | {
      type: 'DecideProcurementRoute';
      actorOrg: string;
      route: string;
      rationale: string;
      justification?: string | null;
    };

export type ShortLeadTimeWarning = 'SHORT_LEAD_TIME';

export interface ResponseData extends ConsultationResponseSubmitted {
  summary: string;
  supplierSme: boolean | null;
  supplierCountry: string | null;
  /** Sealed: erasing the person leaves it unreadable; never published to other contexts. */
  contact?: SealedPersonalData | null;
}

export type ConsultationEvent =
  | DomainEvent<'ConsultationOpened', ConsultationOpened & { description: string }>
  | DomainEvent<
      'PriorInformationNoticePublished',
      PriorInformationNoticePublished & { warnings: ShortLeadTimeWarning[] }
    >
  | DomainEvent<'ConsultationResponseSubmitted', ResponseData>
  | DomainEvent<'ConsultationResponseReplaced', ResponseData & { replacesResponseId: string }>
  | DomainEvent<
      'ClarificationRequested',
      { consultationId: string; questionId: string; askedByOrg: string; question: string }
    >
  | DomainEvent<'ClarificationAnswered', ClarificationAnswered>
  | DomainEvent<'ConsultationClosed', ConsultationClosed>
  | DomainEvent<
      'ProcurementRouteDecided',
      ProcurementRouteDecided & { bestTrl: number | null; expectedRoute: 'PCP' | 'PPI' | null }
    >;

export type ConsultationStatus = 'DRAFT' | 'PUBLISHED' | 'CLOSED' | 'ROUTE_DECIDED';

export interface LiveResponse {
  supplierOrg: string;
  responseId: string;
  innovationId: string;
  declaredTrl: number;
}

export interface Clarification {
  questionId: string;
  question: string;
  askedByOrg: string;
  answer: string | null;
}

export interface ConsultationState {
  status: 'NONE' | ConsultationStatus;
  consultationId: string | null;
  org: string | null;
  needId: string | null;
  buyersGroupId: string | null;
  opensAt: string | null;
  closesAt: string | null;
  stateOfTheArtTrl: number | null;
  publishedAt: string | null;
  /** One live response per supplier organisation. */
  responses: LiveResponse[];
  clarifications: Clarification[];
  route: ProcurementRoute | null;
}

type Command<T extends ConsultationCommand['type']> = Extract<ConsultationCommand, { type: T }>;

export const consultationDecider: Decider<
  ConsultationCommand,
  ConsultationState,
  ConsultationEvent
> = {
  initialState: () => ({
    status: 'NONE',
    consultationId: null,
    org: null,
    needId: null,
    buyersGroupId: null,
    opensAt: null,
    closesAt: null,
    stateOfTheArtTrl: null,
    publishedAt: null,
    responses: [],
    clarifications: [],
    route: null,
  }),

  decide(command, state) {
    if (command.type === 'OpenConsultation') return [opening(command, state)];
    if (state.status === 'NONE') {
      throw new NotFoundError('There is no such consultation', 'CONSULTATION_NOT_FOUND');
    }
    switch (command.type) {
      case 'PublishPriorInformationNotice':
        return [publication(command, state)];
      case 'SubmitConsultationResponse':
        return [response(command, state)];
      case 'AskClarification':
        return [clarificationRequest(command, state)];
      case 'AnswerClarification':
        return [clarificationAnswer(command, state)];
      case 'CloseConsultation':
        return [closing(command, state)];
      case 'DecideProcurementRoute':
        return [routeDecision(command, state)];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ConsultationOpened':
        return {
          ...state,
          status: 'DRAFT',
          consultationId: event.data.consultationId,
          org: event.data.org,
          needId: event.data.needId,
          buyersGroupId: event.data.buyersGroupId,
          opensAt: event.data.opensAt,
          closesAt: event.data.closesAt,
          stateOfTheArtTrl: event.data.stateOfTheArtTrl,
        };
      case 'PriorInformationNoticePublished':
        return { ...state, status: 'PUBLISHED', publishedAt: event.data.publishedAt };
      case 'ConsultationResponseSubmitted':
      case 'ConsultationResponseReplaced': {
        const { supplierOrg, responseId, innovationId, declaredTrl } = event.data;
        return {
          ...state,
          responses: [
            ...state.responses.filter((r) => r.supplierOrg !== supplierOrg),
            { supplierOrg, responseId, innovationId, declaredTrl },
          ],
        };
      }
      case 'ClarificationRequested':
        return {
          ...state,
          clarifications: [
            ...state.clarifications,
            {
              questionId: event.data.questionId,
              question: event.data.question,
              askedByOrg: event.data.askedByOrg,
              answer: null,
            },
          ],
        };
      case 'ClarificationAnswered':
        return {
          ...state,
          clarifications: state.clarifications.map((c) =>
            c.questionId === event.data.questionId ? { ...c, answer: event.data.answer } : c,
          ),
        };
      case 'ConsultationClosed':
        return { ...state, status: 'CLOSED' };
      case 'ProcurementRouteDecided':
        return { ...state, status: 'ROUTE_DECIDED', route: event.data.route };
    }
  },
};

function opening(
  command: Command<'OpenConsultation'>,
  state: ConsultationState,
): ConsultationEvent {
  if (state.status !== 'NONE') {
    throw new InvalidStateError('This consultation is already opened', 'CONSULTATION_EXISTS');
  }
  const subject = subjectOf(command);
  const title = requiredText('title', command.title, TITLE_LIMIT);
  const description = requiredText('description', command.description, undefined, 'withoutSpaces');
  const opensAt = time('opening time (opensAt)', command.opensAt);
  const closesAt = time('closing time (closesAt)', command.closesAt);
  if (closesAt <= opensAt) {
    throw new DomainRuleError(
      `The consultation must close after it opens; closesAt ${command.closesAt} is not after opensAt ${command.opensAt}`,
      'CLOSES_BEFORE_OPENING',
      { opensAt: command.opensAt, closesAt: command.closesAt },
    );
  }
  const questions = (Array.isArray(command.questions) ? command.questions : []).map((q, i) =>
    requiredText(`question ${i + 1}`, q),
  );
  const stateOfTheArtTrl = command.stateOfTheArtTrl ?? null;
  if (stateOfTheArtTrl !== null && !isTrlLevel(stateOfTheArtTrl)) {
    throw new DomainRuleError(
      `The state-of-the-art TRL must be a whole number from 1 to 9, not ${stateOfTheArtTrl}`,
      'INVALID_TRL',
      { stateOfTheArtTrl },
    );
  }
  return {
    type: 'ConsultationOpened',
    data: {
      consultationId: command.consultationId,
      org: command.actorOrg,
      ...subject,
      title,
      description,
      opensAt: command.opensAt,
      closesAt: command.closesAt,
      questions,
      stateOfTheArtTrl,
    },
  };
}

/** The need or buyers group consulted on: validated, owned or led by the opener. */
function subjectOf(
  command: Command<'OpenConsultation'>,
): Pick<ConsultationOpened, 'needId' | 'buyersGroupId' | 'regions'> {
  const needId = command.needId ?? null;
  const buyersGroupId = command.buyersGroupId ?? null;
  if ((needId === null) === (buyersGroupId === null)) {
    throw new DomainRuleError(
      'A consultation is on one validated need (needId) or one buyers group (buyersGroupId): give exactly one',
      'SUBJECT_REQUIRED',
    );
  }
  if (needId !== null) {
    const need = command.need;
    if (!need || need.id !== needId) {
      throw new DomainRuleError(
        `The need ${needId} is not validated: no need with this id is known`,
        'UNKNOWN_NEED',
        {
          needId,
        },
      );
    }
    if (need.org !== command.actorOrg) {
      throw new NotOwnerError(
        `Only procurers of ${need.org}, the organisation that owns the need, can consult on it`,
        'NOT_OWNER',
        { org: need.org },
      );
    }
    if (need.status !== 'VALIDATED') {
      throw new DomainRuleError(
        `The need ${needId} is not validated (it is ${need.status.toLowerCase()}); only a validated need can be consulted on`,
        'NEED_NOT_VALIDATED',
        { needId, status: need.status },
      );
    }
    return { needId, buyersGroupId: null, regions: [need.region] };
  }
  const group = command.buyersGroup;
  if (!group || group.id !== buyersGroupId) {
    throw new DomainRuleError(
      `No buyers group is known with the id ${buyersGroupId}`,
      'UNKNOWN_BUYERS_GROUP',
      { buyersGroupId },
    );
  }
  if (group.leadOrg !== command.actorOrg) {
    throw new NotOwnerError(
      `Only procurers of ${group.leadOrg}, the lead organisation of the buyers group, can consult on its behalf`,
      'NOT_OWNER',
      { org: group.leadOrg },
    );
  }
  // A group is formed with one region and grows by joining; it buys jointly from two on.
  if (new Set(group.regions).size < 2) {
    throw new DomainRuleError(
      `The buyers group ${buyersGroupId} spans one region so far; consult on it once another region has joined, or consult on the need itself`,
      'BUYERS_GROUP_SINGLE_REGION',
      { buyersGroupId, regions: group.regions },
    );
  }
  return { needId: null, buyersGroupId, regions: [...new Set(group.regions)] };
}

function publication(
  command: Command<'PublishPriorInformationNotice'>,
  state: ConsultationState,
): ConsultationEvent {
  const { consultationId, org } = owned(command, state);
  if (state.status !== 'DRAFT') {
    throw new InvalidStateError(
      'The prior information notice of this consultation is already published',
      'ALREADY_PUBLISHED',
      { status: state.status },
    );
  }
  const now = command.now.getTime();
  const opensAt = Date.parse(state.opensAt as string);
  if (now >= Date.parse(state.closesAt as string)) {
    throw new DomainRuleError(
      `The consultation closes at ${state.closesAt}, before this publication; open a new consultation with later dates`,
      'CLOSES_BEFORE_PUBLICATION',
      { closesAt: state.closesAt },
    );
  }
  const leadTimeDays = Math.max(0, Math.floor((opensAt - now) / DAY_MS));
  // A shorter lead time is allowed; it is recorded so the journey can show it.
  const shortLeadTime = leadTimeDays < PIN_LEAD_TIME_DAYS;
  return {
    type: 'PriorInformationNoticePublished',
    data: {
      consultationId,
      org,
      publishedAt: command.now.toISOString(),
      opensAt: state.opensAt as string,
      closesAt: state.closesAt as string,
      leadTimeDays,
      shortLeadTime,
      warnings: shortLeadTime ? ['SHORT_LEAD_TIME'] : [],
    },
  };
}

function response(
  command: Command<'SubmitConsultationResponse'>,
  state: ConsultationState,
): ConsultationEvent {
  acceptingFromSuppliers(state, command.now, 'Responses');
  refuseOwnOrganisation(command.actorOrg, state, 'respond to');
  const solutionName = requiredText('solution name', command.solutionName, TITLE_LIMIT);
  const summary = requiredText('summary', command.summary, undefined, 'withoutSpaces');
  if (!isTrlLevel(command.declaredTrl)) {
    throw new DomainRuleError(
      `The declared TRL must be a whole number from 1 to 9, not ${command.declaredTrl}`,
      'INVALID_TRL',
      { declaredTrl: command.declaredTrl },
    );
  }
  const country = command.supplier.country;
  if (country !== null && !/^[A-Z]{2}$/.test(country)) {
    throw new DomainRuleError(
      `The supplier's country must be an ISO 3166 alpha-2 code such as ES, not ${JSON.stringify(country)}`,
      'INVALID_COUNTRY',
      { country },
    );
  }
  const live = state.responses.find((r) => r.supplierOrg === command.actorOrg);
  const data: ResponseData = {
    consultationId: state.consultationId as string,
    responseId: command.responseId,
    // The innovation keeps the id it got with the organisation's first response.
    innovationId: live ? live.innovationId : command.innovationId,
    supplierOrg: command.actorOrg,
    needId: state.needId,
    buyersGroupId: state.buyersGroupId,
    solutionName,
    declaredTrl: command.declaredTrl,
    summary,
    supplierSme: command.supplier.sme,
    supplierCountry: country,
    // Absent rather than null without one: responses recorded before contacts existed look the same.
    ...(command.contact ? { contact: command.contact } : {}),
  };
  return live
    ? {
        type: 'ConsultationResponseReplaced',
        data: { ...data, replacesResponseId: live.responseId },
      }
    : { type: 'ConsultationResponseSubmitted', data };
}

function clarificationRequest(
  command: Command<'AskClarification'>,
  state: ConsultationState,
): ConsultationEvent {
  acceptingFromSuppliers(state, command.now, 'Clarification questions');
  refuseOwnOrganisation(command.actorOrg, state, 'ask clarification questions about');
  if (state.clarifications.some((c) => c.questionId === command.questionId)) {
    throw new InvalidStateError(
      `A question with the id ${command.questionId} was already asked`,
      'QUESTION_EXISTS',
    );
  }
  return {
    type: 'ClarificationRequested',
    data: {
      consultationId: state.consultationId as string,
      questionId: command.questionId,
      askedByOrg: command.actorOrg,
      question: requiredText('question', command.text),
    },
  };
}

function clarificationAnswer(
  command: Command<'AnswerClarification'>,
  state: ConsultationState,
): ConsultationEvent {
  const { consultationId } = owned(command, state);
  const asked = state.clarifications.find((c) => c.questionId === command.questionId);
  if (!asked) {
    throw new NotFoundError(
      `There is no question ${command.questionId} in this consultation`,
      'QUESTION_NOT_FOUND',
    );
  }
  if (state.status !== 'PUBLISHED') {
    throw new InvalidStateError(
      'The consultation is closed; answers can no longer be published to respondents',
      'CONSULTATION_CLOSED',
    );
  }
  if (asked.answer !== null) {
    throw new InvalidStateError(
      `The question ${command.questionId} is already answered`,
      'ALREADY_ANSWERED',
    );
  }
  // Equal treatment: the answer goes to every respondent with the question, never the asker.
  return {
    type: 'ClarificationAnswered',
    data: {
      consultationId,
      questionId: asked.questionId,
      question: asked.question,
      answer: requiredText('answer', command.text),
    },
  };
}

function closing(
  command: Command<'CloseConsultation'>,
  state: ConsultationState,
): ConsultationEvent {
  const { consultationId, org } = owned(command, state);
  if (state.status === 'DRAFT') {
    throw new InvalidStateError(
      'Publish the prior information notice before closing the consultation',
      'NOT_PUBLISHED',
    );
  }
  if (state.status !== 'PUBLISHED') {
    throw new InvalidStateError('The consultation is already closed', 'ALREADY_CLOSED');
  }
  return {
    type: 'ConsultationClosed',
    data: {
      consultationId,
      org,
      responseCount: state.responses.length,
      report: requiredText('report', command.report, REPORT_LIMIT),
    },
  };
}

function routeDecision(
  command: Command<'DecideProcurementRoute'>,
  state: ConsultationState,
): ConsultationEvent {
  const { consultationId, org } = owned(command, state);
  if (state.status === 'ROUTE_DECIDED') {
    throw new InvalidStateError(
      `The route is already decided (${state.route}); it is decided once`,
      'ROUTE_ALREADY_DECIDED',
      { route: state.route },
    );
  }
  if (state.status !== 'CLOSED') {
    throw new InvalidStateError(
      'Close the consultation with its report before deciding the route',
      'NOT_CLOSED',
      { status: state.status },
    );
  }
  const route = command.route;
  if (!isProcurementRoute(route)) {
    throw new DomainRuleError(
      `${JSON.stringify(route)} is not a route; use PCP, PPI, INNOVATION_PARTNERSHIP, COMMERCIAL or NONE`,
      'UNKNOWN_ROUTE',
      { route },
    );
  }
  const rationale = requiredText('rationale', command.rationale);
  const justification = optionalText('justification', command.justification);
  const bestTrl = bestKnownTrl(
    state.responses.map((r) => r.declaredTrl),
    state.stateOfTheArtTrl,
  );
  const expectedRoute = bestTrl === null ? null : routeFor(bestTrl);
  const againstTrlRule = goesAgainstTrlRule(route, bestTrl);
  if (againstTrlRule && justification === null) {
    throw new DomainRuleError(
      `The best known TRL is ${bestTrl}, so the TRL rule points to ${expectedRoute}; choosing ${route} needs a written justification`,
      'JUSTIFICATION_REQUIRED',
      { route, expectedRoute, bestTrl },
    );
  }
  return {
    type: 'ProcurementRouteDecided',
    data: {
      consultationId,
      org,
      needId: state.needId,
      buyersGroupId: state.buyersGroupId,
      route,
      rationale,
      justification,
      stateOfTheArtTrl: state.stateOfTheArtTrl,
      againstTrlRule,
      bestTrl,
      expectedRoute,
    },
    reason: rationale,
  };
}

/** The consultation's ids, once the actor is known to belong to the organising organisation. */
function owned(
  command: { actorOrg: string },
  state: ConsultationState,
): { consultationId: string; org: string } {
  const org = state.org as string;
  if (command.actorOrg !== org) {
    throw new NotOwnerError(
      `Only procurers of ${org}, the organisation running this consultation, can change it`,
      'NOT_OWNER',
      { org },
    );
  }
  return { consultationId: state.consultationId as string, org };
}

/** Suppliers write between the notice's publication and closesAt (the command's clock). */
function acceptingFromSuppliers(state: ConsultationState, now: Date, what: string): void {
  if (state.status === 'DRAFT') {
    throw new InvalidStateError(
      `${what} are accepted once the prior information notice is published`,
      'NOT_PUBLISHED',
    );
  }
  if (state.status !== 'PUBLISHED') {
    throw new InvalidStateError(
      `The consultation is closed; ${what.toLowerCase()} are no longer accepted`,
      'CONSULTATION_CLOSED',
    );
  }
  if (now.getTime() >= Date.parse(state.closesAt as string)) {
    throw new InvalidStateError(`${what} closed at ${state.closesAt}`, 'RESPONSE_WINDOW_CLOSED', {
      closesAt: state.closesAt,
    });
  }
}

function refuseOwnOrganisation(actorOrg: string, state: ConsultationState, what: string): void {
  if (actorOrg === state.org) {
    throw new DomainRuleError(
      `${actorOrg} runs this consultation and cannot ${what} it`,
      'OWN_CONSULTATION',
    );
  }
}

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** An ISO 8601 time with an offset, as instants in ms; a calendar date that does not exist is refused. */
function time(field: string, value: unknown): number {
  const parts = typeof value === 'string' ? ISO_WITH_OFFSET.exec(value) : null;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = parts
    ? [1, 2, 3, 4, 5, 6, 9, 10].map((i) => Number(parts[i] ?? 0))
    : [];
  // Date.parse rolls 30 February over into March; the published schemas would refuse it.
  const realDate =
    parts !== null &&
    new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day &&
    month >= 1 &&
    month <= 12 &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offsetHours < 24 &&
    offsetMinutes < 60;
  if (!realDate) {
    throw new DomainRuleError(
      `The ${field} must be an ISO 8601 time with an offset, such as 2025-03-01T09:00:00+01:00`,
      'INVALID_TIME',
      { field, value },
    );
  }
  return Date.parse(value as string);
}
