import { defineIntegrationEvent } from '../published-language';
import {
  PPI_PROCEDURES,
  PROCEDURES,
  type PpiProcedure,
  type Procedure,
  arrayOf,
  eur,
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

const context = 'tenders' as const;
const tenderId = id('Tender id.');
const phaseNumber = (description: string) => ({
  type: 'integer',
  minimum: 1,
  maximum: 5,
  description,
});

export interface TenderCriterion {
  name: string;
  weight: number;
}
export interface TenderPhasePlan {
  number: number;
  name: string;
  budgetEur: number;
  durationMonths: number;
  maxSuppliers: number;
}

const criterionSchema = object(
  {
    name: text('Criterion name.', 200),
    weight: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 100,
      description: 'Weight; weights add up to 100.',
    },
  },
  ['name', 'weight'],
);
const phasePlanSchema = object(
  {
    number: phaseNumber('Phase number, from 1.'),
    name: text('Phase name, e.g. SOLUTION_DESIGN.', 200),
    budgetEur: eur('Phase budget in EUR.'),
    durationMonths: positiveInt('Duration in months.'),
    maxSuppliers: positiveInt('Maximum suppliers in the phase.'),
  },
  ['number', 'name', 'budgetEur', 'durationMonths', 'maxSuppliers'],
);

export interface TenderDrafted {
  tenderId: string;
  org: string;
  consultationId: string;
  procedure: Procedure;
  ppiProcedure: PpiProcedure | null;
  title: string;
  regions: string[];
  budgetEur: number;
  submissionDeadline: string;
  criteria: TenderCriterion[];
  phases: TenderPhasePlan[];
}

export const TenderDraftedEvent = defineIntegrationEvent<TenderDrafted>({
  context,
  type: 'TenderDrafted',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description: 'A procurer drafted a PCP or PPI call following a consultation.',
  schema: object(
    {
      tenderId,
      org: id('Contracting authority.'),
      consultationId: id('The consultation the call follows.'),
      procedure: oneOfValues(PROCEDURES, 'PCP or PPI.'),
      ppiProcedure: nullable(oneOfValues(PPI_PROCEDURES, 'PPI procedure; null for PCP.')),
      title: text('Call title.', 300),
      regions: arrayOf(region(), 'Regions of the procuring authorities.', { uniqueItems: true }),
      budgetEur: eur('Call budget in EUR.'),
      submissionDeadline: isoTime('Bid deadline.'),
      criteria: arrayOf(criterionSchema, 'Weighted award criteria.', { minItems: 1 }),
      phases: arrayOf(phasePlanSchema, 'PCP phases (2-5); empty for PPI.', { maxItems: 5 }),
    },
    [
      'tenderId',
      'org',
      'consultationId',
      'procedure',
      'ppiProcedure',
      'title',
      'regions',
      'budgetEur',
      'submissionDeadline',
      'criteria',
      'phases',
    ],
    {
      if: { properties: { procedure: { const: 'PCP' } } },
      then: {
        properties: { phases: { type: 'array', minItems: 2 }, ppiProcedure: { type: 'null' } },
      },
      else: {
        properties: { phases: { type: 'array', maxItems: 0 }, ppiProcedure: { type: 'string' } },
      },
    },
  ),
  example: {
    tenderId: 'tender-91b0',
    org: 'org-sergas',
    consultationId: 'cons-2d81',
    procedure: 'PCP',
    ppiProcedure: null,
    title: 'PCP: sepsis early warning',
    regions: ['ES11'],
    budgetEur: 5000000,
    submissionDeadline: '2025-09-30T14:00:00+02:00',
    criteria: [
      { name: 'quality', weight: 80 },
      { name: 'price', weight: 20 },
    ],
    phases: [
      { number: 1, name: 'SOLUTION_DESIGN', budgetEur: 450000, durationMonths: 3, maxSuppliers: 9 },
      { number: 2, name: 'PROTOTYPING', budgetEur: 1500000, durationMonths: 6, maxSuppliers: 6 },
      {
        number: 3,
        name: 'ORIGINAL_DEVELOPMENT_AND_TESTING',
        budgetEur: 3000000,
        durationMonths: 12,
        maxSuppliers: 3,
      },
    ],
  },
});

