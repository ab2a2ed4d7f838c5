/**
 * The tender: a PCP or PPI call from drafting to completion, one stream per tender.
 *
 * Sealed bids. A bid's content and its bidder live only in the bid's own stream (see
 * sealed-bid.ts). This stream records, before opening, just the bid id, a salted SHA-256
 * digest of the sealed bid and how many bids stand, so that the tender's history, its
 * timeline, its integration events and its OCDS export can never unseal a bid. The
 * application appends these bid events with the actor withheld (WITHHELD_ACTOR_EVENTS):
 * the envelope's actor would name the bidder too. Opening brings the bid streams' content in,
 * checked against the digests recorded here, and only from then on are bidders known.
 *
 * Late bids. A bid, replacement or withdrawal after the deadline throws LateBidError; the
 * application then records the refusal with RecordLateBid (which accepts only a real late
 * attempt) and answers with the error. Two decisions keep each one a plain `decide`.
 *
 * Phases. AWARDED is the status while the phase 1 contracts run; IN_PHASE n while the
 * contracts of phase n (n >= 2, after down-selection) run; PHASE_REVIEW n once phase n is
 * completed and before down-selection. Completing the last phase (the single phase of a PPI
 * call) completes the tender.
 */
import {
  DomainRuleError,
  InvalidStateError,
  NotFoundError,
  type Decider,
  type DomainEvent,
  type SealedPersonalData,
} from '@pcp/eventsourcing';
import type {
  AwardedContract,
  BidsOpened,
  ContinuingContract,
  DeliverableAccepted,
  DroppedContract,
  OpenedBid,
  PhaseResult,
  ProcurementRoute,
  Procedure,
  SuppliersDownSelected,
  TenderCancelled,
  TenderCompleted,
  TenderDrafted,
  TenderPublished,
} from '@pcp/contracts';
import {
  MATERIAL_TERMS,
  callTerms,
  changedTerms,
  type CallTermField,
  type CallTerms,
  type CallTermsInput,
  type TenderLot,
} from './call-terms';
import { LateBidError, NotAssignedError, NotOwnerError } from './errors';
import {
  MAX_SCORE,
  MIN_SCORE,
  emptyEvaluation,
  evaluationComplete,
  outstandingWork,
  passedOver,
  rankingOf,
  type CriterionScore,
  type EvaluatedBid,
  type EvaluationState,
  type RankedBidEntry,
} from './evaluation';
import { bidDigest, type RevealedBid } from './sealed-bid';
import {
  firstDuplicate,
  idList,
  optionalReason,
  optionalText,
  requiredReason,
  requiredText,
  TITLE_LIMIT,
  trlLevel,
} from './values';

export type TenderStatus =
  | 'DRAFT'
  | 'PUBLISHED'
  | 'BIDS_CLOSED'
  | 'BIDS_OPENED'
  | 'EVALUATING'
  | 'AWARDED'
  | 'IN_PHASE'
  | 'PHASE_REVIEW'
  | 'COMPLETED'
  | 'CANCELLED'
  | 'UNSUCCESSFUL';

export const ENDED_STATUSES: readonly TenderStatus[] = ['COMPLETED', 'CANCELLED', 'UNSUCCESSFUL'];

/** Tender events whose envelope must not carry the actor: it would name a bidder. */
export const WITHHELD_ACTOR_EVENTS = [
  'BidSubmitted',
  'BidReplaced',
  'BidWithdrawn',
  'LateBidRefused',
] as const;

/**
 * What the tenders context has learned about a consultation from the consultations
 * context's integration events (its own projection); the application passes it in.
 */
export interface ConsultationFacts {
  consultationId: string;
  org: string;
  regions: string[];
  /** Null until the route is decided. */
  route: ProcurementRoute | null;
}

export type BidAttempt = 'SUBMIT' | 'REPLACE' | 'WITHDRAW';

export interface PhaseResultInput {
  contractId: unknown;
  passed: unknown;
  assessedTrl: unknown;
  reason: unknown;
}

export type TenderCommand =
  | ({
      type: 'DraftTender';
      tenderId: string;
      actorOrg: string;
      consultationId: string;
      consultation: ConsultationFacts | null;
      now: Date;
    } & CallTermsInput)
  | { type: 'PublishTender'; actorOrg: string; now: Date }
  | {
      type: 'AmendTender';
      actorOrg: string;
      /** Any creation field; procedure and consultation cannot change. */
      changes: Partial<CallTermsInput> & { consultationId?: unknown };
      reason: string;
      now: Date;
    }
  | { type: 'CancelTender'; actorOrg: string; reason: string }
  | { type: 'DeclareUnsuccessful'; actorOrg: string; reason: string }
  | {
      type: 'SubmitBid';
      bidId: string;
      actorOrg: string;
      /** The digest of the sealed bid (SealedBidSubmitted.sealedDigest). */
      sealedDigest: string;
      lotId?: string | null;
      /** The organisation's own live bids here, from its bid streams (one per lot). */
      ownLiveBids: Array<{ bidId: string; lotId: string | null }>;
      now: Date;
    }
  | {
      type: 'ReplaceBid';
      bidId: string;
      sealedDigest: string;
      lotId?: string | null;
      now: Date;
    }
  | { type: 'WithdrawBid'; bidId: string; now: Date }
  | { type: 'RecordLateBid'; attempt: BidAttempt; now: Date }
  /** From the scheduler, with the system as actor. */
  | { type: 'CloseBidding'; now: Date }
  | { type: 'OpenBids'; actorOrg: string; revealed: RevealedBid[]; now: Date }
  | { type: 'RejectBid'; actorOrg: string; bidId: string; reason: string }
  | { type: 'AssignEvaluators'; actorOrg: string; evaluatorIds: string[] }
  | {
      type: 'DeclareConflict';
      evaluatorId: string;
      bidId: string;
      conflict: boolean;
      note?: string | null;
    }
  | {
      type: 'ScoreBid';
      evaluatorId: string;
      bidId: string;
      scores: CriterionScore[];
      /** The evaluator's name, sealed with their personal key by the application. */
      evaluatorName?: SealedPersonalData | null;
    }
  | {
      type: 'AwardContracts';
      actorOrg: string;
      phase: number;
      bidIds: string[];
      reason: string;
      justification?: string | null;
      /** Ids generated outside, one entry per awarded bid; PCP needs a framework agreement id. */
      ids: Array<{ bidId: string; contractId: string; frameworkAgreementId?: string | null }>;
    }
  | {
      type: 'SubmitDeliverable';
      actorOrg: string;
      contractId: string;
      deliverableId: string;
      title: string;
      description: string;
    }
  | { type: 'AcceptDeliverable'; actorOrg: string; contractId: string; deliverableId: string }
  | { type: 'CompletePhase'; actorOrg: string; phase: number; results: PhaseResultInput[] }
  | {
      type: 'DownSelectSuppliers';
      actorOrg: string;
      toPhase: number;
      /** The phase n-1 contracts that go on, each with the id of its new phase-n contract. */
      continuing: Array<{ previousContractId: string; contractId: string }>;
      reason: string;
      justification?: string | null;
    };

export type TenderDraftedData = TenderDrafted & {
  description: string;
  lots: TenderLot[];
};

export interface TenderAmendedData {
  tenderId: string;
  org: string;
  changedFields: CallTermField[];
  submissionDeadline: string;
  reason: string;
  /** A change to what bids answer (budget, criteria, phases, deadline, procedure, lots). */
  material: boolean;
  /** Bids placed before a material amendment: their bidders are asked to reconfirm them. */
  bidsToReconfirm: string[];
  /** The terms in force after the amendment. */
  terms: CallTerms;
}

export interface OpenedBidData extends OpenedBid {
  priceEur: number;
  lotId: string | null;
  /** Placed before a material amendment and not replaced since. */
  reconfirmationPending: boolean;
}

export interface AwardedContractData extends AwardedContract {
  frameworkAgreementId: string | null;
  lotId: string | null;
  priceEur: number;
}

export interface PhaseResultData extends PhaseResult {
  supplierOrg: string;
}

