/**
 * Test histories built by the deciders themselves: each step is a command, so every given
 * history is one the rules could really have produced.
 */
import { fold } from '@pcp/eventsourcing';
import {
  sealedBidDecider,
  type RevealedBid,
  type SealedBidCommand,
  type SealedBidState,
} from '../sealed-bid';
import {
  tenderDecider,
  type ConsultationFacts,
  type TenderCommand,
  type TenderEvent,
  type TenderState,
} from '../tender';

export const procurer = 'org-sergas';
export const tenderId = 'tender-91b0';
export const consultationId = 'cons-2d81';
export const suppliers = ['org-medtech-sme', 'org-rto-vigo', 'org-bigcorp', 'org-startup'];
export const evaluators = ['user-eva', 'user-ed'];

export const at = {
  drafting: new Date('2025-05-01T09:00:00Z'),
  publication: new Date('2025-06-02T07:00:00Z'),
  bidding: new Date('2025-07-15T10:00:00Z'),
  /** The deadline 2025-09-30T14:00:00+02:00. */
  deadline: new Date('2025-09-30T12:00:00Z'),
  opening: new Date('2025-10-01T08:00:00Z'),
};

export const pcpConsultation: ConsultationFacts = {
  consultationId,
  org: procurer,
  regions: ['ES11'],
  route: 'PCP',
};

export const draftPcp: Extract<TenderCommand, { type: 'DraftTender' }> = {
  type: 'DraftTender',
  tenderId,
  actorOrg: procurer,
  consultationId,
  consultation: pcpConsultation,
  now: at.drafting,
  procedure: 'PCP',
  title: 'PCP: sepsis early warning',
  description: 'R&D services for early warning of sepsis in emergency departments.',
  budgetEur: 5_000_000,
  submissionDeadline: '2025-09-30T14:00:00+02:00',
  criteria: [
    { name: 'quality', weight: 80 },
    { name: 'price', weight: 20 },
  ],
  phases: [
    { budgetEur: 450_000, durationMonths: 3, maxSuppliers: 3 },
    { budgetEur: 1_500_000, durationMonths: 6, maxSuppliers: 2 },
    { budgetEur: 3_000_000, durationMonths: 12, maxSuppliers: 2 },
  ],
};

export const draftPpi: Extract<TenderCommand, { type: 'DraftTender' }> = {
  type: 'DraftTender',
  tenderId: 'tender-77aa',
  actorOrg: procurer,
  consultationId: 'cons-5511',
  consultation: {
    consultationId: 'cons-5511',
    org: procurer,
    regions: ['ES11', 'ES22'],
    route: 'PPI',
  },
  now: at.drafting,
  procedure: 'PPI',
  ppiProcedure: 'COMPETITIVE_DIALOGUE',
  title: 'PPI: remote monitoring of heart failure',
  description: 'Purchase of a certified remote monitoring service for heart-failure patients.',
  budgetEur: 1_200_000,
  submissionDeadline: '2025-09-30T14:00:00+02:00',
  criteria: [
    { name: 'quality', weight: 60 },
    { name: 'price', weight: 40 },
  ],
  lots: [
    { lotId: 'lot-1', title: 'Galicia', budgetEur: 700_000 },
    { lotId: 'lot-2', title: 'Navarra', budgetEur: 500_000 },
  ],
};

/** Applies commands one after another to a history; any refusal fails the test setup. */
export function story(commands: TenderCommand[], history: TenderEvent[] = []): TenderEvent[] {
  const events = [...history];
  let state: TenderState = fold(tenderDecider, events);
  for (const command of commands) {
    const produced = tenderDecider.decide(command, state);
    events.push(...produced);
    state = produced.reduce(tenderDecider.evolve, state);
  }
  return events;
}

export const stateOf = (events: TenderEvent[]): TenderState => fold(tenderDecider, events);

export interface SealedBid {
  bidId: string;
  state: SealedBidState;
  revealed: RevealedBid;
  digest: string;
}

/** A bid sealed in its own stream, as the bidder submits it. */
export function sealBid(
  bidId: string,
  supplierOrg: string,
  content: {
    priceEur: number;
    declaredTrl: number;
    lotId?: string | null;
    technicalProposal?: string;
    sme?: boolean | null;
  },
  tender = tenderId,
): SealedBid {
  const command: SealedBidCommand = {
    type: 'SealBid',
    bidId,
    tenderId: tender,
    actorOrg: supplierOrg,
    sealNonce: `nonce-${bidId}-0123456789abcdef`,
    freshInnovationId: `inno-${bidId}`,
    respondentInnovations: [],
    technicalProposal: `Proposal of ${supplierOrg}: risk score from vital signs.`,
    ...content,
  };
  const events = sealedBidDecider.decide(command, sealedBidDecider.initialState());
  const state = events.reduce(sealedBidDecider.evolve, sealedBidDecider.initialState());
  return {
    bidId,
    state,
    revealed: state.bid as RevealedBid,
    digest: state.sealedDigest as string,
  };
}