export interface TenderPublished {
  tenderId: string;
  org: string;
  procedure: Procedure;
  publishedAt: string;
  submissionDeadline: string;
}

export const TenderPublishedEvent = defineIntegrationEvent<TenderPublished>({
  context,
  type: 'TenderPublished',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description: 'The call was published; bids are accepted until the deadline.',
  schema: object(
    {
      tenderId,
      org: id('Contracting authority.'),
      procedure: oneOfValues(PROCEDURES, 'PCP or PPI.'),
      publishedAt: isoTime('Publication time.'),
      submissionDeadline: isoTime('Bid deadline.'),
    },
    ['tenderId', 'org', 'procedure', 'publishedAt', 'submissionDeadline'],
  ),
  example: {
    tenderId: 'tender-91b0',
    org: 'org-sergas',
    procedure: 'PCP',
    publishedAt: '2025-06-02T09:00:00+02:00',
    submissionDeadline: '2025-09-30T14:00:00+02:00',
  },
});

export interface TenderAmended {
  tenderId: string;
  org: string;
  changedFields: string[];
  submissionDeadline: string;
  reason: string;
  /** PCP only: the number of phases in force after the amendment. */
  phaseCount?: number;
}

export const TenderAmendedEvent = defineIntegrationEvent<TenderAmended>({
  context,
  type: 'TenderAmended',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description:
    'The call was amended, with a reason; lists which fields changed and the deadline now in force.',
  schema: object(
    {
      tenderId,
      org: id('Contracting authority.'),
      changedFields: arrayOf(text('A creation field name.', 100), 'Fields changed.', {
        minItems: 1,
        uniqueItems: true,
      }),
      submissionDeadline: isoTime('Bid deadline after the amendment.'),
      reason: reason(),
      phaseCount: {
        type: 'integer',
        minimum: 2,
        maximum: 5,
        description: 'PCP only: the number of phases in force after the amendment.',
      },
    },
    ['tenderId', 'org', 'changedFields', 'submissionDeadline', 'reason'],
  ),
  example: {
    tenderId: 'tender-91b0',
    org: 'org-sergas',
    changedFields: ['submissionDeadline', 'phases'],
    submissionDeadline: '2025-10-14T14:00:00+02:00',
    reason: 'Deadline extended and the field-test phase merged into the prototype phase',
    phaseCount: 2,
  },
});

export interface BidSubmitted {
  tenderId: string;
  bidId: string;
  count: number;
}

export const BidSubmittedEvent = defineIntegrationEvent<BidSubmitted>({
  context,
  type: 'BidSubmitted',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  revealsActor: false,
  description:
    'A sealed bid arrived. Before opening nothing about its content or its bidder may leave the ' +
    'tenders context: only the bid id and how many bids the tender now holds. The actor is withheld too.',
  schema: object(
    {
      tenderId,
      bidId: id('Opaque bid id.'),
      count: positiveInt('Bids the tender holds after this one.'),
    },
    ['tenderId', 'bidId', 'count'],
  ),
  example: { tenderId: 'tender-91b0', bidId: 'bid-5e2a', count: 3 },
});

export interface OpenedBid {
  bidId: string;
  innovationId: string;
  supplierOrg: string;
  declaredTrl: number;
  /**
   * Whether the bidder is an SME, as its token said when it bid; null when it did not say.
   * Absent from events published before the field existed: read that as null.
   */
  sme?: boolean | null;
}

/** Whether the supplier is an SME: optional, so that events published before it stay valid. */
const smeFlag = (description: string) =>
  nullable({ type: 'boolean', description: `${description} Null or absent when unknown.` });