export type TenderEvent =
  | DomainEvent<'TenderDrafted', TenderDraftedData>
  | DomainEvent<'TenderPublished', TenderPublished>
  | DomainEvent<'TenderAmended', TenderAmendedData>
  | DomainEvent<
      'BidSubmitted',
      { tenderId: string; bidId: string; sealedDigest: string; count: number }
    >
  | DomainEvent<'BidReplaced', { tenderId: string; bidId: string; sealedDigest: string }>
  | DomainEvent<'BidWithdrawn', { tenderId: string; bidId: string; count: number }>
  | DomainEvent<'LateBidRefused', { tenderId: string; at: string; attempt: BidAttempt }>
  | DomainEvent<
      'BiddingClosed',
      { tenderId: string; closedAt: string; submissionDeadline: string; count: number }
    >
  | DomainEvent<'BidsOpened', Omit<BidsOpened, 'bids'> & { bids: OpenedBidData[] }>
  | DomainEvent<
      'BidRejected',
      { tenderId: string; bidId: string; supplierOrg: string; innovationId: string; reason: string }
    >
  | DomainEvent<
      'EvaluatorsAssigned',
      { tenderId: string; evaluatorIds: string[]; assigned: string[] }
    >
  | DomainEvent<
      'ConflictDeclared',
      {
        tenderId: string;
        bidId: string;
        evaluatorId: string;
        conflict: boolean;
        note: string | null;
      }
    >
  | DomainEvent<
      'BidScored',
      {
        tenderId: string;
        bidId: string;
        evaluatorId: string;
        scores: CriterionScore[];
        /** Sealed personal data: unreadable once the evaluator is erased. */
        evaluatorName?: SealedPersonalData;
      }
    >
  | DomainEvent<'EvaluationCompleted', { tenderId: string; org: string; ranking: RankedBidEntry[] }>
  | DomainEvent<
      'PhaseContractsAwarded',
      {
        tenderId: string;
        org: string;
        procedure: Procedure;
        phase: number;
        contracts: AwardedContractData[];
        reason: string;
        justification: string | null;
        passedOver: string[];
      }
    >
  | DomainEvent<
      'DeliverableSubmitted',
      {
        tenderId: string;
        contractId: string;
        deliverableId: string;
        phase: number;
        supplierOrg: string;
        title: string;
        description: string;
      }
    >
  | DomainEvent<'DeliverableAccepted', DeliverableAccepted>
  | DomainEvent<'PhaseCompleted', { tenderId: string; phase: number; results: PhaseResultData[] }>
  | DomainEvent<
      'TrlAssessedInPhase',
      {
        tenderId: string;
        phase: number;
        contractId: string;
        innovationId: string;
        trl: number;
        kind: 'ASSESSED';
        source: 'PCP_PHASE' | 'PPI_CONTRACT';
        reason: string;
      }
    >
  | DomainEvent<'SuppliersDownSelected', SuppliersDownSelected>
  | DomainEvent<'TenderCompleted', TenderCompleted>
  | DomainEvent<'TenderCancelled', TenderCancelled>;

export interface SealedBidEntry {
  bidId: string;
  sealedDigest: string;
  reconfirmationPending: boolean;
}

export interface OpenedBidEntry extends OpenedBidData {
  /** The written reason when the procurer rejected the bid as inadmissible. */
  rejection: string | null;
}

export interface Deliverable {
  deliverableId: string;
  title: string;
  accepted: boolean;
}

export interface PhaseContract {
  contractId: string;
  frameworkAgreementId: string | null;
  phase: number;
  bidId: string;
  innovationId: string;
  supplierOrg: string;
  lotId: string | null;
  previousContractId: string | null;
  deliverables: Deliverable[];
  result: { passed: boolean; assessedTrl: number; reason: string } | null;
}

export interface TenderState {
  status: 'NONE' | TenderStatus;
  tenderId: string | null;
  org: string | null;
  consultationId: string | null;
  regions: string[];
  terms: CallTerms | null;
  publishedAt: string | null;
  /** Bids standing before opening: ids and digests only. */
  sealedBids: SealedBidEntry[];
  /** Every bid id this tender has seen, withdrawn ones too. */
  knownBidIds: string[];
  lateBidRefusals: number;
  openedBids: OpenedBidEntry[];
  evaluation: EvaluationState;
  /** Set when the evaluation completes. */
  ranking: RankedBidEntry[] | null;
  /** The phase whose contracts run or were last completed; null before the award. */
  phase: number | null;
  contracts: PhaseContract[];
}