export const submit = (
  bid: SealedBid,
  now = at.bidding,
  lotId: string | null = null,
): TenderCommand => ({
  type: 'SubmitBid',
  bidId: bid.bidId,
  actorOrg: bid.revealed.supplierOrg,
  sealedDigest: bid.digest,
  lotId,
  ownLiveBids: [],
  now,
});

/** Three PCP bids; the first supplier is strongest on quality. An SME, a larger firm, one unsaid. */
export const pcpBids = [
  sealBid('bid-a', suppliers[0], { priceEur: 400_000, declaredTrl: 4, sme: true }),
  sealBid('bid-b', suppliers[1], { priceEur: 420_000, declaredTrl: 3, sme: false }),
  sealBid('bid-c', suppliers[2], { priceEur: 380_000, declaredTrl: 5 }),
];

export const pcpPublished = () =>
  story([draftPcp, { type: 'PublishTender', actorOrg: procurer, now: at.publication }]);

export const pcpWithBids = () =>
  story(
    pcpBids.map((b) => submit(b)),
    pcpPublished(),
  );

export const pcpClosed = () => story([{ type: 'CloseBidding', now: at.deadline }], pcpWithBids());

export const pcpOpened = () =>
  story(
    [
      {
        type: 'OpenBids',
        actorOrg: procurer,
        revealed: pcpBids.map((b) => b.revealed),
        now: at.opening,
      },
    ],
    pcpClosed(),
  );

export const pcpEvaluating = () =>
  story([{ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: evaluators }], pcpOpened());

/** Quality and price scores per bid, the same from both evaluators unless told otherwise. */
export const pcpScores: Record<string, [number, number]> = {
  'bid-a': [90, 70], // 86
  'bid-b': [80, 60], // 76
  'bid-c': [70, 90], // 74
};

export function scoreAll(
  history: TenderEvent[],
  scores: Record<string, [number, number]> = pcpScores,
  who: string[] = evaluators,
): TenderEvent[] {
  const commands: TenderCommand[] = [];
  for (const evaluatorId of who) {
    for (const [bidId, [quality, price]] of Object.entries(scores)) {
      commands.push({ type: 'DeclareConflict', evaluatorId, bidId, conflict: false });
      commands.push({
        type: 'ScoreBid',
        evaluatorId,
        bidId,
        scores: [
          { criterion: 'quality', score: quality },
          { criterion: 'price', score: price },
        ],
      });
    }
  }
  return story(commands, history);
}

export const pcpEvaluated = () => scoreAll(pcpEvaluating());

export const awardPhase1 = (bidIds = ['bid-a', 'bid-b', 'bid-c']): TenderCommand => ({
  type: 'AwardContracts',
  actorOrg: procurer,
  phase: 1,
  bidIds,
  reason: 'Best value for money in the ranking',
  ids: bidIds.map((bidId) => ({
    bidId,
    contractId: `ctr-1-${bidId}`,
    frameworkAgreementId: `fa-${bidId}`,
  })),
});

export const pcpAwarded = () => story([awardPhase1()], pcpEvaluated());

export const deliverAndAccept = (
  contractId: string,
  supplierOrg: string,
  n = 1,
): TenderCommand[] => [
  {
    type: 'SubmitDeliverable',
    actorOrg: supplierOrg,
    contractId,
    deliverableId: `del-${contractId}-${n}`,
    title: 'Solution design report',
    description: 'Architecture, data flows and validation plan.',
  },
  {
    type: 'AcceptDeliverable',
    actorOrg: procurer,
    contractId,
    deliverableId: `del-${contractId}-${n}`,
  },
];

/** Phase 1 completed: bid-a and bid-b passed, bid-c failed. */
export const pcpPhase1Reviewed = () =>
  story(
    [
      ...deliverAndAccept('ctr-1-bid-a', suppliers[0]),
      ...deliverAndAccept('ctr-1-bid-b', suppliers[1]),
      {
        type: 'CompletePhase',
        actorOrg: procurer,
        phase: 1,
        results: [
          {
            contractId: 'ctr-1-bid-a',
            passed: true,
            assessedTrl: 5,
            reason: 'Design meets all requirements',
          },
          {
            contractId: 'ctr-1-bid-b',
            passed: true,
            assessedTrl: 4,
            reason: 'Design meets the requirements',
          },
          {
            contractId: 'ctr-1-bid-c',
            passed: false,
            assessedTrl: 4,
            reason: 'No design report delivered',
          },
        ],
      },
    ],
    pcpAwarded(),
  );