export interface BidsOpened {
  tenderId: string;
  org: string;
  openedAt: string;
  bids: OpenedBid[];
}

export const BidsOpenedEvent = defineIntegrationEvent<BidsOpened>({
  context,
  type: 'BidsOpened',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description:
    'Bids were opened after the deadline; from here bidders and their innovations are known. Prices and ' +
    'proposals stay in the tenders context.',
  schema: object(
    {
      tenderId,
      org: id('Contracting authority.'),
      openedAt: isoTime('Opening time.'),
      bids: arrayOf(
        object(
          {
            bidId: id('Bid id.'),
            innovationId: id('Innovation the bid offers.'),
            supplierOrg: id('Bidding organisation.'),
            declaredTrl: trl('TRL declared in the bid.'),
            sme: smeFlag('Whether the bidder is an SME (its own declaration when it bid).'),
          },
          ['bidId', 'innovationId', 'supplierOrg', 'declaredTrl'],
        ),
        'Bids still standing at opening.',
      ),
    },
    ['tenderId', 'org', 'openedAt', 'bids'],
  ),
  example: {
    tenderId: 'tender-91b0',
    org: 'org-sergas',
    openedAt: '2025-10-15T10:00:00+02:00',
    bids: [
      {
        bidId: 'bid-5e2a',
        innovationId: 'inno-4c6e',
        supplierOrg: 'org-medtech-sme',
        declaredTrl: 5,
        sme: true,
      },
    ],
  },
});

export interface RankedBid {
  bidId: string;
  rank: number;
  weightedScore: number;
}

export interface EvaluationCompleted {
  tenderId: string;
  org: string;
  ranking: RankedBid[];
}

export const EvaluationCompletedEvent = defineIntegrationEvent<EvaluationCompleted>({
  context,
  type: 'EvaluationCompleted',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description:
    'Every admissible bid was scored by every non-conflicted evaluator; the ranking follows.',
  schema: object(
    {
      tenderId,
      org: id('Contracting authority.'),
      ranking: arrayOf(
        object(
          {
            bidId: id('Bid id.'),
            rank: positiveInt('Rank, 1 is best.'),
            weightedScore: {
              type: 'number',
              minimum: 0,
              maximum: 100,
              description: 'Weighted score.',
            },
          },
          ['bidId', 'rank', 'weightedScore'],
        ),
        'Bids in rank order.',
      ),
    },
    ['tenderId', 'org', 'ranking'],
  ),
  example: {
    tenderId: 'tender-91b0',
    org: 'org-sergas',
    ranking: [{ bidId: 'bid-5e2a', rank: 1, weightedScore: 82.5 }],
  },
});

export interface AwardedContract {
  contractId: string;
  bidId: string;
  innovationId: string;
  supplierOrg: string;
  /** The bid's SME flag (see OpenedBid.sme); absent from events published before it existed. */
  sme?: boolean | null;
}

const awardedContract = object(
  {
    contractId: id('Contract id.'),
    bidId: id('Bid the contract comes from.'),
    innovationId: id('Innovation under contract.'),
    supplierOrg: id('Contract holder.'),
    sme: smeFlag('Whether the contract holder is an SME (as declared in its bid).'),
  },
  ['contractId', 'bidId', 'innovationId', 'supplierOrg'],
);

export interface PhaseContractsAwarded {
  tenderId: string;
  org: string;
  procedure: Procedure;
  phase: number;
  contracts: AwardedContract[];
  reason: string;
  justification: string | null;
}