type Command<T extends TenderCommand['type']> = Extract<TenderCommand, { type: T }>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const tenderDecider: Decider<TenderCommand, TenderState, TenderEvent> = {
  initialState: () => ({
    status: 'NONE',
    tenderId: null,
    org: null,
    consultationId: null,
    regions: [],
    terms: null,
    publishedAt: null,
    sealedBids: [],
    knownBidIds: [],
    lateBidRefusals: 0,
    openedBids: [],
    evaluation: emptyEvaluation(),
    ranking: null,
    phase: null,
    contracts: [],
  }),

  decide(command, state) {
    if (command.type === 'DraftTender') return [drafting(command, state)];
    if (state.status === 'NONE') {
      throw new NotFoundError('There is no such tender', 'TENDER_NOT_FOUND');
    }
    switch (command.type) {
      case 'PublishTender':
        return [publication(command, state)];
      case 'AmendTender':
        return [amendment(command, state)];
      case 'CancelTender':
        return [cancellation(command, state)];
      case 'DeclareUnsuccessful':
        return [unsuccessful(command, state)];
      case 'SubmitBid':
        return [bidSubmission(command, state)];
      case 'ReplaceBid':
        return [bidReplacement(command, state)];
      case 'WithdrawBid':
        return [bidWithdrawal(command, state)];
      case 'RecordLateBid':
        return [lateBidRefusal(command, state)];
      case 'CloseBidding':
        return biddingClosure(command, state);
      case 'OpenBids':
        return [bidOpening(command, state)];
      case 'RejectBid':
        return withCompletion(state, bidRejection(command, state));
      case 'AssignEvaluators':
        return evaluatorAssignment(command, state);
      case 'DeclareConflict':
        return withCompletion(state, conflictDeclaration(command, state));
      case 'ScoreBid':
        return withCompletion(state, scoring(command, state));
      case 'AwardContracts':
        return [award(command, state)];
      case 'SubmitDeliverable':
        return [deliverableSubmission(command, state)];
      case 'AcceptDeliverable':
        return [deliverableAcceptance(command, state)];
      case 'CompletePhase':
        return phaseCompletion(command, state);
      case 'DownSelectSuppliers':
        return [downSelection(command, state)];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'TenderDrafted': {
        const d = event.data;
        return {
          ...state,
          status: 'DRAFT',
          tenderId: d.tenderId,
          org: d.org,
          consultationId: d.consultationId,
          regions: d.regions,
          terms: {
            procedure: d.procedure,
            ppiProcedure: d.ppiProcedure,
            title: d.title,
            description: d.description,
            budgetEur: d.budgetEur,
            submissionDeadline: d.submissionDeadline,
            criteria: d.criteria,
            phases: d.phases,
            lots: d.lots,
          },
        };
      }
      case 'TenderPublished':
        return { ...state, status: 'PUBLISHED', publishedAt: event.data.publishedAt };
      case 'TenderAmended': {
        const flagged = event.data.bidsToReconfirm;
        return {
          ...state,
          terms: event.data.terms,
          sealedBids: state.sealedBids.map((b) =>
            flagged.includes(b.bidId) ? { ...b, reconfirmationPending: true } : b,
          ),
        };
      }
      case 'BidSubmitted':
        return {
          ...state,
          sealedBids: [
            ...state.sealedBids,
            {
              bidId: event.data.bidId,
              sealedDigest: event.data.sealedDigest,
              reconfirmationPending: false,
            },
          ],
          knownBidIds: [...state.knownBidIds, event.data.bidId],
        };
      case 'BidReplaced':
        return {
          ...state,
          sealedBids: state.sealedBids.map((b) =>
            b.bidId === event.data.bidId
              ? { ...b, sealedDigest: event.data.sealedDigest, reconfirmationPending: false }
              : b,
          ),
        };
      case 'BidWithdrawn':
        return {
          ...state,
          sealedBids: state.sealedBids.filter((b) => b.bidId !== event.data.bidId),
        };
      case 'LateBidRefused':
        return { ...state, lateBidRefusals: state.lateBidRefusals + 1 };
      case 'BiddingClosed':
        return { ...state, status: 'BIDS_CLOSED' };
      case 'BidsOpened':
        return {
          ...state,
          status: 'BIDS_OPENED',
          openedBids: event.data.bids.map((b) => ({ ...b, rejection: null })),
        };
      case 'BidRejected':
        return {
          ...state,
          openedBids: state.openedBids.map((b) =>
            b.bidId === event.data.bidId ? { ...b, rejection: event.data.reason } : b,
          ),
        };
      case 'EvaluatorsAssigned':
        return {
          ...state,
          status: 'EVALUATING',
          evaluation: { ...state.evaluation, evaluators: event.data.assigned },
        };
      case 'ConflictDeclared': {
        const { bidId, evaluatorId, conflict } = event.data;
        const declarations = state.evaluation.declarations;
        return {
          ...state,
          evaluation: {
            ...state.evaluation,
            declarations: {
              ...declarations,
              [bidId]: { ...(declarations[bidId] ?? {}), [evaluatorId]: conflict },
            },
          },
        };
      }
      case 'BidScored': {
        const { bidId, evaluatorId, scores } = event.data;
        const all = state.evaluation.scores;
        return {
          ...state,
          evaluation: {
            ...state.evaluation,
            scores: { ...all, [bidId]: { ...(all[bidId] ?? {}), [evaluatorId]: scores } },
          },
        };
      }
      case 'EvaluationCompleted':
        return { ...state, ranking: event.data.ranking };
      case 'PhaseContractsAwarded':
        return {
          ...state,
          status: 'AWARDED',
          phase: event.data.phase,
          contracts: [
            ...state.contracts,
            ...event.data.contracts.map((c): PhaseContract => ({
              contractId: c.contractId,
              frameworkAgreementId: c.frameworkAgreementId,
              phase: event.data.phase,
              bidId: c.bidId,
              innovationId: c.innovationId,
              supplierOrg: c.supplierOrg,
              lotId: c.lotId,
              previousContractId: null,
              deliverables: [],
              result: null,
            })),
          ],
        };
      case 'DeliverableSubmitted':
        return updateContract(state, event.data.contractId, (c) => ({
          ...c,
          deliverables: [
            ...c.deliverables,
            { deliverableId: event.data.deliverableId, title: event.data.title, accepted: false },
          ],
        }));
      case 'DeliverableAccepted':
        return updateContract(state, event.data.contractId, (c) => ({
          ...c,
          deliverables: c.deliverables.map((d) =>
            d.deliverableId === event.data.deliverableId ? { ...d, accepted: true } : d,
          ),
        }));
      case 'PhaseCompleted': {
        const results = new Map(event.data.results.map((r) => [r.contractId, r]));
        return {
          ...state,
          status: 'PHASE_REVIEW',
          contracts: state.contracts.map((c) => {
            const r = results.get(c.contractId);
            return r
              ? { ...c, result: { passed: r.passed, assessedTrl: r.assessedTrl, reason: r.reason } }
              : c;
          }),
        };
      }
      case 'TrlAssessedInPhase':
        return state;
      case 'SuppliersDownSelected': {
        const previous = new Map(state.contracts.map((c) => [c.contractId, c]));
        return {
          ...state,
          status: 'IN_PHASE',
          phase: event.data.toPhase,
          contracts: [
            ...state.contracts,
            ...event.data.continued.map((c): PhaseContract => {
              const before = previous.get(c.previousContractId) as PhaseContract;
              return {
                ...before,
                contractId: c.contractId,
                phase: event.data.toPhase,
                previousContractId: c.previousContractId,
                deliverables: [],
                result: null,
              };
            }),
          ],
        };
      }
      case 'TenderCompleted':
        return { ...state, status: 'COMPLETED' };
      case 'TenderCancelled':
        return { ...state, status: event.data.outcome };
    }
  },
};

// ---------------------------------------------------------------- call

function drafting(command: Command<'DraftTender'>, state: TenderState): TenderEvent {
  if (state.status !== 'NONE') {
    throw new InvalidStateError(
      `A tender with the id ${command.tenderId} already exists`,
      'TENDER_EXISTS',
    );
  }
  const consultation = command.consultation;
  if (!consultation || consultation.consultationId !== command.consultationId) {
    throw new DomainRuleError(
      `No consultation is known with the id ${command.consultationId}`,
      'UNKNOWN_CONSULTATION',
      { consultationId: command.consultationId },
    );
  }
  if (consultation.org !== command.actorOrg) {
    throw new NotOwnerError(
      `Only procurers of ${consultation.org}, the organisation that ran the consultation, can call for tenders on it`,
      'NOT_OWNER',
      { org: consultation.org },
    );
  }
  const terms = callTerms(command, command.now);
  routeAllows(consultation, terms);
  return {
    type: 'TenderDrafted',
    data: {
      tenderId: command.tenderId,
      org: command.actorOrg,
      consultationId: consultation.consultationId,
      procedure: terms.procedure,
      ppiProcedure: terms.ppiProcedure,
      title: terms.title,
      regions: [...new Set(consultation.regions)],
      budgetEur: terms.budgetEur,
      submissionDeadline: terms.submissionDeadline,
      criteria: terms.criteria,
      phases: terms.phases,
      description: terms.description,
      lots: terms.lots,
    },
  };
}

/** A call follows a consultation routed to its procedure; an innovation partnership is a PPI procedure. */
function routeAllows(consultation: ConsultationFacts, terms: CallTerms): void {
  const { route, consultationId } = consultation;
  if (route === null) {
    throw new DomainRuleError(
      `The consultation ${consultationId} has no route decision yet; decide the route (PCP or PPI) before calling for tenders`,
      'ROUTE_NOT_DECIDED',
      { consultationId },
    );
  }
  const allowed =
    terms.procedure === 'PCP'
      ? route === 'PCP'
      : route === 'PPI' ||
        (route === 'INNOVATION_PARTNERSHIP' && terms.ppiProcedure === 'INNOVATION_PARTNERSHIP');
  if (!allowed) {
    const expected =
      route === 'INNOVATION_PARTNERSHIP'
        ? 'a PPI call with the INNOVATION_PARTNERSHIP procedure'
        : route === 'PCP' || route === 'PPI'
          ? `a ${route} call`
          : 'no PCP or PPI call';
    throw new DomainRuleError(
      `The consultation ${consultationId} was routed to ${route}, which allows ${expected}; this call is ${terms.procedure}${terms.ppiProcedure ? ` (${terms.ppiProcedure})` : ''}`,
      'ROUTE_MISMATCH',
      { consultationId, route, procedure: terms.procedure, ppiProcedure: terms.ppiProcedure },
    );
  }
}

function publication(command: Command<'PublishTender'>, state: TenderState): TenderEvent {
  const { tenderId, org, terms } = owned(command.actorOrg, state, 'publish it');
  if (state.status !== 'DRAFT') {
    throw new InvalidStateError(
      state.status === 'CANCELLED' || state.status === 'UNSUCCESSFUL'
        ? `The tender is ${state.status.toLowerCase()}; it can no longer be published`
        : 'The tender is already published',
      'NOT_DRAFT',
      { status: state.status },
    );
  }
  if (command.now.getTime() >= Date.parse(terms.submissionDeadline)) {
    throw new DomainRuleError(
      `The submission deadline ${terms.submissionDeadline} has passed; amend it before publishing`,
      'DEADLINE_PASSED',
      { submissionDeadline: terms.submissionDeadline },
    );
  }
  return {
    type: 'TenderPublished',
    data: {
      tenderId,
      org,
      procedure: terms.procedure,
      publishedAt: command.now.toISOString(),
      submissionDeadline: terms.submissionDeadline,
    },
  };
}

