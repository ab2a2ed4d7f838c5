import { DomainRuleError, InvalidStateError, NotFoundError } from '@pcp/eventsourcing';
import { integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import { NotAssignedError, NotOwnerError } from './errors';
import { outstandingWork, passedOver, rankingOf, weightedScore } from './evaluation';
import {
  currentRanking,
  evaluatedBids,
  rankingVisibleTo,
  scoresVisibleTo,
  tenderDecider,
  type TenderCommand,
  type TenderEvent,
} from './tender';
import {
  at,
  awardPhase1,
  draftPcp,
  evaluators,
  pcpBids,
  pcpAwarded,
  pcpClosed,
  pcpEvaluated,
  pcpEvaluating,
  pcpOpened,
  ppiStory,
  procurer,
  scoreAll,
  stateOf,
  story,
  submit,
  suppliers,
  tenderId,
} from './__fixtures__/tender-story';

const given = DeciderSpecification.for(tenderDecider);
const [eva, ed] = evaluators;

const declare = (evaluatorId: string, bidId: string, conflict = false): TenderCommand => ({
  type: 'DeclareConflict',
  evaluatorId,
  bidId,
  conflict,
});
const score = (
  evaluatorId: string,
  bidId: string,
  quality: number,
  price: number,
): TenderCommand => ({
  type: 'ScoreBid',
  evaluatorId,
  bidId,
  scores: [
    { criterion: 'quality', score: quality },
    { criterion: 'price', score: price },
  ],
});

function definition(type: string) {
  const found = integrationEvents.find(type);
  if (!found) throw new Error(`${type} is not a declared integration event`);
  return found;
}

describe('assigning evaluators', () => {
  it('assigns evaluators after opening and starts the evaluation', () => {
    given(pcpOpened())
      .when({ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: evaluators })
      .then([
        {
          type: 'EvaluatorsAssigned',
          data: { tenderId, evaluatorIds: evaluators, assigned: evaluators },
        },
      ]);
    given(pcpOpened())
      .when({ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: evaluators })
      .thenState(expect.objectContaining({ status: 'EVALUATING' }));
  });

  it('adds only new evaluators, and nothing when all are assigned', () => {
    given(pcpEvaluating())
      .when({ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: [ed, 'user-new'] })
      .then([
        {
          type: 'EvaluatorsAssigned',
          data: { tenderId, evaluatorIds: ['user-new'], assigned: [eva, ed, 'user-new'] },
        },
      ]);
    given(pcpEvaluating())
      .when({ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: [eva] })
      .thenNothingHappens();
  });

  it('refuses before opening, without ids, and from another organisation', () => {
    given(pcpClosed())
      .when({ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: evaluators })
      .thenThrows(InvalidStateError, /between bid opening and award/);
    given(pcpOpened())
      .when({ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: [] })
      .thenThrows(DomainRuleError, /at least one id in evaluatorIds/);
    given(pcpOpened())
      .when({ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: [eva, eva] })
      .thenThrows(DomainRuleError, /names user-eva twice/);
    given(pcpOpened())
      .when({ type: 'AssignEvaluators', actorOrg: suppliers[0], evaluatorIds: [eva] })
      .thenThrows(NotOwnerError);
  });
});

describe('conflict declarations', () => {
  it('records a declaration per evaluator and bid, with an optional note', () => {
    given(pcpEvaluating())
      .when({
        ...declare(eva, 'bid-a', true),
        note: 'Former employee of the bidder',
      } as TenderCommand)
      .then([
        {
          type: 'ConflictDeclared',
          data: {
            tenderId,
            bidId: 'bid-a',
            evaluatorId: eva,
            conflict: true,
            note: 'Former employee of the bidder',
          },
        },
      ]);
  });

  it('is final: the same answer again changes nothing, another answer is refused', () => {
    const declared = story([declare(eva, 'bid-a', true)], pcpEvaluating());
    given(declared)
      .when(declare(eva, 'bid-a', true))
      .thenNothingHappens();
    given(declared)
      .when(declare(eva, 'bid-a', false))
      .thenThrows(
        InvalidStateError,
        /already declared a conflict of interest for the bid bid-a; a declaration is final/,
      );
  });

  it('is for assigned evaluators and opened bids', () => {
    given(pcpEvaluating())
      .when(declare('user-intruder', 'bid-a'))
      .thenThrows(NotAssignedError, /not an assigned evaluator/);
    given(pcpEvaluating())
      .when(declare(eva, 'bid-zz'))
      .thenThrows(NotFoundError, /no opened bid bid-zz/);
  });
});

describe('scoring', () => {
  const declared = () =>
    story([declare(eva, 'bid-a'), declare(ed, 'bid-a', true)], pcpEvaluating());

  it('records one score per criterion, in the criteria order', () => {
    given(declared())
      .when({
        type: 'ScoreBid',
        evaluatorId: eva,
        bidId: 'bid-a',
        scores: [
          { criterion: 'price', score: 70 },
          { criterion: 'quality', score: 90 },
        ],
      })
      .then([
        {
          type: 'BidScored',
          data: {
            tenderId,
            bidId: 'bid-a',
            evaluatorId: eva,
            scores: [
              { criterion: 'quality', score: 90 },
              { criterion: 'price', score: 70 },
            ],
          },
        },
      ]);
  });

  it('refuses scoring before declaring, and scoring with a declared conflict', () => {
    given(pcpEvaluating())
      .when(score(eva, 'bid-a', 90, 70))
      .thenThrows(
        DomainRuleError,
        /Declare whether you have a conflict of interest with the bid bid-a before scoring it/,
      );
    const error = given(declared())
      .when(score(ed, 'bid-a', 90, 70))
      .thenThrows(
        DomainRuleError,
        /declared a conflict of interest for the bid bid-a, so you are excluded from scoring it/,
      );
    expect(error.code).toBe('CONFLICT_DECLARED');
  });

  it('refuses scores out of range, unknown, duplicated or missing criteria', () => {
    given(declared())
      .when(score(eva, 'bid-a', 101, 70))
      .thenThrows(DomainRuleError, /quality must be a number from 0 to 100, not 101/);
    given(declared())
      .when(score(eva, 'bid-a', 90, -1))
      .thenThrows(DomainRuleError, /price must be a number from 0 to 100/);
    given(declared())
      .when({
        type: 'ScoreBid',
        evaluatorId: eva,
        bidId: 'bid-a',
        scores: [{ criterion: 'beauty', score: 5 }],
      })
      .thenThrows(
        DomainRuleError,
        /"beauty" is not a criterion of this call; score quality, price/,
      );
    given(declared())
      .when({
        type: 'ScoreBid',
        evaluatorId: eva,
        bidId: 'bid-a',
        scores: [
          { criterion: 'quality', score: 5 },
          { criterion: 'quality', score: 6 },
          { criterion: 'price', score: 6 },
        ],
      })
      .thenThrows(DomainRuleError, /quality is scored twice/);
    given(declared())
      .when({
        type: 'ScoreBid',
        evaluatorId: eva,
        bidId: 'bid-a',
        scores: [{ criterion: 'quality', score: 5 }],
      })
      .thenThrows(DomainRuleError, /Score every criterion; missing: price/);
  });

  it('refuses a second score by the same evaluator', () => {
    const scored = story([score(eva, 'bid-a', 90, 70)], declared());
    given(scored)
      .when(score(eva, 'bid-a', 10, 10))
      .thenThrows(InvalidStateError, /already scored the bid bid-a; scores are final/);
  });

  it('is for assigned evaluators only', () => {
    given(declared())
      .when(score('user-intruder', 'bid-a', 1, 1))
      .thenThrows(NotAssignedError);
  });

  it('refuses scores on a rejected bid', () => {
    const rejected = story(
      [
        {
          type: 'RejectBid',
          actorOrg: procurer,
          bidId: 'bid-c',
          reason: 'Missing mandatory certificate',
        },
      ],
      pcpEvaluating(),
    );
    given(rejected)
      .when(declare(eva, 'bid-c'))
      .thenThrows(InvalidStateError, /bid-c was rejected: Missing mandatory certificate/);
  });
});

describe('completing the evaluation', () => {
  it('completes with the last missing score, ranking by weighted mean scores', () => {
    const history = scoreAll(
      pcpEvaluating(),
      { 'bid-a': [90, 70], 'bid-b': [80, 60], 'bid-c': [70, 90] },
      [eva],
    );
    const almost = scoreAll(history, { 'bid-a': [90, 70], 'bid-b': [80, 60] }, [ed]);
    const last = story([declare(ed, 'bid-c')], almost);
    // ed scores bid-c lower than eva: mean quality (70+50)/2 = 60, price (90+70)/2 = 80 -> 64.
    const events = tenderDecider.decide(score(ed, 'bid-c', 50, 70), stateOf(last));
    expect(events.map((e) => e.type)).toEqual(['BidScored', 'EvaluationCompleted']);
    const completed = events[1] as Extract<TenderEvent, { type: 'EvaluationCompleted' }>;
    expect(completed.data).toEqual({
      tenderId,
      org: procurer,
      ranking: [
        { bidId: 'bid-a', lotId: null, rank: 1, weightedScore: 86 },
        { bidId: 'bid-b', lotId: null, rank: 2, weightedScore: 76 },
        { bidId: 'bid-c', lotId: null, rank: 3, weightedScore: 64 },
      ],
    });
    const published = {
      ...completed.data,
      ranking: completed.data.ranking.map(({ bidId, rank, weightedScore }) => ({
        bidId,
        rank,
        weightedScore,
      })),
    };
    expect(integrationEvents.check(definition('EvaluationCompleted'), published)).toEqual({
      valid: true,
    });
  });

  it('excludes a conflicted evaluator from a bid’s mean', () => {
    const history = story(
      [declare(eva, 'bid-a', true), declare(ed, 'bid-a'), score(ed, 'bid-a', 50, 50)],
      pcpEvaluating(),
    );
    const rest = scoreAll(history, { 'bid-b': [80, 60], 'bid-c': [70, 90] });
    expect(stateOf(rest).ranking).toEqual([
      { bidId: 'bid-b', lotId: null, rank: 1, weightedScore: 76 },
      { bidId: 'bid-c', lotId: null, rank: 2, weightedScore: 74 },
      { bidId: 'bid-a', lotId: null, rank: 3, weightedScore: 50 },
    ]);
  });

  it('waits for a bid every assigned evaluator is conflicted on, until another evaluator comes', () => {
    const history = story(
      [declare(eva, 'bid-a', true), declare(ed, 'bid-a', true)],
      pcpEvaluating(),
    );
    const scored = scoreAll(history, { 'bid-b': [80, 60], 'bid-c': [70, 90] });
    const state = stateOf(scored);
    expect(state.ranking).toBeNull();
    expect(outstandingWork(state.evaluation, evaluatedBids(state))).toEqual([
      { bidId: 'bid-a', evaluatorId: null, missing: 'NO_EVALUATOR' },
    ]);
    const withThird = story(
      [{ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: ['user-third'] }],
      scored,
    );
    const done = scoreAll(withThird, { 'bid-a': [60, 60], 'bid-b': [80, 60], 'bid-c': [70, 90] }, [
      'user-third',
    ]);
    expect(stateOf(done).ranking?.map((r) => r.bidId)).toEqual(['bid-b', 'bid-c', 'bid-a']);
  });

  it('completes when a rejection removes the only unscored bid', () => {
    const scored = scoreAll(pcpEvaluating(), { 'bid-a': [90, 70], 'bid-b': [80, 60] });
    const events = tenderDecider.decide(
      {
        type: 'RejectBid',
        actorOrg: procurer,
        bidId: 'bid-c',
        reason: 'Excluded: conflicting interests',
      },
      stateOf(scored),
    );
    expect(events.map((e) => e.type)).toEqual(['BidRejected', 'EvaluationCompleted']);
    expect(events[0]).toMatchObject({
      reason: 'Excluded: conflicting interests',
      data: { supplierOrg: suppliers[2] },
    });
  });

  it('refuses declarations, scores and rejections once complete, and a rejection without reason', () => {
    given(pcpEvaluated())
      .when(declare(eva, 'bid-a'))
      .thenThrows(InvalidStateError, /evaluation is complete/);
    given(pcpEvaluated())
      .when({ type: 'RejectBid', actorOrg: procurer, bidId: 'bid-a', reason: 'x' })
      .thenThrows(InvalidStateError, /evaluation is complete/);
    given(pcpEvaluating())
      .when({ type: 'RejectBid', actorOrg: procurer, bidId: 'bid-a', reason: '' })
      .thenThrows(DomainRuleError, /reason for the rejection must not be empty/);
  });

  it('ranks within each lot of a PPI call', () => {
    expect(stateOf(ppiStory('evaluated')).ranking).toEqual([
      { bidId: 'bid-p2', lotId: 'lot-1', rank: 1, weightedScore: 84 },
      { bidId: 'bid-p1', lotId: 'lot-1', rank: 2, weightedScore: 79 },
      { bidId: 'bid-p3', lotId: 'lot-2', rank: 1, weightedScore: 77 },
    ]);
  });
});

describe('the ranking arithmetic', () => {
  const criteria = [
    { name: 'quality', weight: 80 },
    { name: 'price', weight: 20 },
  ];
  const evaluation = {
    evaluators: ['e1', 'e2'],
    declarations: { b1: { e1: false, e2: false }, b2: { e1: false, e2: false } },
    scores: {
      b1: {
        e1: [
          { criterion: 'quality', score: 70 },
          { criterion: 'price', score: 70 },
        ],
        e2: [
          { criterion: 'quality', score: 71 },
          { criterion: 'price', score: 70 },
        ],
      },
      b2: {
        e1: [
          { criterion: 'quality', score: 70.5 },
          { criterion: 'price', score: 70 },
        ],
      },
    },
  };

  it('weights the mean score per criterion and rounds to two decimals', () => {
    expect(weightedScore(criteria, evaluation, 'b1')).toBe(70.4);
    expect(weightedScore(criteria, evaluation, 'b2')).toBe(70.4);
    expect(weightedScore(criteria, evaluation, 'b3')).toBeNull();
  });

  it('gives equal scores the same rank, and passing over a tied bid needs no justification', () => {
    const ranking = rankingOf(criteria, evaluation, [
      { bidId: 'b1', lotId: null },
      { bidId: 'b2', lotId: null },
    ]);
    expect(ranking.map((r) => r.rank)).toEqual([1, 1]);
    expect(passedOver(ranking, ['b2'])).toEqual([]);
  });
});

describe('who sees the ranking and the scores', () => {
  const procurerView = { userId: 'user-pat', org: procurer, roles: ['procurer'] };
  const auditor = { userId: 'user-aud', org: 'org-audit', roles: ['auditor'] };
  const supplier = { userId: 'user-sam', org: suppliers[0], roles: ['supplier'] };
  const evaluator = { userId: eva, org: 'org-experts', roles: ['evaluator'] };

  it('shows evaluators others’ scores only once every evaluator has scored', () => {
    const partly = scoreAll(pcpEvaluating(), { 'bid-a': [90, 70] }, [eva]);
    expect(rankingVisibleTo(stateOf(partly), evaluator)).toBe(false);
    expect(scoresVisibleTo(stateOf(partly), evaluator)).toBe('OWN');
    expect(rankingVisibleTo(stateOf(pcpEvaluated()), evaluator)).toBe(true);
    expect(scoresVisibleTo(stateOf(pcpEvaluated()), evaluator)).toBe('ALL');
  });

  it('hides the ranking from an assigned evaluator even when they are also a procurer of the authority', () => {
    const both = { userId: eva, org: procurer, roles: ['procurer', 'evaluator'] };
    expect(
      rankingVisibleTo(stateOf(scoreAll(pcpEvaluating(), { 'bid-a': [1, 1] }, [eva])), both),
    ).toBe(false);
  });

  it('shows the authority’s procurers and auditors the ranking so far; suppliers never', () => {
    const partly = stateOf(scoreAll(pcpEvaluating(), { 'bid-a': [90, 70] }, [eva]));
    expect(rankingVisibleTo(partly, procurerView)).toBe(true);
    expect(rankingVisibleTo(partly, auditor)).toBe(true);
    expect(rankingVisibleTo(partly, { ...procurerView, org: 'org-other' })).toBe(false);
    expect(rankingVisibleTo(stateOf(pcpEvaluated()), supplier)).toBe(false);
    expect(scoresVisibleTo(partly, supplier)).toBe('NONE');
    expect(currentRanking(partly)).toEqual([
      { bidId: 'bid-a', lotId: null, rank: 1, weightedScore: 86 },
    ]);
    expect(rankingVisibleTo(stateOf(pcpClosed()), procurerView)).toBe(false);
  });
});

describe('awarding phase 1', () => {
  it('awards in ranking order: one framework agreement and one phase contract per supplier, with its SME flag', () => {
    const [event] = tenderDecider.decide(awardPhase1(['bid-a', 'bid-b']), stateOf(pcpEvaluated()));
    expect(event).toEqual({
      type: 'PhaseContractsAwarded',
      data: {
        tenderId,
        org: procurer,
        procedure: 'PCP',
        phase: 1,
        contracts: [
          {
            contractId: 'ctr-1-bid-a',
            frameworkAgreementId: 'fa-bid-a',
            bidId: 'bid-a',
            innovationId: 'inno-bid-a',
            supplierOrg: suppliers[0],
            sme: true,
            lotId: null,
            priceEur: 400_000,
          },
          {
            contractId: 'ctr-1-bid-b',
            frameworkAgreementId: 'fa-bid-b',
            bidId: 'bid-b',
            innovationId: 'inno-bid-b',
            supplierOrg: suppliers[1],
            sme: false,
            lotId: null,
            priceEur: 420_000,
          },
        ],
        reason: 'Best value for money in the ranking',
        justification: null,
        passedOver: [],
      },
      reason: 'Best value for money in the ranking',
    });
    const { data } = event as Extract<TenderEvent, { type: 'PhaseContractsAwarded' }>;
    const published = {
      ...data,
      passedOver: undefined,
      contracts: data.contracts.map(({ contractId, bidId, innovationId, supplierOrg }) => ({
        contractId,
        bidId,
        innovationId,
        supplierOrg,
      })),
    };
    delete published.passedOver;
    expect(integrationEvents.check(definition('PhaseContractsAwarded'), published)).toEqual({
      valid: true,
    });
    given(pcpEvaluated())
      .when(awardPhase1(['bid-a', 'bid-b']))
      .thenState(expect.objectContaining({ status: 'AWARDED', phase: 1 }));
  });

  it('needs a justification to award phase 1 of a PCP to fewer than 2 suppliers', () => {
    const error = given(pcpEvaluated())
      .when(awardPhase1(['bid-a']))
      .thenThrows(DomainRuleError, /Only 1 supplier enters phase 1, which leaves no competition/);
    expect(error.code).toBe('JUSTIFICATION_REQUIRED');
    expect(error.details).toEqual({ chosen: 1 });
    const [event] = tenderDecider.decide(
      {
        ...awardPhase1(['bid-a']),
        justification: 'The other designs miss the safety case',
      } as TenderCommand,
      stateOf(pcpEvaluated()),
    );
    expect(event.data).toMatchObject({
      contracts: [expect.objectContaining({ bidId: 'bid-a' })],
      justification: 'The other designs miss the safety case',
    });
  });

  it('needs a justification to pass over a higher-ranked bid', () => {
    const error = given(pcpEvaluated())
      .when(awardPhase1(['bid-a', 'bid-c']))
      .thenThrows(
        DomainRuleError,
        /Higher-ranked bid\(s\) bid-b \(rank 2, 76\) are passed over; give a justification/,
      );
    expect(error.code).toBe('JUSTIFICATION_REQUIRED');
    expect(error.details).toEqual({ passedOver: [{ bidId: 'bid-b', rank: 2, weightedScore: 76 }] });
    const [event] = tenderDecider.decide(
      {
        ...awardPhase1(['bid-a', 'bid-c']),
        justification: 'bid-b lost its key staff after opening',
      } as TenderCommand,
      stateOf(pcpEvaluated()),
    );
    expect(event.data).toMatchObject({
      passedOver: ['bid-b'],
      justification: 'bid-b lost its key staff after opening',
    });
  });

  it('passes over lower-ranked bids without a justification', () => {
    expect(
      tenderDecider.decide(awardPhase1(['bid-a', 'bid-b']), stateOf(pcpEvaluated()))[0].data,
    ).toMatchObject({
      passedOver: [],
      justification: null,
    });
  });

  it('awards at most the maximum suppliers of phase 1', () => {
    const phases = (draftPcp.phases as Array<Record<string, unknown>>).map((p) => ({
      ...p,
      maxSuppliers: 2,
    }));
    const narrow = scoreAll(
      story([
        { ...draftPcp, phases },
        { type: 'PublishTender', actorOrg: procurer, now: at.publication },
        ...pcpBids.map((b) => submit(b)),
        { type: 'CloseBidding', now: at.deadline },
        {
          type: 'OpenBids',
          actorOrg: procurer,
          revealed: pcpBids.map((b) => b.revealed),
          now: at.opening,
        },
        { type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: evaluators },
      ]),
    );
    const error = given(narrow)
      .when(awardPhase1(['bid-a', 'bid-b', 'bid-c']))
      .thenThrows(DomainRuleError, /Phase 1 takes at most 2 supplier\(s\); 3 bids were chosen/);
    expect(error.code).toBe('TOO_MANY_SUPPLIERS');
    expect(tenderDecider.decide(awardPhase1(['bid-a', 'bid-b']), stateOf(narrow))).toHaveLength(1);
  });

  it('refuses to award before the evaluation is complete', () => {
    const partly = scoreAll(pcpEvaluating(), { 'bid-a': [90, 70] }, [eva]);
    given(partly)
      .when(awardPhase1(['bid-a']))
      .thenThrows(
        InvalidStateError,
        /evaluation is not complete: 5 declaration\(s\) or score\(s\) are outstanding/,
      );
    given(pcpOpened())
      .when(awardPhase1(['bid-a']))
      .thenThrows(InvalidStateError, /awarded after the evaluation/);
  });

  it('refuses rejected or unknown bids, later phases, missing reasons and missing ids', () => {
    given(pcpEvaluated())
      .when(awardPhase1(['bid-zz']))
      .thenThrows(DomainRuleError, /bid-zz is not an admissible bid/);
    given(pcpEvaluated())
      .when({ ...awardPhase1(['bid-a']), phase: 2 } as TenderCommand)
      .thenThrows(DomainRuleError, /contracts of phase 2 come from down-selection/);
    given(pcpEvaluated())
      .when({ ...awardPhase1(['bid-a']), reason: '' } as TenderCommand)
      .thenThrows(DomainRuleError, /reason for the award must not be empty/);
    given(pcpEvaluated())
      .when({
        ...awardPhase1(['bid-a', 'bid-b']),
        ids: [
          { bidId: 'bid-a', contractId: 'c1' },
          { bidId: 'bid-b', contractId: 'c2', frameworkAgreementId: 'fa2' },
        ],
      } as TenderCommand)
      .thenThrows(
        DomainRuleError,
        /No contract or framework agreement id was given for the bid bid-a/,
      );
  });

  it('awards once, by the contracting authority', () => {
    given(pcpAwarded())
      .when(awardPhase1(['bid-a']))
      .thenThrows(InvalidStateError, /already awarded/);
    given(pcpEvaluated())
      .when({ ...awardPhase1(['bid-a']), actorOrg: suppliers[0] } as TenderCommand)
      .thenThrows(NotOwnerError, /can award its contracts/);
  });

  it('awards a PPI call once per lot, in each lot’s ranking order', () => {
    const evaluated = ppiStory('evaluated');
    const ppiAward = (bidIds: string[], justification?: string): TenderCommand => ({
      type: 'AwardContracts',
      actorOrg: procurer,
      phase: 1,
      bidIds,
      reason: 'Best bid of each lot',
      justification,
      ids: bidIds.map((bidId) => ({ bidId, contractId: `ctr-${bidId}` })),
    });
    const [event] = tenderDecider.decide(ppiAward(['bid-p2', 'bid-p3']), stateOf(evaluated));
    expect(event.data).toMatchObject({
      procedure: 'PPI',
      contracts: [
        { contractId: 'ctr-bid-p2', frameworkAgreementId: null, lotId: 'lot-1' },
        { contractId: 'ctr-bid-p3', frameworkAgreementId: null, lotId: 'lot-2' },
      ],
    });
    given(evaluated)
      .when(ppiAward(['bid-p1', 'bid-p2']))
      .thenThrows(DomainRuleError, /lot lot-1 is awarded to one bid; 2 were chosen/);
    given(evaluated)
      .when(ppiAward(['bid-p1']))
      .thenThrows(DomainRuleError, /bid-p2 \(rank 1, 84\) are passed over/);
    expect(
      tenderDecider.decide(
        ppiAward(['bid-p1'], 'bid-p2 failed the security audit'),
        stateOf(evaluated),
      ),
    ).toHaveLength(1);
  });
});
