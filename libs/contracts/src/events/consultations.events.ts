import { defineIntegrationEvent } from '../published-language';
import {
  ROUTES,
  type ProcurementRoute,
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

const context = 'consultations' as const;

/** A consultation answers one need or one buyers group: exactly one of the two is set. */
const subjectOfConsultation = {
  needId: nullable(id('The need consulted on, when not a buyers group.')),
  buyersGroupId: nullable(id('The buyers group consulted on, when not a single need.')),
};
const exactlyOneSubject = {
  oneOf: [
    { properties: { needId: { type: 'string' }, buyersGroupId: { type: 'null' } } },
    { properties: { needId: { type: 'null' }, buyersGroupId: { type: 'string' } } },
  ],
};

export interface ConsultationOpened {
  consultationId: string;
  org: string;
  needId: string | null;
  buyersGroupId: string | null;
  regions: string[];
  title: string;
  opensAt: string;
  closesAt: string;
  questions: string[];
  stateOfTheArtTrl: number | null;
}

export const ConsultationOpenedEvent = defineIntegrationEvent<ConsultationOpened>({
  context,
  type: 'ConsultationOpened',
  version: 1,
  aggregate: 'consultation',
  key: 'consultationId',
  description: 'A procurer set up an open market consultation on a need or a buyers group.',
  schema: object(
    {
      consultationId: id('Consultation id.'),
      org: id('Organising organisation.'),
      ...subjectOfConsultation,
      regions: arrayOf(region(), 'Regions of the need(s) consulted on.', { uniqueItems: true }),
      title: text('Title.', 300),
      opensAt: isoTime('When responses open.'),
      closesAt: isoTime('When responses close.'),
      questions: arrayOf(text('A question to the market.', 2000), 'Questions to the market.'),
      stateOfTheArtTrl: nullable(trl('TRL of the best known solution from the prior-art search.')),
    },
    [
      'consultationId',
      'org',
      'needId',
      'buyersGroupId',
      'regions',
      'title',
      'opensAt',
      'closesAt',
      'questions',
      'stateOfTheArtTrl',
    ],
    exactlyOneSubject,
  ),
  example: {
    consultationId: 'cons-2d81',
    org: 'org-sergas',
    needId: 'need-7f3a9c',
    buyersGroupId: null,
    regions: ['ES11'],
    title: 'Market consultation: sepsis early warning',
    opensAt: '2025-03-01T09:00:00+01:00',
    closesAt: '2025-04-15T17:00:00+02:00',
    questions: ['Which data sources does your solution need?'],
    stateOfTheArtTrl: 6,
  },
});

export interface PriorInformationNoticePublished {
  consultationId: string;
  org: string;
  publishedAt: string;
  opensAt: string;
  closesAt: string;
  leadTimeDays: number;
  shortLeadTime: boolean;
}

export const PriorInformationNoticePublishedEvent =
  defineIntegrationEvent<PriorInformationNoticePublished>({
    context,
    type: 'PriorInformationNoticePublished',
    version: 1,
    aggregate: 'consultation',
    key: 'consultationId',
    description:
      'The prior information notice announcing the consultation was published. A lead time under ' +
      '30 days is allowed and flagged.',
    schema: object(
      {
        consultationId: id('Consultation id.'),
        org: id('Organising organisation.'),
        publishedAt: isoTime('Publication time.'),
        opensAt: isoTime('When responses open.'),
        closesAt: isoTime('When responses close.'),
        leadTimeDays: positiveInt('Whole days between publication and opening.', 0),
        shortLeadTime: {
          type: 'boolean',
          description: 'True when the lead time is under 30 days.',
        },
      },
      [
        'consultationId',
        'org',
        'publishedAt',
        'opensAt',
        'closesAt',
        'leadTimeDays',
        'shortLeadTime',
      ],
    ),
    example: {
      consultationId: 'cons-2d81',
      org: 'org-sergas',
      publishedAt: '2025-01-20T10:00:00+01:00',
      opensAt: '2025-03-01T09:00:00+01:00',
      closesAt: '2025-04-15T17:00:00+02:00',
      leadTimeDays: 39,
      shortLeadTime: false,
    },
  });

export interface ConsultationResponseSubmitted {
  consultationId: string;
  responseId: string;
  innovationId: string;
  supplierOrg: string;
  needId: string | null;
  buyersGroupId: string | null;
  solutionName: string;
  declaredTrl: number;
}

export const ConsultationResponseSubmittedEvent =
  defineIntegrationEvent<ConsultationResponseSubmitted>({
    context,
    type: 'ConsultationResponseSubmitted',
    version: 1,
    aggregate: 'consultation',
    key: 'consultationId',
    description:
      "A supplier answered the consultation with a solution idea and a declared TRL; the innovation's id is born here.",
    schema: object(
      {
        consultationId: id('Consultation id.'),
        responseId: id('Response id.'),
        innovationId: id('Innovation id, carried on later bids, contracts and pilots.'),
        supplierOrg: id('Responding organisation.'),
        ...subjectOfConsultation,
        solutionName: text('Name of the proposed solution.', 300),
        declaredTrl: trl('TRL declared by the supplier.'),
      },
      [
        'consultationId',
        'responseId',
        'innovationId',
        'supplierOrg',
        'needId',
        'buyersGroupId',
        'solutionName',
        'declaredTrl',
      ],
      exactlyOneSubject,
    ),
    example: {
      consultationId: 'cons-2d81',
      responseId: 'resp-0a9f',
      innovationId: 'inno-4c6e',
      supplierOrg: 'org-medtech-sme',
      needId: 'need-7f3a9c',
      buyersGroupId: null,
      solutionName: 'SepsisWatch',
      declaredTrl: 5,
    },
  });

export interface ClarificationAnswered {
  consultationId: string;
  questionId: string;
  question: string;
  answer: string;
}

export const ClarificationAnsweredEvent = defineIntegrationEvent<ClarificationAnswered>({
  context,
  type: 'ClarificationAnswered',
  version: 1,
  aggregate: 'consultation',
  key: 'consultationId',
  description:
    'The procurer answered a clarification question; the answer goes to every respondent (equal ' +
    'treatment), so the asker is not named.',
  schema: object(
    {
      consultationId: id('Consultation id.'),
      questionId: id('Question id.'),
      question: text('The question as asked.', 2000),
      answer: text('The answer.', 10_000),
    },
    ['consultationId', 'questionId', 'question', 'answer'],
  ),
  example: {
    consultationId: 'cons-2d81',
    questionId: 'q-77',
    question: 'Is integration with the regional EHR mandatory?',
    answer: 'Yes, through the HL7 FHIR gateway.',
  },
});

export interface ConsultationClosed {
  consultationId: string;
  org: string;
  responseCount: number;
  report: string;
}

export const ConsultationClosedEvent = defineIntegrationEvent<ConsultationClosed>({
  context,
  type: 'ConsultationClosed',
  version: 1,
  aggregate: 'consultation',
  key: 'consultationId',
  description: 'The consultation closed with its report.',
  schema: object(
    {
      consultationId: id('Consultation id.'),
      org: id('Organising organisation.'),
      responseCount: positiveInt('Responses received.', 0),
      report: text('Consultation report.', 100_000),
    },
    ['consultationId', 'org', 'responseCount', 'report'],
  ),
  example: {
    consultationId: 'cons-2d81',
    org: 'org-sergas',
    responseCount: 14,
    report: '14 responses; 85% judged the need addressable within 3 years.',
  },
});

export interface ProcurementRouteDecided {
  consultationId: string;
  org: string;
  needId: string | null;
  buyersGroupId: string | null;
  route: ProcurementRoute;
  rationale: string;
  justification: string | null;
  stateOfTheArtTrl: number | null;
  againstTrlRule: boolean;
}

export const ProcurementRouteDecidedEvent = defineIntegrationEvent<ProcurementRouteDecided>({
  context,
  type: 'ProcurementRouteDecided',
  version: 1,
  aggregate: 'consultation',
  key: 'consultationId',
  description:
    'The procurer decided the procurement route after the consultation. A route against the TRL ' +
    'rule (below 8: PCP; 8-9: PPI) carries a written justification.',
  schema: object(
    {
      consultationId: id('Consultation id.'),
      org: id('Deciding organisation.'),
      ...subjectOfConsultation,
      route: oneOfValues(ROUTES, 'Chosen route.'),
      rationale: reason('Why this route.'),
      justification: nullable(reason('Justification when the route goes against the TRL rule.')),
      stateOfTheArtTrl: nullable(trl('State-of-the-art TRL the decision was taken on.')),
      againstTrlRule: {
        type: 'boolean',
        description: 'True when the route contradicts the TRL rule.',
      },
    },
    [
      'consultationId',
      'org',
      'needId',
      'buyersGroupId',
      'route',
      'rationale',
      'justification',
      'stateOfTheArtTrl',
      'againstTrlRule',
    ],
    {
      allOf: [
        exactlyOneSubject,
        {
          if: { properties: { againstTrlRule: { const: true } } },
          then: { properties: { justification: { type: 'string' } } },
        },
      ],
    },
  ),
  example: {
    consultationId: 'cons-2d81',
    org: 'org-sergas',
    needId: 'need-7f3a9c',
    buyersGroupId: null,
    route: 'PCP',
    rationale: 'Best available solutions are at TRL 5-6; R&D is still needed.',
    justification: null,
    stateOfTheArtTrl: 6,
    againstTrlRule: false,
  },
});

export const consultationsEvents = [
  ConsultationOpenedEvent,
  PriorInformationNoticePublishedEvent,
  ConsultationResponseSubmittedEvent,
  ClarificationAnsweredEvent,
  ConsultationClosedEvent,
  ProcurementRouteDecidedEvent,
] as const;