function amendment(command: Command<'AmendTender'>, state: TenderState): TenderEvent {
  const { tenderId, org, terms } = owned(command.actorOrg, state, 'amend it');
  if (state.status !== 'DRAFT' && state.status !== 'PUBLISHED') {
    throw new InvalidStateError(
      `The tender is ${statusLabel(state)}; a call can be amended only before its submission deadline`,
      'AMENDMENT_CLOSED',
      { status: state.status },
    );
  }
  if (
    state.status === 'PUBLISHED' &&
    command.now.getTime() >= Date.parse(terms.submissionDeadline)
  ) {
    throw new InvalidStateError(
      `The submission deadline ${terms.submissionDeadline} has passed; the call can no longer be amended`,
      'DEADLINE_PASSED',
      { submissionDeadline: terms.submissionDeadline },
    );
  }
  const reason = requiredReason('reason for the amendment', command.reason);
  const changes = command.changes ?? {};
  if (changes.procedure !== undefined && changes.procedure !== terms.procedure) {
    throw new DomainRuleError(
      `A ${terms.procedure} call cannot become ${String(changes.procedure)}; cancel it and draft a new call`,
      'PROCEDURE_FIXED',
    );
  }
  if (changes.consultationId !== undefined && changes.consultationId !== state.consultationId) {
    throw new DomainRuleError(
      `The call follows the consultation ${state.consultationId}; draft a new call for another consultation`,
      'CONSULTATION_FIXED',
    );
  }
  const next = callTerms({ ...terms, ...withoutUndefined(changes) }, command.now);
  const changedFields = changedTerms(terms, next);
  if (changedFields.length === 0) {
    throw new DomainRuleError(
      'The amendment changes nothing; send the fields with their new values',
      'NOTHING_CHANGED',
    );
  }
  const material = changedFields.some((f) => MATERIAL_TERMS.includes(f));
  return {
    type: 'TenderAmended',
    data: {
      tenderId,
      org,
      changedFields,
      submissionDeadline: next.submissionDeadline,
      reason,
      material,
      bidsToReconfirm: material ? state.sealedBids.map((b) => b.bidId) : [],
      terms: next,
    },
    reason,
  };
}

function cancellation(command: Command<'CancelTender'>, state: TenderState): TenderEvent {
  const { tenderId, org } = owned(command.actorOrg, state, 'cancel it');
  stillOpen(state);
  const reason = requiredReason('reason for the cancellation', command.reason);
  return { type: 'TenderCancelled', data: { tenderId, org, outcome: 'CANCELLED', reason }, reason };
}

function unsuccessful(command: Command<'DeclareUnsuccessful'>, state: TenderState): TenderEvent {
  const { tenderId, org } = owned(command.actorOrg, state, 'declare it unsuccessful');
  stillOpen(state);
  if (!['BIDS_CLOSED', 'BIDS_OPENED', 'EVALUATING'].includes(state.status)) {
    throw new InvalidStateError(
      `A tender is unsuccessful when no admissible bid is left after the deadline; this one is ${statusLabel(state)}`,
      'NOT_AFTER_DEADLINE',
      { status: state.status },
    );
  }
  const admissible =
    state.status === 'BIDS_CLOSED' ? state.sealedBids.length : admissibleBids(state).length;
  if (admissible > 0) {
    throw new DomainRuleError(
      `${admissible} admissible bid(s) remain; evaluate them, reject them with a reason, or cancel the tender`,
      'ADMISSIBLE_BIDS_REMAIN',
      { admissible },
    );
  }
  const reason = requiredReason('reason', command.reason);
  return {
    type: 'TenderCancelled',
    data: { tenderId, org, outcome: 'UNSUCCESSFUL', reason },
    reason,
  };
}

// ---------------------------------------------------------------- sealed bids

/** A bid attempt after the deadline of a tender that was published and is not ended. */
export function isLateBid(state: TenderState, now: Date): boolean {
  return (
    state.terms !== null &&
    state.publishedAt !== null &&
    state.status !== 'CANCELLED' &&
    state.status !== 'UNSUCCESSFUL' &&
    now.getTime() >= Date.parse(state.terms.submissionDeadline)
  );
}

/** Bids move only while the tender is published and before the deadline (server clock). */
function acceptingBids(state: TenderState, now: Date, what: string): CallTerms {
  const terms = state.terms as CallTerms;
  if (isLateBid(state, now)) {
    throw new LateBidError(
      `The submission deadline ${terms.submissionDeadline} has passed; ${what} is refused and the refusal is recorded`,
      'BID_DEADLINE_PASSED',
      { submissionDeadline: terms.submissionDeadline },
    );
  }
  if (state.status === 'DRAFT') {
    throw new InvalidStateError(
      'The call is not published yet; bids open with its publication',
      'NOT_PUBLISHED',
    );
  }
  if (state.status !== 'PUBLISHED') {
    throw new InvalidStateError(
      `The tender is ${statusLabel(state)}; it takes no bids`,
      'NOT_ACCEPTING_BIDS',
      {
        status: state.status,
      },
    );
  }
  return terms;
}

function bidSubmission(command: Command<'SubmitBid'>, state: TenderState): TenderEvent {
  const terms = acceptingBids(state, command.now, 'a bid');
  if (command.actorOrg === state.org) {
    throw new DomainRuleError(`${state.org} runs this tender and cannot bid in it`, 'OWN_TENDER');
  }
  if (state.knownBidIds.includes(command.bidId)) {
    throw new InvalidStateError(`A bid with the id ${command.bidId} already exists`, 'BID_EXISTS');
  }
  const lotId = lotOf(terms, command.lotId);
  const own = (command.ownLiveBids ?? []).find(
    (b) => b.lotId === lotId && state.sealedBids.some((s) => s.bidId === b.bidId),
  );
  if (own) {
    throw new InvalidStateError(
      `Your organisation already has the bid ${own.bidId} here${lotId ? ` for lot ${lotId}` : ''}; replace or withdraw it instead`,
      'ALREADY_BID',
      { bidId: own.bidId, lotId },
    );
  }
  return {
    type: 'BidSubmitted',
    data: {
      tenderId: state.tenderId as string,
      bidId: command.bidId,
      sealedDigest: digestOf(command.sealedDigest),
      count: state.sealedBids.length + 1,
    },
  };
}

function bidReplacement(command: Command<'ReplaceBid'>, state: TenderState): TenderEvent {
  const terms = acceptingBids(state, command.now, 'the replacement');
  standingBid(state, command.bidId);
  lotOf(terms, command.lotId);
  return {
    type: 'BidReplaced',
    data: {
      tenderId: state.tenderId as string,
      bidId: command.bidId,
      sealedDigest: digestOf(command.sealedDigest),
    },
  };
}

function bidWithdrawal(command: Command<'WithdrawBid'>, state: TenderState): TenderEvent {
  acceptingBids(state, command.now, 'the withdrawal');
  standingBid(state, command.bidId);
  return {
    type: 'BidWithdrawn',
    data: {
      tenderId: state.tenderId as string,
      bidId: command.bidId,
      count: state.sealedBids.length - 1,
    },
  };
}

function lateBidRefusal(command: Command<'RecordLateBid'>, state: TenderState): TenderEvent {
  if (!isLateBid(state, command.now)) {
    throw new InvalidStateError(
      'This is not a late bid: the tender is not past its submission deadline',
      'NOT_LATE',
    );
  }
  // No bid id, no content, no bidder: a refused bid was never sealed here.
  return {
    type: 'LateBidRefused',
    data: {
      tenderId: state.tenderId as string,
      at: command.now.toISOString(),
      attempt: command.attempt,
    },
  };
}