export const PhaseContractsAwardedEvent = defineIntegrationEvent<PhaseContractsAwarded>({
  context,
  type: 'PhaseContractsAwarded',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description:
    'Contracts of a phase were awarded (phase 1 of a PCP, or the single PPI award), with a reason; ' +
    'passing over a higher-ranked bid carries a justification.',
  schema: object(
    {
      tenderId,
      org: id('Contracting authority.'),
      procedure: oneOfValues(PROCEDURES, 'PCP or PPI.'),
      phase: phaseNumber('Phase the contracts cover (1 for PPI).'),
      contracts: arrayOf(awardedContract, 'Contracts awarded.', { minItems: 1 }),
      reason: reason(),
      justification: nullable(reason('Why a higher-ranked bid was passed over.')),
    },
    ['tenderId', 'org', 'procedure', 'phase', 'contracts', 'reason', 'justification'],
  ),
  example: {
    tenderId: 'tender-91b0',
    org: 'org-sergas',
    procedure: 'PCP',
    phase: 1,
    contracts: [
      {
        contractId: 'ctr-1a',
        bidId: 'bid-5e2a',
        innovationId: 'inno-4c6e',
        supplierOrg: 'org-medtech-sme',
        sme: true,
      },
    ],
    reason: 'Best value for money in the ranking',
    justification: null,
  },
});

export interface DeliverableAccepted {
  tenderId: string;
  contractId: string;
  deliverableId: string;
  phase: number;
  innovationId: string;
  title: string;
}

export const DeliverableAcceptedEvent = defineIntegrationEvent<DeliverableAccepted>({
  context,
  type: 'DeliverableAccepted',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description: 'The procurer accepted a deliverable of a phase contract.',
  schema: object(
    {
      tenderId,
      contractId: id('Contract id.'),
      deliverableId: id('Deliverable id.'),
      phase: phaseNumber('Phase of the contract.'),
      innovationId: id('Innovation under contract.'),
      title: text('Deliverable title.', 300),
    },
    ['tenderId', 'contractId', 'deliverableId', 'phase', 'innovationId', 'title'],
  ),
  example: {
    tenderId: 'tender-91b0',
    contractId: 'ctr-1a',
    deliverableId: 'del-3',
    phase: 1,
    innovationId: 'inno-4c6e',
    title: 'Solution design report',
  },
});

export interface PhaseResult {
  contractId: string;
  innovationId: string;
  passed: boolean;
  assessedTrl: number;
  reason: string;
}

export interface PhaseCompleted {
  tenderId: string;
  phase: number;
  results: PhaseResult[];
}

export const PhaseCompletedEvent = defineIntegrationEvent<PhaseCompleted>({
  context,
  type: 'PhaseCompleted',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description:
    'A phase ended with its intermediate evaluation: per contract, pass or fail and the TRL assessed, with a reason.',
  schema: object(
    {
      tenderId,
      phase: phaseNumber('Completed phase.'),
      results: arrayOf(
        object(
          {
            contractId: id('Contract id.'),
            innovationId: id('Innovation under contract.'),
            passed: { type: 'boolean', description: 'Whether the contract passed the evaluation.' },
            assessedTrl: trl('TRL assessed in the intermediate evaluation.'),
            reason: reason(),
          },
          ['contractId', 'innovationId', 'passed', 'assessedTrl', 'reason'],
        ),
        'Results per contract.',
        { minItems: 1 },
      ),
    },
    ['tenderId', 'phase', 'results'],
  ),
  example: {
    tenderId: 'tender-91b0',
    phase: 1,
    results: [
      {
        contractId: 'ctr-1a',
        innovationId: 'inno-4c6e',
        passed: true,
        assessedTrl: 5,
        reason: 'Design meets all requirements',
      },
    ],
  },
});

export interface ContinuingContract {
  contractId: string;
  previousContractId: string;
  innovationId: string;
  supplierOrg: string;
}

export interface DroppedContract {
  contractId: string;
  innovationId: string;
}

export interface SuppliersDownSelected {
  tenderId: string;
  fromPhase: number;
  toPhase: number;
  continued: ContinuingContract[];
  dropped: DroppedContract[];
  reason: string;
  justification: string | null;
}