export const downSelectInto2: TenderCommand = {
  type: 'DownSelectSuppliers',
  actorOrg: procurer,
  toPhase: 2,
  continuing: [
    { previousContractId: 'ctr-1-bid-a', contractId: 'ctr-2-bid-a' },
    { previousContractId: 'ctr-1-bid-b', contractId: 'ctr-2-bid-b' },
  ],
  reason: 'Both passed with designs worth prototyping',
};

export const pcpInPhase2 = () => story([downSelectInto2], pcpPhase1Reviewed());

const completeWithBoth = (phase: number): TenderCommand => ({
  type: 'CompletePhase',
  actorOrg: procurer,
  phase,
  results: ['a', 'b'].map((x) => ({
    contractId: `ctr-${phase}-bid-${x}`,
    passed: true,
    assessedTrl: 5 + phase,
    reason: `Phase ${phase} objectives met`,
  })),
});

/** The whole PCP call, through three phases to completion. */
export const pcpCompleted = () =>
  story(
    [
      ...deliverAndAccept('ctr-2-bid-a', suppliers[0]),
      ...deliverAndAccept('ctr-2-bid-b', suppliers[1]),
      completeWithBoth(2),
      {
        type: 'DownSelectSuppliers',
        actorOrg: procurer,
        toPhase: 3,
        continuing: [
          { previousContractId: 'ctr-2-bid-a', contractId: 'ctr-3-bid-a' },
          { previousContractId: 'ctr-2-bid-b', contractId: 'ctr-3-bid-b' },
        ],
        reason: 'Both prototypes validated',
      },
      ...deliverAndAccept('ctr-3-bid-a', suppliers[0]),
      ...deliverAndAccept('ctr-3-bid-b', suppliers[1]),
      completeWithBoth(3),
    ],
    pcpInPhase2(),
  );

/** PPI bids: two for lot 1, one for lot 2. */
export const ppiBids = [
  sealBid(
    'bid-p1',
    suppliers[0],
    { priceEur: 650_000, declaredTrl: 8, lotId: 'lot-1' },
    'tender-77aa',
  ),
  sealBid(
    'bid-p2',
    suppliers[2],
    { priceEur: 600_000, declaredTrl: 9, lotId: 'lot-1' },
    'tender-77aa',
  ),
  sealBid(
    'bid-p3',
    suppliers[3],
    { priceEur: 450_000, declaredTrl: 8, lotId: 'lot-2' },
    'tender-77aa',
  ),
];

/** A PPI call with lots, from drafting to its completion. */
export function ppiStory(
  until: 'opened' | 'evaluated' | 'awarded' | 'completed' = 'completed',
): TenderEvent[] {
  const steps: TenderCommand[] = [
    draftPpi,
    { type: 'PublishTender', actorOrg: procurer, now: at.publication },
    ...ppiBids.map((b) => submit(b, at.bidding, b.revealed.lotId)),
    { type: 'CloseBidding', now: at.deadline },
    {
      type: 'OpenBids',
      actorOrg: procurer,
      revealed: ppiBids.map((b) => b.revealed),
      now: at.opening,
    },
  ];
  let events = story(steps);
  if (until === 'opened') return events;
  events = story(
    [{ type: 'AssignEvaluators', actorOrg: procurer, evaluatorIds: ['user-eva'] }],
    events,
  );
  events = scoreAll(events, { 'bid-p1': [85, 70], 'bid-p2': [80, 90], 'bid-p3': [75, 80] }, [
    'user-eva',
  ]);
  if (until === 'evaluated') return events;
  events = story(
    [
      {
        type: 'AwardContracts',
        actorOrg: procurer,
        phase: 1,
        bidIds: ['bid-p2', 'bid-p3'],
        reason: 'Best ranked bid of each lot',
        ids: [
          { bidId: 'bid-p2', contractId: 'ctr-p2' },
          { bidId: 'bid-p3', contractId: 'ctr-p3' },
        ],
      },
    ],
    events,
  );
  if (until === 'awarded') return events;
  return story(
    [
      ...deliverAndAccept('ctr-p2', suppliers[2]),
      ...deliverAndAccept('ctr-p3', suppliers[3]),
      {
        type: 'CompletePhase',
        actorOrg: procurer,
        phase: 1,
        results: [
          {
            contractId: 'ctr-p2',
            passed: true,
            assessedTrl: 9,
            reason: 'Deployed in two hospitals',
          },
          {
            contractId: 'ctr-p3',
            passed: true,
            assessedTrl: 8,
            reason: 'Qualified, deployment pending',
          },
        ],
      },
    ],
    events,
  );
}