function biddingClosure(command: Command<'CloseBidding'>, state: TenderState): TenderEvent[] {
  // The scheduler may fire late or twice; only a published tender has bidding to close.
  if (state.status !== 'PUBLISHED') return [];
  const terms = state.terms as CallTerms;
  if (command.now.getTime() < Date.parse(terms.submissionDeadline)) {
    throw new InvalidStateError(
      `Bidding closes at the submission deadline ${terms.submissionDeadline}, not before`,
      'DEADLINE_NOT_REACHED',
      { submissionDeadline: terms.submissionDeadline },
    );
  }
  return [
    {
      type: 'BiddingClosed',
      data: {
        tenderId: state.tenderId as string,
        closedAt: command.now.toISOString(),
        submissionDeadline: terms.submissionDeadline,
        count: state.sealedBids.length,
      },
    },
  ];
}

function bidOpening(command: Command<'OpenBids'>, state: TenderState): TenderEvent {
  const { tenderId, org, terms } = owned(command.actorOrg, state, 'open its bids');
  if (state.status === 'DRAFT' || state.status === 'PUBLISHED') {
    throw new InvalidStateError(
      `Bids stay sealed until bidding closes at the submission deadline ${terms.submissionDeadline}`,
      'BIDDING_NOT_CLOSED',
      { submissionDeadline: terms.submissionDeadline },
    );
  }
  if (state.status !== 'BIDS_CLOSED') {
    throw new InvalidStateError(
      `The tender is ${statusLabel(state)}; its bids are not waiting to be opened`,
      'NOT_CLOSED',
      {
        status: state.status,
      },
    );
  }
  if (state.sealedBids.length === 0) {
    throw new DomainRuleError(
      'No bid arrived before the deadline; declare the tender unsuccessful with a reason',
      'NO_BIDS',
    );
  }
  const revealed = new Map(command.revealed.map((b) => [b.bidId, b]));
  const bids = state.sealedBids.map((sealed): OpenedBidData => {
    const bid = revealed.get(sealed.bidId);
    if (!bid || bid.tenderId !== tenderId) {
      throw new DomainRuleError(
        `The sealed bid ${sealed.bidId} was not brought to the opening; open all standing bids together`,
        'SEALED_BID_MISSING',
        { bidId: sealed.bidId },
      );
    }
    if (bidDigest(bid) !== sealed.sealedDigest) {
      throw new DomainRuleError(
        `The bid ${sealed.bidId} does not match the digest recorded when it was sealed; it cannot be opened`,
        'SEALED_BID_ALTERED',
        { bidId: sealed.bidId },
      );
    }
    return {
      bidId: bid.bidId,
      innovationId: bid.innovationId,
      supplierOrg: bid.supplierOrg,
      sme: bid.sme ?? null,
      declaredTrl: bid.declaredTrl,
      priceEur: bid.priceEur,
      lotId: bid.lotId,
      reconfirmationPending: sealed.reconfirmationPending,
    };
  });
  const extra = command.revealed.find((b) => !state.sealedBids.some((s) => s.bidId === b.bidId));
  if (extra) {
    throw new DomainRuleError(
      `The bid ${extra.bidId} is not a standing bid of this tender`,
      'NOT_A_STANDING_BID',
      { bidId: extra.bidId },
    );
  }
  return {
    type: 'BidsOpened',
    data: { tenderId, org, openedAt: command.now.toISOString(), bids },
  };
}

function bidRejection(command: Command<'RejectBid'>, state: TenderState): TenderEvent {
  const { tenderId } = owned(command.actorOrg, state, 'reject its bids');
  evaluationOpen(state, 'Bid rejections');
  const bid = admissibleBid(state, command.bidId);
  const reason = requiredReason('reason for the rejection', command.reason);
  return {
    type: 'BidRejected',
    data: {
      tenderId,
      bidId: bid.bidId,
      supplierOrg: bid.supplierOrg,
      innovationId: bid.innovationId,
      reason,
    },
    reason,
  };
}

// ---------------------------------------------------------------- evaluation

function evaluatorAssignment(
  command: Command<'AssignEvaluators'>,
  state: TenderState,
): TenderEvent[] {
  const { tenderId } = owned(command.actorOrg, state, 'assign its evaluators');
  evaluationOpen(state, 'Evaluators');
  const ids = idList('evaluatorIds', command.evaluatorIds);
  const added = ids.filter((id) => !state.evaluation.evaluators.includes(id));
  if (added.length === 0) return [];
  return [
    {
      type: 'EvaluatorsAssigned',
      data: { tenderId, evaluatorIds: added, assigned: [...state.evaluation.evaluators, ...added] },
    },
  ];
}

function conflictDeclaration(
  command: Command<'DeclareConflict'>,
  state: TenderState,
): TenderEvent[] {
  evaluationOpen(state, 'Conflict declarations');
  assigned(state, command.evaluatorId);
  const bid = admissibleBid(state, command.bidId);
  if (typeof command.conflict !== 'boolean') {
    throw new DomainRuleError('conflict must be true or false', 'INVALID_DECLARATION');
  }
  const earlier = state.evaluation.declarations[bid.bidId]?.[command.evaluatorId];
  if (earlier === command.conflict) return [];
  if (earlier !== undefined) {
    throw new InvalidStateError(
      `You already declared ${earlier ? 'a conflict of interest' : 'no conflict of interest'} for the bid ${bid.bidId}; a declaration is final`,
      'DECLARATION_FINAL',
      { bidId: bid.bidId, conflict: earlier },
    );
  }
  return [
    {
      type: 'ConflictDeclared',
      data: {
        tenderId: state.tenderId as string,
        bidId: bid.bidId,
        evaluatorId: command.evaluatorId,
        conflict: command.conflict,
        note: optionalText('note', command.note),
      },
    },
  ];
}

function scoring(command: Command<'ScoreBid'>, state: TenderState): TenderEvent[] {
  evaluationOpen(state, 'Scores');
  assigned(state, command.evaluatorId);
  const bid = admissibleBid(state, command.bidId);
  const declared = state.evaluation.declarations[bid.bidId]?.[command.evaluatorId];
  if (declared === undefined) {
    throw new DomainRuleError(
      `Declare whether you have a conflict of interest with the bid ${bid.bidId} before scoring it`,
      'DECLARATION_REQUIRED',
      { bidId: bid.bidId },
    );
  }
  if (declared) {
    throw new DomainRuleError(
      `You declared a conflict of interest for the bid ${bid.bidId}, so you are excluded from scoring it`,
      'CONFLICT_DECLARED',
      { bidId: bid.bidId },
    );
  }
  if (state.evaluation.scores[bid.bidId]?.[command.evaluatorId] !== undefined) {
    throw new InvalidStateError(
      `You already scored the bid ${bid.bidId}; scores are final`,
      'ALREADY_SCORED',
      {
        bidId: bid.bidId,
      },
    );
  }
  const terms = state.terms as CallTerms;
  return [
    {
      type: 'BidScored',
      data: {
        tenderId: state.tenderId as string,
        bidId: bid.bidId,
        evaluatorId: command.evaluatorId,
        scores: scoresFor(terms, command.scores),
        ...(command.evaluatorName ? { evaluatorName: command.evaluatorName } : {}),
      },
    },
  ];
}

/** One score from 0 to 100 per criterion, nothing else; kept in the criteria's order. */
function scoresFor(terms: CallTerms, scores: unknown): CriterionScore[] {
  const names = terms.criteria.map((c) => c.name);
  const list: Array<{ criterion?: unknown; score?: unknown }> = Array.isArray(scores) ? scores : [];
  for (const entry of list) {
    if (!names.includes(entry?.criterion as string)) {
      throw new DomainRuleError(
        `${JSON.stringify(entry?.criterion)} is not a criterion of this call; score ${names.join(', ')}`,
        'UNKNOWN_CRITERION',
        { criterion: entry?.criterion, criteria: names },
      );
    }
    const score = entry.score;
    if (
      typeof score !== 'number' ||
      !Number.isFinite(score) ||
      score < MIN_SCORE ||
      score > MAX_SCORE
    ) {
      throw new DomainRuleError(
        `The score for ${String(entry.criterion)} must be a number from ${MIN_SCORE} to ${MAX_SCORE}, not ${JSON.stringify(score)}`,
        'INVALID_SCORE',
        { criterion: entry.criterion, score },
      );
    }
  }
  const duplicate = firstDuplicate(list.map((e) => e.criterion as string));
  if (duplicate !== null) {
    throw new DomainRuleError(
      `The criterion ${duplicate} is scored twice; give one score per criterion`,
      'DUPLICATE_SCORE',
      {
        criterion: duplicate,
      },
    );
  }
  const missing = names.filter((n) => !list.some((e) => e.criterion === n));
  if (missing.length > 0) {
    throw new DomainRuleError(
      `Score every criterion; missing: ${missing.join(', ')}`,
      'SCORES_INCOMPLETE',
      {
        missing,
      },
    );
  }
  return names.map((criterion) => ({
    criterion,
    score: list.find((e) => e.criterion === criterion)?.score as number,
  }));
}