export const SuppliersDownSelectedEvent = defineIntegrationEvent<SuppliersDownSelected>({
  context,
  type: 'SuppliersDownSelected',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description:
    'Suppliers of phase n-1 were down-selected into phase n, each getting a new phase contract; fewer ' +
    'than 2 continuing carries a justification.',
  schema: object(
    {
      tenderId,
      fromPhase: phaseNumber('Phase left.'),
      toPhase: { ...phaseNumber('Phase entered.'), minimum: 2 },
      continued: arrayOf(
        object(
          {
            contractId: id('The new phase contract.'),
            previousContractId: id('The contract of the phase left.'),
            innovationId: id('Innovation going on.'),
            supplierOrg: id('Contract holder.'),
          },
          ['contractId', 'previousContractId', 'innovationId', 'supplierOrg'],
        ),
        'Contracts continuing into the next phase.',
        { minItems: 1 },
      ),
      dropped: arrayOf(
        object(
          { contractId: id('Contract not continued.'), innovationId: id('Innovation dropped.') },
          ['contractId', 'innovationId'],
        ),
        'Contracts of the phase left that do not continue.',
      ),
      reason: reason(),
      justification: nullable(reason('Why fewer than 2 suppliers continue.')),
    },
    ['tenderId', 'fromPhase', 'toPhase', 'continued', 'dropped', 'reason', 'justification'],
  ),
  example: {
    tenderId: 'tender-91b0',
    fromPhase: 1,
    toPhase: 2,
    continued: [
      {
        contractId: 'ctr-2a',
        previousContractId: 'ctr-1a',
        innovationId: 'inno-4c6e',
        supplierOrg: 'org-medtech-sme',
      },
    ],
    dropped: [{ contractId: 'ctr-1b', innovationId: 'inno-77d0' }],
    reason: 'Best value for money after the intermediate evaluation',
    justification: null,
  },
});

export interface TenderCompleted {
  tenderId: string;
  org: string;
  procedure: Procedure;
}

export const TenderCompletedEvent = defineIntegrationEvent<TenderCompleted>({
  context,
  type: 'TenderCompleted',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description: 'The last phase (PCP) or the PPI contract finished.',
  schema: object(
    {
      tenderId,
      org: id('Contracting authority.'),
      procedure: oneOfValues(PROCEDURES, 'PCP or PPI.'),
    },
    ['tenderId', 'org', 'procedure'],
  ),
  example: { tenderId: 'tender-91b0', org: 'org-sergas', procedure: 'PCP' },
});

export interface TenderCancelled {
  tenderId: string;
  org: string;
  outcome: 'CANCELLED' | 'UNSUCCESSFUL';
  reason: string;
}

export const TenderCancelledEvent = defineIntegrationEvent<TenderCancelled>({
  context,
  type: 'TenderCancelled',
  version: 1,
  aggregate: 'tender',
  key: 'tenderId',
  description:
    'The tender ended without completing: cancelled, or unsuccessful for lack of an admissible bid.',
  schema: object(
    {
      tenderId,
      org: id('Contracting authority.'),
      outcome: oneOfValues(['CANCELLED', 'UNSUCCESSFUL'], 'Final status.'),
      reason: reason(),
    },
    ['tenderId', 'org', 'outcome', 'reason'],
  ),
  example: {
    tenderId: 'tender-91b0',
    org: 'org-sergas',
    outcome: 'CANCELLED',
    reason: 'Budget withdrawn by the funder',
  },
});

export const tendersEvents = [
  TenderDraftedEvent,
  TenderPublishedEvent,
  TenderAmendedEvent,
  BidSubmittedEvent,
  BidsOpenedEvent,
  EvaluationCompletedEvent,
  PhaseContractsAwardedEvent,
  DeliverableAcceptedEvent,
  PhaseCompletedEvent,
  SuppliersDownSelectedEvent,
  TenderCompletedEvent,
  TenderCancelledEvent,
] as const;
