import { DomainRuleError, InvalidStateError, NotFoundError } from '@pcp/eventsourcing';
import { integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import {
  consultationDecider,
  type ConsultationCommand,
  type ConsultationEvent,
  type NeedFacts,
} from './consultation';
import { NotOwnerError } from './errors';

const given = DeciderSpecification.for(consultationDecider);

function definitionOf(type: string) {
  const definition = integrationEvents.find(type);
  if (!definition) throw new Error(`${type} is not a declared integration event`);
  return definition;
}

const owner = 'org-sergas';
const supplier = 'org-medtech-sme';
const need: NeedFacts = { id: 'need-7f3a9c', org: owner, region: 'ES11', status: 'VALIDATED' };

const open: Extract<ConsultationCommand, { type: 'OpenConsultation' }> = {
  type: 'OpenConsultation',
  consultationId: 'cons-2d81',
  actorOrg: owner,
  needId: 'need-7f3a9c',
  need,
  title: 'Market consultation: sepsis early warning',
  description: 'We look for early warning of sepsis in emergency departments.',
  opensAt: '2025-03-01T09:00:00+01:00',
  closesAt: '2025-04-15T17:00:00+02:00', // 15:00 UTC
  questions: ['Which data sources does your solution need?'],
  stateOfTheArtTrl: 4,
};
const opened: ConsultationEvent = {
  type: 'ConsultationOpened',
  data: {
    consultationId: 'cons-2d81',
    org: owner,
    needId: 'need-7f3a9c',
    buyersGroupId: null,
    regions: ['ES11'],
    title: 'Market consultation: sepsis early warning',
    description: 'We look for early warning of sepsis in emergency departments.',
    opensAt: '2025-03-01T09:00:00+01:00',
    closesAt: '2025-04-15T17:00:00+02:00',
    questions: ['Which data sources does your solution need?'],
    stateOfTheArtTrl: 4,
  },
};
const published: ConsultationEvent = {
  type: 'PriorInformationNoticePublished',
  data: {
    consultationId: 'cons-2d81',
    org: owner,
    publishedAt: '2025-01-20T09:00:00.000Z',
    opensAt: '2025-03-01T09:00:00+01:00',
    closesAt: '2025-04-15T17:00:00+02:00',
    leadTimeDays: 39,
    shortLeadTime: false,
    warnings: [],
  },
};
const during = new Date('2025-03-10T10:00:00Z');

const respond = (
  changes: Partial<Extract<ConsultationCommand, { type: 'SubmitConsultationResponse' }>> = {},
): ConsultationCommand => ({
  type: 'SubmitConsultationResponse',
  actorOrg: supplier,
  responseId: 'resp-1',
  innovationId: 'inno-4c6e',
  solutionName: 'SepsisWatch',
  summary: 'Continuous risk score from vital signs and lab values.',
  declaredTrl: 5,
  supplier: { sme: true, country: 'ES' },
  now: during,
  ...changes,
});
const submitted: ConsultationEvent = {
  type: 'ConsultationResponseSubmitted',
  data: {
    consultationId: 'cons-2d81',
    responseId: 'resp-1',
    innovationId: 'inno-4c6e',
    supplierOrg: supplier,
    needId: 'need-7f3a9c',
    buyersGroupId: null,
    solutionName: 'SepsisWatch',
    declaredTrl: 5,
    summary: 'Continuous risk score from vital signs and lab values.',
    supplierSme: true,
    supplierCountry: 'ES',
  },
};
const responseOf = (org: string, declaredTrl: number, n: number): ConsultationEvent => ({
  type: 'ConsultationResponseSubmitted',
  data: {
    ...(submitted.data as Extract<
      ConsultationEvent,
      { type: 'ConsultationResponseSubmitted' }
    >['data']),
    responseId: `resp-${n}`,
    innovationId: `inno-${n}`,
    supplierOrg: org,
    declaredTrl,
  },
});
const asked: ConsultationEvent = {
  type: 'ClarificationRequested',
  data: {
    consultationId: 'cons-2d81',
    questionId: 'q-77',
    askedByOrg: supplier,
    question: 'Is integration with the regional EHR mandatory?',
  },
};
const answered: ConsultationEvent = {
  type: 'ClarificationAnswered',
  data: {
    consultationId: 'cons-2d81',
    questionId: 'q-77',
    question: 'Is integration with the regional EHR mandatory?',
    answer: 'Yes, through the HL7 FHIR gateway.',
  },
};
const closed: ConsultationEvent = {
  type: 'ConsultationClosed',
  data: { consultationId: 'cons-2d81', org: owner, responseCount: 1, report: 'One response.' },
};

describe('opening a consultation', () => {
  it('opens on a validated need of the organisation, in the need’s region', () => {
    given([]).when(open).then([opened]);
    given([])
      .when(open)
      .thenState(expect.objectContaining({ status: 'DRAFT', org: owner }));
  });

  it('opens on a buyers group led by the organisation once it spans several regions', () => {
    given([])
      .when({
        ...open,
        needId: undefined,
        need: undefined,
        buyersGroupId: 'bg-51c2',
        buyersGroup: { id: 'bg-51c2', leadOrg: owner, regions: ['ES11', 'ES22'] },
      })
      .then([
        {
          ...opened,
          data: {
            ...opened.data,
            needId: null,
            buyersGroupId: 'bg-51c2',
            regions: ['ES11', 'ES22'],
          },
        } as ConsultationEvent,
      ]);
  });

  it('refuses a buyers group that spans one region so far', () => {
    const error = given([])
      .when({
        ...open,
        needId: null,
        buyersGroupId: 'bg-51c2',
        buyersGroup: { id: 'bg-51c2', leadOrg: owner, regions: ['ES11'] },
      })
      .thenThrows(
        DomainRuleError,
        /spans one region so far; consult on it once another region has joined/,
      );
    expect(error.code).toBe('BUYERS_GROUP_SINGLE_REGION');
  });

  it('refuses a buyers group the organisation does not lead, and an unknown one', () => {
    const group = { id: 'bg-51c2', leadOrg: 'org-navarrabiomed', regions: ['ES11', 'ES22'] };
    given([])
      .when({ ...open, needId: null, buyersGroupId: 'bg-51c2', buyersGroup: group })
      .thenThrows(NotOwnerError, /Only procurers of org-navarrabiomed, the lead organisation/);
    given([])
      .when({ ...open, needId: null, buyersGroupId: 'bg-404' })
      .thenThrows(DomainRuleError, 'No buyers group is known with the id bg-404');
  });

  it('needs exactly one subject', () => {
    given([])
      .when({ ...open, needId: null })
      .thenThrows(DomainRuleError, /give exactly one/);
    given([])
      .when({ ...open, buyersGroupId: 'bg-51c2' })
      .thenThrows(DomainRuleError, /give exactly one/);
  });

  it('refuses a need that is not validated, unknown, or of another organisation', () => {
    const error = given([])
      .when({ ...open, need: { ...need, status: 'RECORDED' } })
      .thenThrows(
        DomainRuleError,
        'The need need-7f3a9c is not validated (it is recorded); only a validated need can be consulted on',
      );
    expect(error.code).toBe('NEED_NOT_VALIDATED');
    given([])
      .when({ ...open, need: undefined })
      .thenThrows(
        DomainRuleError,
        'The need need-7f3a9c is not validated: no need with this id is known',
      );
    given([])
      .when({ ...open, actorOrg: 'org-other' })
      .thenThrows(
        NotOwnerError,
        /Only procurers of org-sergas, the organisation that owns the need/,
      );
  });

  it('closes after it opens', () => {
    given([])
      .when({ ...open, closesAt: '2025-03-01T08:00:00Z' })
      .thenThrows(DomainRuleError, /must close after it opens/);
  });

  it.each([
    '2025-03-01',
    '2025-03-01T09:00:00',
    '2025-02-30T09:00:00Z',
    '2025-03-01T25:00:00Z',
    'soon',
  ])('refuses the time %s', (opensAt) => {
    given([])
      .when({ ...open, opensAt })
      .thenThrows(
        DomainRuleError,
        'The opening time (opensAt) must be an ISO 8601 time with an offset, such as 2025-03-01T09:00:00+01:00',
      );
  });

  it('takes a state-of-the-art TRL from 1 to 9, or none', () => {
    given([])
      .when({ ...open, stateOfTheArtTrl: null })
      .then([{ ...opened, data: { ...opened.data, stateOfTheArtTrl: null } } as ConsultationEvent]);
    for (const stateOfTheArtTrl of [0, 10, 6.5]) {
      given([])
        .when({ ...open, stateOfTheArtTrl })
        .thenThrows(DomainRuleError, /state-of-the-art TRL must be a whole number from 1 to 9/);
    }
  });

  it('refuses an empty question and an empty title', () => {
    given([])
      .when({ ...open, questions: ['ok?', ' '] })
      .thenThrows(DomainRuleError, 'The question 2 must not be empty');
    given([])
      .when({ ...open, title: '' })
      .thenThrows(DomainRuleError, 'The title must not be empty');
  });

  it('opens once', () => {
    given([opened]).when(open).thenThrows(InvalidStateError, 'This consultation is already opened');
  });

  it('knows no other command before it is opened', () => {
    given([])
      .when({ type: 'CloseConsultation', actorOrg: owner, report: 'x' })
      .thenThrows(NotFoundError, 'There is no such consultation');
  });
});

describe('publishing the prior information notice', () => {
  const publish = (now: string, actorOrg = owner): ConsultationCommand => ({
    type: 'PublishPriorInformationNotice',
    actorOrg,
    now: new Date(now),
  });

  it('records the lead time in whole days before the opening', () => {
    given([opened]).when(publish('2025-01-20T09:00:00Z')).then([published]);
  });

  it('allows a lead time under 30 days, recorded as a warning', () => {
    given([opened])
      .when(publish('2025-02-10T08:00:00Z'))
      .then([
        {
          type: 'PriorInformationNoticePublished',
          data: {
            ...(published.data as object),
            publishedAt: '2025-02-10T08:00:00.000Z',
            leadTimeDays: 19,
            shortLeadTime: true,
            warnings: ['SHORT_LEAD_TIME'],
          },
        } as ConsultationEvent,
      ]);
  });

  it('counts exactly 30 days as enough, a millisecond less as short', () => {
    const [event] = consultationDecider.decide(
      publish('2025-01-30T08:00:00Z'),
      [opened].reduce(consultationDecider.evolve, consultationDecider.initialState()),
    );
    expect(event.data).toMatchObject({ leadTimeDays: 30, shortLeadTime: false, warnings: [] });
    const [early] = consultationDecider.decide(
      publish('2025-01-30T08:00:00.001Z'),
      [opened].reduce(consultationDecider.evolve, consultationDecider.initialState()),
    );
    expect(early.data).toMatchObject({
      leadTimeDays: 29,
      shortLeadTime: true,
      warnings: ['SHORT_LEAD_TIME'],
    });
  });

  it('records no lead time when the opening has passed', () => {
    const [event] = consultationDecider.decide(
      publish('2025-03-05T00:00:00Z'),
      [opened].reduce(consultationDecider.evolve, consultationDecider.initialState()),
    );
    expect(event.data).toMatchObject({ leadTimeDays: 0, shortLeadTime: true });
  });

  it('refuses to publish after the closing time', () => {
    given([opened])
      .when(publish('2025-04-15T15:00:00Z'))
      .thenThrows(DomainRuleError, /closes at 2025-04-15T17:00:00\+02:00, before this publication/);
  });

  it('publishes once, by the organising organisation', () => {
    given([opened, published])
      .when(publish('2025-01-21T09:00:00Z'))
      .thenThrows(InvalidStateError, /already published/);
    given([opened])
      .when(publish('2025-01-20T09:00:00Z', 'org-other'))
      .thenThrows(
        NotOwnerError,
        /Only procurers of org-sergas, the organisation running this consultation/,
      );
  });
});

describe('supplier responses', () => {
  it('takes a response between publication and closesAt; the innovation is born with it', () => {
    given([opened, published]).when(respond()).then([submitted]);
  });

  it('replaces the live response of the same organisation, keeping its innovation id', () => {
    given([opened, published, submitted])
      .when(respond({ responseId: 'resp-2', innovationId: 'inno-unused', declaredTrl: 6 }))
      .then([
        {
          type: 'ConsultationResponseReplaced',
          data: {
            ...(submitted.data as object),
            responseId: 'resp-2',
            innovationId: 'inno-4c6e',
            declaredTrl: 6,
            replacesResponseId: 'resp-1',
          },
        } as ConsultationEvent,
      ]);
  });

  it('keeps one live response per organisation', () => {
    given([opened, published, submitted])
      .when(respond({ responseId: 'resp-2', declaredTrl: 6 }))
      .thenState(
        expect.objectContaining({
          responses: [
            {
              supplierOrg: supplier,
              responseId: 'resp-2',
              innovationId: 'inno-4c6e',
              declaredTrl: 6,
            },
          ],
        }),
      );
  });

  it('refuses responses before publication', () => {
    given([opened])
      .when(respond())
      .thenThrows(
        InvalidStateError,
        'Responses are accepted once the prior information notice is published',
      );
  });

  it('refuses responses from closesAt on, by the command’s clock', () => {
    given([opened, published])
      .when(respond({ now: new Date('2025-04-15T15:00:00Z') }))
      .thenThrows(InvalidStateError, 'Responses closed at 2025-04-15T17:00:00+02:00');
    given([opened, published])
      .when(respond({ now: new Date('2025-04-15T14:59:59.999Z') }))
      .then([submitted]);
  });

  it('refuses responses after the consultation is closed', () => {
    given([opened, published, submitted, closed])
      .when(respond())
      .thenThrows(
        InvalidStateError,
        /The consultation is closed; responses are no longer accepted/,
      );
  });

  it.each([0, 10, 4.5])('refuses the declared TRL %s', (declaredTrl) => {
    given([opened, published])
      .when(respond({ declaredTrl }))
      .thenThrows(
        DomainRuleError,
        `The declared TRL must be a whole number from 1 to 9, not ${declaredTrl}`,
      );
  });

  it('refuses a response from the organising organisation', () => {
    given([opened, published])
      .when(respond({ actorOrg: owner }))
      .thenThrows(DomainRuleError, 'org-sergas runs this consultation and cannot respond to it');
  });

  it('limits the summary to 2000 characters without spaces, and needs a solution name', () => {
    given([opened, published])
      .when(respond({ summary: 'ab '.repeat(1000) + 'c' }))
      .thenThrows(
        DomainRuleError,
        'The summary has 2001 characters without spaces; shorten it to at most 2000',
      );
    given([opened, published])
      .when(respond({ solutionName: ' ' }))
      .thenThrows(DomainRuleError, 'The solution name must not be empty');
  });

  it('takes the organisation facts as given, refusing a country that is not ISO alpha-2', () => {
    given([opened, published])
      .when(respond({ supplier: { sme: null, country: null } }))
      .then([
        {
          ...submitted,
          data: { ...(submitted.data as object), supplierSme: null, supplierCountry: null },
        } as ConsultationEvent,
      ]);
    given([opened, published])
      .when(respond({ supplier: { sme: false, country: 'Spain' } }))
      .thenThrows(DomainRuleError, /ISO 3166 alpha-2 code such as ES, not "Spain"/);
  });
});

describe('clarification questions', () => {
  const ask = (changes: Partial<Extract<ConsultationCommand, { type: 'AskClarification' }>> = {}) =>
    ({
      type: 'AskClarification',
      actorOrg: supplier,
      questionId: 'q-77',
      text: ' Is integration with the regional EHR mandatory? ',
      now: during,
      ...changes,
    }) as const;
  const answer = (actorOrg = owner, questionId = 'q-77'): ConsultationCommand => ({
    type: 'AnswerClarification',
    actorOrg,
    questionId,
    text: 'Yes, through the HL7 FHIR gateway.',
  });

  it('takes a supplier’s question while responses are open', () => {
    given([opened, published]).when(ask()).then([asked]);
  });

  it('refuses questions before publication, after closesAt, and twice with one id', () => {
    given([opened])
      .when(ask())
      .thenThrows(InvalidStateError, /once the prior information notice/);
    given([opened, published])
      .when(ask({ now: new Date('2025-05-01T00:00:00Z') }))
      .thenThrows(InvalidStateError, 'Clarification questions closed at 2025-04-15T17:00:00+02:00');
    given([opened, published, asked])
      .when(ask())
      .thenThrows(InvalidStateError, 'A question with the id q-77 was already asked');
    given([opened, published])
      .when(ask({ text: '' }))
      .thenThrows(DomainRuleError, 'The question must not be empty');
  });

  it('publishes the answer with the question to every respondent, without naming the asker', () => {
    given([opened, published, asked]).when(answer()).then([answered]);
    expect(Object.keys(answered.data)).not.toContain('askedByOrg');
  });

  it('is answered by the organising organisation only, once, for a known question', () => {
    given([opened, published, asked]).when(answer(supplier)).thenThrows(NotOwnerError);
    given([opened, published, asked, answered])
      .when(answer())
      .thenThrows(InvalidStateError, 'The question q-77 is already answered');
    given([opened, published, asked])
      .when(answer(owner, 'q-404'))
      .thenThrows(NotFoundError, 'There is no question q-404 in this consultation');
  });

  it('takes no answers once the consultation is closed', () => {
    given([opened, published, asked, closed])
      .when(answer())
      .thenThrows(InvalidStateError, /answers can no longer be published/);
  });
});

describe('closing the consultation', () => {
  const close = (actorOrg = owner, report = 'One response.'): ConsultationCommand => ({
    type: 'CloseConsultation',
    actorOrg,
    report,
  });

  it('closes with a report, counting live responses only', () => {
    const replaced: ConsultationEvent = {
      type: 'ConsultationResponseReplaced',
      data: {
        ...(submitted.data as Extract<
          ConsultationEvent,
          { type: 'ConsultationResponseSubmitted' }
        >['data']),
        responseId: 'resp-9',
        replacesResponseId: 'resp-1',
      },
    };
    given([opened, published, submitted, replaced]).when(close()).then([closed]);
    given([opened, published, submitted, responseOf('org-b', 6, 2)])
      .when(close(owner, 'Two responses.'))
      .then([
        {
          ...closed,
          data: { ...closed.data, responseCount: 2, report: 'Two responses.' },
        } as ConsultationEvent,
      ]);
  });

  it('closes only after publication, once, by the organising organisation, with a report', () => {
    given([opened])
      .when(close())
      .thenThrows(
        InvalidStateError,
        'Publish the prior information notice before closing the consultation',
      );
    given([opened, published, closed])
      .when(close())
      .thenThrows(InvalidStateError, 'The consultation is already closed');
    given([opened, published]).when(close('org-other')).thenThrows(NotOwnerError);
    given([opened, published])
      .when(close(owner, ' '))
      .thenThrows(DomainRuleError, 'The report must not be empty');
  });
});

describe('deciding the procurement route', () => {
  const decide = (
    route: string,
    justification?: string,
    actorOrg = owner,
  ): ConsultationCommand => ({
    type: 'DecideProcurementRoute',
    actorOrg,
    route,
    rationale: 'Best available solutions are at TRL 5-6',
    justification,
  });
  // Declared 5 and 6, state of the art 4: best TRL 6.
  const history = [opened, published, submitted, responseOf('org-b', 6, 2), closed];
  const decided = (changes: object): ConsultationEvent => ({
    type: 'ProcurementRouteDecided',
    data: {
      consultationId: 'cons-2d81',
      org: owner,
      needId: 'need-7f3a9c',
      buyersGroupId: null,
      route: 'PCP',
      rationale: 'Best available solutions are at TRL 5-6',
      justification: null,
      stateOfTheArtTrl: 4,
      againstTrlRule: false,
      bestTrl: 6,
      expectedRoute: 'PCP',
      ...changes,
    } as never,
    reason: 'Best available solutions are at TRL 5-6',
  });

  it('follows the rule below TRL 8 with PCP, no justification needed', () => {
    given(history)
      .when(decide('PCP'))
      .then([decided({})]);
    given(history)
      .when(decide('PCP'))
      .thenState(expect.objectContaining({ status: 'ROUTE_DECIDED', route: 'PCP' }));
  });

  it('needs a justification to go against the rule (422), and records it', () => {
    const error = given(history)
      .when(decide('PPI'))
      .thenThrows(
        DomainRuleError,
        'The best known TRL is 6, so the TRL rule points to PCP; choosing PPI needs a written justification',
      );
    expect(error.code).toBe('JUSTIFICATION_REQUIRED');
    expect(error.details).toEqual({ route: 'PPI', expectedRoute: 'PCP', bestTrl: 6 });
    given(history)
      .when(decide('PPI', 'Regional budget rules allow only a purchase'))
      .then([
        decided({
          route: 'PPI',
          justification: 'Regional budget rules allow only a purchase',
          againstTrlRule: true,
        }),
      ]);
  });

  it('counts the assessed state of the art: TRL 8 points to PPI', () => {
    const advanced = {
      ...opened,
      data: { ...opened.data, stateOfTheArtTrl: 8 },
    } as ConsultationEvent;
    given([advanced, published, submitted, closed])
      .when(decide('PCP'))
      .thenThrows(DomainRuleError, /best known TRL is 8, so the TRL rule points to PPI/);
    given([advanced, published, submitted, closed])
      .when(decide('PPI'))
      .then([decided({ route: 'PPI', stateOfTheArtTrl: 8, bestTrl: 8, expectedRoute: 'PPI' })]);
  });

  it('takes the TRL of the live response, not of a replaced one', () => {
    const nine = responseOf(supplier, 9, 1);
    const replaced: ConsultationEvent = {
      type: 'ConsultationResponseReplaced',
      data: {
        ...(nine.data as Extract<
          ConsultationEvent,
          { type: 'ConsultationResponseSubmitted' }
        >['data']),
        responseId: 'resp-2',
        declaredTrl: 5,
        replacesResponseId: 'resp-1',
      },
    };
    given([opened, published, nine, replaced, closed])
      .when(decide('PCP'))
      .then([decided({ bestTrl: 5 })]);
  });

  it('at TRL 9 an off-the-shelf purchase follows the rule', () => {
    given([opened, published, responseOf(supplier, 9, 1), closed])
      .when(decide('COMMERCIAL'))
      .then([decided({ route: 'COMMERCIAL', bestTrl: 9, expectedRoute: 'PPI' })]);
  });

  it('with no TRL known, any route is open without justification', () => {
    const unknown = {
      ...opened,
      data: { ...opened.data, stateOfTheArtTrl: null },
    } as ConsultationEvent;
    given([
      unknown,
      published,
      { ...closed, data: { ...closed.data, responseCount: 0 } } as ConsultationEvent,
    ])
      .when(decide('NONE'))
      .then([
        decided({ route: 'NONE', stateOfTheArtTrl: null, bestTrl: null, expectedRoute: null }),
      ]);
  });

  it('decides only after the close, once', () => {
    given([opened, published, submitted])
      .when(decide('PCP'))
      .thenThrows(
        InvalidStateError,
        'Close the consultation with its report before deciding the route',
      );
    given([...history, decided({})])
      .when(decide('PCP'))
      .thenThrows(InvalidStateError, 'The route is already decided (PCP); it is decided once');
  });

  it('refuses an unknown route, a missing rationale and another organisation', () => {
    given(history)
      .when(decide('pcp'))
      .thenThrows(
        DomainRuleError,
        /"pcp" is not a route; use PCP, PPI, INNOVATION_PARTNERSHIP, COMMERCIAL or NONE/,
      );
    given(history)
      .when({ type: 'DecideProcurementRoute', actorOrg: owner, route: 'PCP', rationale: '' })
      .thenThrows(DomainRuleError, 'The rationale must not be empty');
    given(history)
      .when(decide('PCP', undefined, 'org-other'))
      .thenThrows(NotOwnerError);
  });
});

describe('published language', () => {
  const routeDecided: ConsultationEvent = {
    type: 'ProcurementRouteDecided',
    data: {
      consultationId: 'cons-2d81',
      org: owner,
      needId: 'need-7f3a9c',
      buyersGroupId: null,
      route: 'PPI',
      rationale: 'r',
      justification: 'j',
      stateOfTheArtTrl: 4,
      againstTrlRule: true,
      bestTrl: 6,
      expectedRoute: 'PCP',
    },
  };

  it.each(
    [opened, published, submitted, answered, closed, routeDecided].map((e) => [e.type, e] as const),
  )('%s publishes its declared fields as a valid integration event', (type, event) => {
    const definition = definitionOf(type);
    expect(definition.context).toBe('consultations');
    const declared = Object.keys(definition.schema['properties'] as object);
    const published = Object.fromEntries(
      Object.entries(event.data).filter(([key]) => declared.includes(key)),
    );
    expect(integrationEvents.check(definition, published)).toEqual({ valid: true });
  });

  it('a replacement publishes as a submitted response of the same innovation', () => {
    const definition = definitionOf('ConsultationResponseSubmitted');
    const declared = Object.keys(definition.schema['properties'] as object);
    const [replacement] = consultationDecider.decide(
      respond({ responseId: 'resp-2', declaredTrl: 7 }),
      [opened, published, submitted].reduce(
        consultationDecider.evolve,
        consultationDecider.initialState(),
      ),
    );
    const payload = Object.fromEntries(
      Object.entries(replacement.data).filter(([key]) => declared.includes(key)),
    );
    expect(payload).toMatchObject({ innovationId: 'inno-4c6e', declaredTrl: 7 });
    expect(integrationEvents.check(definition, payload)).toEqual({ valid: true });
  });
});