/** Appends EvaluationCompleted when these events finish the evaluation. */
function withCompletion(state: TenderState, events: TenderEvent | TenderEvent[]): TenderEvent[] {
  const list = Array.isArray(events) ? events : [events];
  if (list.length === 0 || state.status !== 'EVALUATING') return list;
  const after = list.reduce((s, e) => tenderDecider.evolve(s, e), state);
  const bids = evaluatedBids(after);
  if (!evaluationComplete(after.evaluation, bids)) return list;
  const terms = after.terms as CallTerms;
  return [
    ...list,
    {
      type: 'EvaluationCompleted',
      data: {
        tenderId: after.tenderId as string,
        org: after.org as string,
        ranking: rankingOf(terms.criteria, after.evaluation, bids),
      },
    },
  ];
}

function evaluationOpen(state: TenderState, what: string): void {
  if (state.status === 'EVALUATING' && state.ranking !== null) {
    throw new InvalidStateError(
      `The evaluation is complete; ${what.toLowerCase()} can no longer change it`,
      'EVALUATION_COMPLETE',
    );
  }
  if (state.status !== 'BIDS_OPENED' && state.status !== 'EVALUATING') {
    throw new InvalidStateError(
      `${what} belong to the evaluation, between bid opening and award; the tender is ${statusLabel(state)}`,
      'NOT_EVALUATING',
      { status: state.status },
    );
  }
}

function assigned(state: TenderState, evaluatorId: string): void {
  if (!state.evaluation.evaluators.includes(evaluatorId)) {
    throw new NotAssignedError('You are not an assigned evaluator of this tender', 'NOT_ASSIGNED');
  }
}

// ---------------------------------------------------------------- award and phases

function award(command: Command<'AwardContracts'>, state: TenderState): TenderEvent {
  const { tenderId, org, terms } = owned(command.actorOrg, state, 'award its contracts');
  if (state.phase !== null || ENDED_STATUSES.includes(state.status as TenderStatus)) {
    throw new InvalidStateError(
      `The tender is ${statusLabel(state)}; its contracts are already awarded or it has ended`,
      'NOT_AWARDABLE',
      {
        status: state.status,
      },
    );
  }
  if (command.phase !== 1) {
    throw new DomainRuleError(
      `The award covers phase 1; the contracts of phase ${command.phase} come from down-selection`,
      'AWARD_PHASE_1_ONLY',
      { phase: command.phase },
    );
  }
  const ranking = state.ranking;
  if (ranking === null) {
    const outstanding = outstandingWork(state.evaluation, evaluatedBids(state));
    throw new InvalidStateError(
      state.status === 'EVALUATING'
        ? `The evaluation is not complete: ${outstanding.length} declaration(s) or score(s) are outstanding, or a bid has no evaluator without a conflict`
        : `Contracts are awarded after the evaluation; the tender is ${statusLabel(state)}`,
      'EVALUATION_INCOMPLETE',
      { status: state.status, outstanding: outstanding.length },
    );
  }
  const bidIds = idList('bidIds', command.bidIds);
  const chosen = bidIds.map((id) => {
    const entry = ranking.find((r) => r.bidId === id);
    if (!entry) {
      throw new DomainRuleError(
        `The bid ${id} is not an admissible bid of this tender's ranking`,
        'BID_NOT_ADMISSIBLE',
        { bidId: id },
      );
    }
    return entry;
  });
  if (terms.procedure === 'PCP') {
    const max = terms.phases[0].maxSuppliers;
    if (chosen.length > max) {
      throw new DomainRuleError(
        `Phase 1 takes at most ${max} supplier(s); ${chosen.length} bids were chosen`,
        'TOO_MANY_SUPPLIERS',
        { maxSuppliers: max, chosen: chosen.length },
      );
    }
  } else {
    const lotTwice = firstDuplicate(chosen.map((c) => c.lotId ?? ''));
    if (lotTwice !== null) {
      throw new DomainRuleError(
        lotTwice === ''
          ? 'A PPI call without lots is awarded to one bid'
          : `The lot ${lotTwice} is awarded to one bid; ${chosen.filter((c) => c.lotId === lotTwice).length} were chosen`,
        'TOO_MANY_SUPPLIERS',
        { lotId: lotTwice || null },
      );
    }
  }
  const reason = requiredReason('reason for the award', command.reason);
  const justification = optionalReason('justification', command.justification);
  if (terms.procedure === 'PCP' && chosen.length < 2 && justification === null) {
    // DOMAIN: fewer than 2 suppliers in a phase is allowed, but must be justified.
    throw new DomainRuleError(
      `Only ${chosen.length} supplier enters phase 1, which leaves no competition; give a justification`,
      'JUSTIFICATION_REQUIRED',
      { chosen: chosen.length },
    );
  }
  const skipped = passedOver(ranking, bidIds);
  if (skipped.length > 0 && justification === null) {
    throw new DomainRuleError(
      `Higher-ranked bid(s) ${skipped.map((s) => `${s.bidId} (rank ${s.rank}, ${s.weightedScore})`).join(', ')} are passed over; give a justification`,
      'JUSTIFICATION_REQUIRED',
      {
        passedOver: skipped.map(({ bidId, rank, weightedScore }) => ({
          bidId,
          rank,
          weightedScore,
        })),
      },
    );
  }
  const contracts = chosen.map((entry): AwardedContractData => {
    const bid = state.openedBids.find((b) => b.bidId === entry.bidId) as OpenedBidEntry;
    const ids = (command.ids ?? []).find((i) => i.bidId === entry.bidId);
    const frameworkAgreementId = ids?.frameworkAgreementId ?? null;
    if (!ids?.contractId || (terms.procedure === 'PCP' && !frameworkAgreementId)) {
      throw new DomainRuleError(
        `No contract${terms.procedure === 'PCP' ? ' or framework agreement' : ''} id was given for the bid ${entry.bidId}`,
        'IDS_MISSING',
        { bidId: entry.bidId },
      );
    }
    return {
      contractId: ids.contractId,
      frameworkAgreementId: terms.procedure === 'PCP' ? frameworkAgreementId : null,
      bidId: bid.bidId,
      innovationId: bid.innovationId,
      supplierOrg: bid.supplierOrg,
      sme: bid.sme ?? null,
      lotId: bid.lotId,
      priceEur: bid.priceEur,
    };
  });
  newContractIds(
    state,
    contracts.map((c) => c.contractId),
  );
  return {
    type: 'PhaseContractsAwarded',
    data: {
      tenderId,
      org,
      procedure: terms.procedure,
      phase: 1,
      contracts,
      reason,
      justification,
      passedOver: skipped.map((s) => s.bidId),
    },
    reason,
  };
}

function deliverableSubmission(
  command: Command<'SubmitDeliverable'>,
  state: TenderState,
): TenderEvent {
  const contract = runningContract(state, command.contractId, 'Deliverables are submitted');
  if (command.actorOrg !== contract.supplierOrg) {
    throw new NotOwnerError(
      `Only ${contract.supplierOrg}, the holder of the contract ${contract.contractId}, can submit its deliverables`,
      'NOT_CONTRACT_HOLDER',
      { contractId: contract.contractId },
    );
  }
  if (
    state.contracts.some((c) =>
      c.deliverables.some((d) => d.deliverableId === command.deliverableId),
    )
  ) {
    throw new InvalidStateError(
      `A deliverable with the id ${command.deliverableId} already exists`,
      'DELIVERABLE_EXISTS',
    );
  }
  return {
    type: 'DeliverableSubmitted',
    data: {
      tenderId: state.tenderId as string,
      contractId: contract.contractId,
      deliverableId: command.deliverableId,
      phase: contract.phase,
      supplierOrg: contract.supplierOrg,
      title: requiredText('title', command.title, TITLE_LIMIT),
      description: requiredText('description', command.description, undefined, 'withoutSpaces'),
    },
  };
}

function deliverableAcceptance(
  command: Command<'AcceptDeliverable'>,
  state: TenderState,
): TenderEvent {
  owned(command.actorOrg, state, 'accept deliverables');
  const contract = runningContract(state, command.contractId, 'Deliverables are accepted');
  const deliverable = contract.deliverables.find((d) => d.deliverableId === command.deliverableId);
  if (!deliverable) {
    throw new NotFoundError(
      `The contract ${contract.contractId} has no deliverable ${command.deliverableId}`,
      'DELIVERABLE_NOT_FOUND',
    );
  }
  if (deliverable.accepted) {
    throw new InvalidStateError(
      `The deliverable ${deliverable.deliverableId} is already accepted`,
      'ALREADY_ACCEPTED',
    );
  }
  return {
    type: 'DeliverableAccepted',
    data: {
      tenderId: state.tenderId as string,
      contractId: contract.contractId,
      deliverableId: deliverable.deliverableId,
      phase: contract.phase,
      innovationId: contract.innovationId,
      title: deliverable.title,
    },
  };
}

function phaseCompletion(command: Command<'CompletePhase'>, state: TenderState): TenderEvent[] {
  const { tenderId, org, terms } = owned(command.actorOrg, state, 'complete its phases');
  phaseRunning(state, 'A phase is completed');
  const phase = state.phase as number;
  if (command.phase !== phase) {
    throw new DomainRuleError(
      `Phase ${phase} is the running phase, not phase ${command.phase}`,
      'WRONG_PHASE',
      {
        runningPhase: phase,
        phase: command.phase,
      },
    );
  }
  const contracts = state.contracts.filter((c) => c.phase === phase);
  const list: PhaseResultInput[] = Array.isArray(command.results) ? command.results : [];
  const results = list.map((r): PhaseResultData => {
    const contract = contracts.find((c) => c.contractId === r?.contractId);
    if (!contract) {
      throw new DomainRuleError(
        `${JSON.stringify(r?.contractId)} is not a contract of phase ${phase}`,
        'UNKNOWN_CONTRACT',
        { contractId: r?.contractId, phase },
      );
    }
    if (typeof r.passed !== 'boolean') {
      throw new DomainRuleError(
        `Say whether the contract ${contract.contractId} passed (true or false)`,
        'PASSED_REQUIRED',
        {
          contractId: contract.contractId,
        },
      );
    }
    if (r.passed && !contract.deliverables.some((d) => d.accepted)) {
      throw new DomainRuleError(
        `The contract ${contract.contractId} has no accepted deliverable, so it cannot pass; accept its deliverables first or fail it with a reason`,
        'NO_ACCEPTED_DELIVERABLE',
        { contractId: contract.contractId },
      );
    }
    return {
      contractId: contract.contractId,
      innovationId: contract.innovationId,
      supplierOrg: contract.supplierOrg,
      passed: r.passed,
      assessedTrl: trlLevel(`assessed TRL of the contract ${contract.contractId}`, r.assessedTrl),
      reason: requiredReason(
        `reason for the result of the contract ${contract.contractId}`,
        r.reason,
      ),
    };
  });
  const twice = firstDuplicate(results.map((r) => r.contractId));
  if (twice !== null) {
    throw new DomainRuleError(
      `The contract ${twice} has two results; give one per contract`,
      'DUPLICATE_RESULT',
      {
        contractId: twice,
      },
    );
  }
  const missing = contracts.filter((c) => !results.some((r) => r.contractId === c.contractId));
  if (missing.length > 0) {
    throw new DomainRuleError(
      `Give a result for every contract of phase ${phase}; missing: ${missing.map((c) => c.contractId).join(', ')}`,
      'RESULTS_INCOMPLETE',
      { missing: missing.map((c) => c.contractId) },
    );
  }
  const source = terms.procedure === 'PCP' ? 'PCP_PHASE' : 'PPI_CONTRACT';
  const events: TenderEvent[] = [
    { type: 'PhaseCompleted', data: { tenderId, phase, results } },
    ...results.map((r): TenderEvent => ({
      type: 'TrlAssessedInPhase',
      data: {
        tenderId,
        phase,
        contractId: r.contractId,
        innovationId: r.innovationId,
        trl: r.assessedTrl,
        kind: 'ASSESSED',
        source,
        reason: r.reason,
      },
      reason: r.reason,
    })),
  ];
  const lastPhase = terms.procedure === 'PPI' || phase === terms.phases.length;
  if (lastPhase) {
    events.push({ type: 'TenderCompleted', data: { tenderId, org, procedure: terms.procedure } });
  }
  return events;
}

function downSelection(command: Command<'DownSelectSuppliers'>, state: TenderState): TenderEvent {
  const { tenderId, terms } = owned(command.actorOrg, state, 'down-select its suppliers');
  if (terms.procedure !== 'PCP') {
    throw new DomainRuleError(
      'A PPI call has one award phase; there is nothing to down-select into',
      'NO_PHASES',
    );
  }
  if (state.status !== 'PHASE_REVIEW') {
    throw new InvalidStateError(
      state.status === 'AWARDED' || state.status === 'IN_PHASE'
        ? `Complete phase ${state.phase} with its results before down-selecting into the next phase`
        : `The tender is ${statusLabel(state)}; down-selection follows a completed phase`,
      'NOT_IN_REVIEW',
      { status: state.status },
    );
  }
  const fromPhase = state.phase as number;
  if (command.toPhase !== fromPhase + 1) {
    throw new DomainRuleError(
      `Phase ${fromPhase} was just completed, so suppliers are down-selected into phase ${fromPhase + 1}, not ${command.toPhase}`,
      'WRONG_PHASE',
      { fromPhase, toPhase: command.toPhase },
    );
  }
  const plan = terms.phases[fromPhase];
  const previous = state.contracts.filter((c) => c.phase === fromPhase);
  const continuing = Array.isArray(command.continuing) ? command.continuing : [];
  if (continuing.length === 0) {
    throw new DomainRuleError(
      'Choose at least one contract to continue; to end the call instead, cancel the tender with a reason',
      'NONE_SELECTED',
    );
  }
  idList(
    'contractIds',
    continuing.map((c) => c.previousContractId),
  );
  const chosen = continuing.map((c) => {
    const before = previous.find((p) => p.contractId === c.previousContractId);
    if (!before) {
      throw new DomainRuleError(
        `${c.previousContractId} is not a contract of phase ${fromPhase}; only its suppliers can go on`,
        'UNKNOWN_CONTRACT',
        { contractId: c.previousContractId, phase: fromPhase },
      );
    }
    if (!before.result?.passed) {
      throw new DomainRuleError(
        `The contract ${before.contractId} did not pass the evaluation of phase ${fromPhase}; only suppliers who passed can go on`,
        'CONTRACT_NOT_PASSED',
        { contractId: before.contractId },
      );
    }
    return { before, contractId: c.contractId };
  });
  if (chosen.length > plan.maxSuppliers || chosen.length > previous.length) {
    throw new DomainRuleError(
      `Phase ${plan.number} takes at most ${Math.min(plan.maxSuppliers, previous.length)} supplier(s) (its maximum is ${plan.maxSuppliers}, phase ${fromPhase} had ${previous.length}); ${chosen.length} were chosen`,
      'TOO_MANY_SUPPLIERS',
      {
        maxSuppliers: plan.maxSuppliers,
        previousPhaseSuppliers: previous.length,
        chosen: chosen.length,
      },
    );
  }
  const reason = requiredReason('reason for the down-selection', command.reason);
  const justification = optionalReason('justification', command.justification);
  if (chosen.length < 2 && justification === null) {
    throw new DomainRuleError(
      `Only ${chosen.length} supplier goes on into phase ${plan.number}, which leaves no competition; give a justification`,
      'JUSTIFICATION_REQUIRED',
      { chosen: chosen.length },
    );
  }
  newContractIds(
    state,
    chosen.map((c) => c.contractId),
  );
  const continued: ContinuingContract[] = chosen.map(({ before, contractId }) => ({
    contractId,
    previousContractId: before.contractId,
    innovationId: before.innovationId,
    supplierOrg: before.supplierOrg,
  }));
  const dropped: DroppedContract[] = previous
    .filter((p) => !chosen.some((c) => c.before.contractId === p.contractId))
    .map((p) => ({ contractId: p.contractId, innovationId: p.innovationId }));
  return {
    type: 'SuppliersDownSelected',
    data: {
      tenderId,
      fromPhase,
      toPhase: plan.number,
      continued,
      dropped,
      reason,
      justification,
    },
    reason,
  };
}

// ---------------------------------------------------------------- queries

/** Bids opened and not rejected, in the order they arrived. */
export function admissibleBids(state: TenderState): OpenedBidEntry[] {
  return state.openedBids.filter((b) => b.rejection === null);
}

export function evaluatedBids(state: TenderState): EvaluatedBid[] {
  return admissibleBids(state).map((b) => ({ bidId: b.bidId, lotId: b.lotId }));
}

export interface Viewer {
  userId: string;
  org: string;
  roles: readonly string[];
}

/**
 * Who may see the ranking: the contracting authority's procurers and auditors at any time
 * (the scores so far), assigned evaluators only once the evaluation is complete, so that no
 * evaluator scores knowing another's scores. Nobody else.
 */
export function rankingVisibleTo(state: TenderState, viewer: Viewer): boolean {
  if (state.status === 'NONE' || state.openedBids.length === 0) return false;
  if (state.evaluation.evaluators.includes(viewer.userId)) return state.ranking !== null;
  if (viewer.roles.includes('auditor')) return true;
  return viewer.roles.includes('procurer') && viewer.org === state.org;
}

/** The evaluators whose scores the viewer may read: their own until everyone has scored. */
export function scoresVisibleTo(state: TenderState, viewer: Viewer): 'ALL' | 'OWN' | 'NONE' {
  if (state.evaluation.evaluators.includes(viewer.userId)) {
    return state.ranking !== null ? 'ALL' : 'OWN';
  }
  return rankingVisibleTo(state, viewer) ? 'ALL' : 'NONE';
}

/** The ranking as far as scored: complete once the evaluation is. */
export function currentRanking(state: TenderState): RankedBidEntry[] {
  if (state.ranking !== null) return state.ranking;
  if (state.terms === null) return [];
  return rankingOf(state.terms.criteria, state.evaluation, evaluatedBids(state));
}

// ---------------------------------------------------------------- shared checks

function owned(
  actorOrg: string,
  state: TenderState,
  what: string,
): { tenderId: string; org: string; terms: CallTerms } {
  const org = state.org as string;
  if (actorOrg !== org) {
    throw new NotOwnerError(
      `Only procurers of ${org}, the contracting authority of this tender, can ${what}`,
      'NOT_OWNER',
      { org },
    );
  }
  return { tenderId: state.tenderId as string, org, terms: state.terms as CallTerms };
}

function stillOpen(state: TenderState): void {
  if (ENDED_STATUSES.includes(state.status as TenderStatus)) {
    throw new InvalidStateError(`The tender is already ${statusLabel(state)}`, 'TENDER_ENDED', {
      status: state.status,
    });
  }
}

const STATUS_LABELS: Record<TenderStatus, string> = {
  DRAFT: 'still a draft',
  PUBLISHED: 'published and taking bids',
  BIDS_CLOSED: 'closed for bids, not opened yet',
  BIDS_OPENED: 'opened, without evaluators yet',
  EVALUATING: 'under evaluation',
  AWARDED: 'awarded, in phase 1',
  IN_PHASE: 'in phase',
  PHASE_REVIEW: 'reviewing phase',
  COMPLETED: 'completed',
  CANCELLED: 'cancelled',
  UNSUCCESSFUL: 'unsuccessful',
};

/** The status in words, for messages: "in phase 2", "under evaluation". */
export function statusLabel(state: TenderState): string {
  if (state.status === 'NONE') return 'unknown';
  const text = STATUS_LABELS[state.status];
  return state.status === 'IN_PHASE' || state.status === 'PHASE_REVIEW'
    ? `${text} ${state.phase}`
    : text;
}

function standingBid(state: TenderState, bidId: string): SealedBidEntry {
  const bid = state.sealedBids.find((b) => b.bidId === bidId);
  if (bid) return bid;
  if (state.knownBidIds.includes(bidId)) {
    throw new InvalidStateError(`The bid ${bidId} was withdrawn`, 'BID_WITHDRAWN');
  }
  throw new NotFoundError(`This tender has no bid ${bidId}`, 'BID_NOT_FOUND');
}

function admissibleBid(state: TenderState, bidId: string): OpenedBidEntry {
  const bid = state.openedBids.find((b) => b.bidId === bidId);
  if (!bid) throw new NotFoundError(`This tender has no opened bid ${bidId}`, 'BID_NOT_FOUND');
  if (bid.rejection !== null) {
    throw new InvalidStateError(`The bid ${bidId} was rejected: ${bid.rejection}`, 'BID_REJECTED', {
      bidId,
    });
  }
  return bid;
}

function lotOf(terms: CallTerms, lotId: unknown): string | null {
  const id = optionalText('lot (lotId)', lotId, 128);
  if (terms.lots.length === 0) {
    if (id !== null) {
      throw new DomainRuleError('This call has no lots; leave lotId out', 'NO_LOTS', { lotId: id });
    }
    return null;
  }
  if (id === null || !terms.lots.some((l) => l.lotId === id)) {
    throw new DomainRuleError(
      `Name the lot the bid answers (lotId): one of ${terms.lots.map((l) => l.lotId).join(', ')}`,
      'UNKNOWN_LOT',
      { lotId: id, lots: terms.lots.map((l) => l.lotId) },
    );
  }
  return id;
}

function digestOf(value: unknown): string {
  if (typeof value !== 'string' || !SHA256_HEX.test(value)) {
    throw new DomainRuleError(
      'A sealed bid is recorded by its SHA-256 digest in lowercase hex',
      'INVALID_DIGEST',
    );
  }
  return value;
}

function phaseRunning(state: TenderState, what: string): void {
  if (state.status !== 'AWARDED' && state.status !== 'IN_PHASE') {
    throw new InvalidStateError(
      state.status === 'PHASE_REVIEW'
        ? `Phase ${state.phase} is completed; down-select the suppliers of the next phase`
        : `${what} while a phase runs; the tender is ${statusLabel(state)}`,
      'PHASE_NOT_RUNNING',
      { status: state.status },
    );
  }
}

function runningContract(state: TenderState, contractId: string, what: string): PhaseContract {
  const contract = state.contracts.find((c) => c.contractId === contractId);
  if (!contract)
    throw new NotFoundError(`This tender has no contract ${contractId}`, 'CONTRACT_NOT_FOUND');
  phaseRunning(state, what);
  if (contract.phase !== state.phase) {
    throw new InvalidStateError(
      `The contract ${contractId} belongs to phase ${contract.phase}, which has ended`,
      'CONTRACT_ENDED',
      { contractId, phase: contract.phase },
    );
  }
  return contract;
}

function newContractIds(state: TenderState, ids: string[]): void {
  const duplicate =
    firstDuplicate(ids) ?? ids.find((id) => state.contracts.some((c) => c.contractId === id));
  if (duplicate) {
    throw new DomainRuleError(`The contract id ${duplicate} is already used`, 'CONTRACT_ID_TAKEN', {
      contractId: duplicate,
    });
  }
}

function updateContract(
  state: TenderState,
  contractId: string,
  change: (contract: PhaseContract) => PhaseContract,
): TenderState {
  return {
    ...state,
    contracts: state.contracts.map((c) => (c.contractId === contractId ? change(c) : c)),
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
