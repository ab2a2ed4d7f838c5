import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  CommandHandler,
  ConcurrencyError,
  EVENT_STORE,
  NO_STREAM,
  NotFoundError,
  PERSONAL_DATA_VAULT,
  systemActor,
  type CommandMetadata,
  type EventStore,
  type PersonalDataVault,
} from '@pcp/eventsourcing';
import {
  LateBidError,
  NotOwnerError,
  sealedBidDecider,
  tenderDecider,
  type BidAttempt,
  type CallTermsInput,
  type PhaseResultInput,
  type RevealedBid,
  type SealedBidCommand,
  type SealedBidEvent,
  type SealedBidState,
  type TenderCommand,
  type TenderEvent,
  type TenderState,
} from '../domain';
import { KnownConsultations } from '../integration/known-consultations';
import { SEALED_BID_ACTOR, SealedBidStore } from './sealed-bid-store';
import { BID_SEALING_KEY, CLOCK, type Clock } from './settings';
import { bidStream, tenderStream } from './streams';

/** Bid events of the tender stream are recorded under this actor too: the bidder stays in the sealed bid. */
export { SEALED_BID_ACTOR };
/** Timer-driven transitions (the submission deadline passing). */
export const DEADLINE_ACTOR = systemActor('tender-deadline');

export interface TenderOutcome {
  state: TenderState;
  revision: number;
}

export interface BidInput {
  priceEur: unknown;
  technicalProposal: unknown;
  declaredTrl: unknown;
  innovationId?: string | null;
  lotId?: string | null;
  /** The bidder's own contact details; sealed with their personal key before storing. */
  contact?: { name: string; email: string } | null;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Runs the tender commands of procurers, suppliers, evaluators and the deadline scheduler. */
@Injectable()
export class TenderCommands {
  private readonly tenders: CommandHandler<TenderCommand, TenderState, TenderEvent>;
  private readonly bids: CommandHandler<SealedBidCommand, SealedBidState, SealedBidEvent>;
  /** Bid streams, sealed at rest with the context's key. */
  private readonly bidLog: SealedBidStore;
  /** Bid moves on one tender take turns, so that two bids of one organisation cannot both stand. */
  private readonly bidTurns = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly consultations: KnownConsultations,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(BID_SEALING_KEY) sealingKey: Buffer,
  ) {
    const now = () => clock.now();
    this.tenders = new CommandHandler(store, tenderDecider, { now });
    this.bidLog = new SealedBidStore(store, sealingKey);
    this.bids = new CommandHandler(this.bidLog, sealedBidDecider, { now });
  }

  /** Drafts a call on a consultation that tenders has heard was routed to its procedure. */
  async draft(
    input: CallTermsInput & { consultationId: string },
    metadata: CommandMetadata,
  ): Promise<TenderOutcome & { id: string }> {
    const tenderId = randomUUID();
    const consultation = await this.consultations.routed(input.consultationId);
    const result = await this.tenders.handle(
      tenderStream(tenderId),
      {
        ...input,
        type: 'DraftTender',
        tenderId,
        actorOrg: orgOf(metadata),
        consultation,
        now: this.clock.now(),
      },
      metadata,
      NO_STREAM,
    );
    return { id: tenderId, state: result.state, revision: Number(result.revision) };
  }

  publish(id: string, metadata: CommandMetadata, expected?: bigint) {
    return this.run(id, { type: 'PublishTender', now: this.clock.now() }, metadata, expected);
  }

  amend(
    id: string,
    changes: Record<string, unknown>,
    reason: string,
    metadata: CommandMetadata,
    expected?: bigint,
  ) {
    return this.run(
      id,
      { type: 'AmendTender', changes, reason, now: this.clock.now() },
      { ...metadata, reason },
      expected,
    );
  }

  cancel(id: string, reason: string, metadata: CommandMetadata, expected?: bigint) {
    return this.run(id, { type: 'CancelTender', reason }, { ...metadata, reason }, expected);
  }

  /**
   * A bid, or the replacement of the organisation's standing bid (same lot). The content is
   * sealed in the bid's own stream under the bidder's name; the tender records only the id
   * and digest, under the sealed-bid actor. `sme` is the bidder's SME claim (null when its token
   * has none), sealed with the bid; a replacement keeps the first bid's.
   */
  submitBid(
    id: string,
    input: BidInput,
    metadata: CommandMetadata,
    expected?: bigint,
    sme: boolean | null = null,
  ): Promise<{ bidId: string; innovationId: string; replaced: boolean; revision: number }> {
    return this.inTurn(id, () => this.sealAndSubmit(id, input, metadata, expected, sme));
  }

  private async sealAndSubmit(
    id: string,
    input: BidInput,
    metadata: CommandMetadata,
    expected: bigint | undefined,
    sme: boolean | null,
  ): Promise<{ bidId: string; innovationId: string; replaced: boolean; revision: number }> {
    const org = orgOf(metadata);
    const tender = await this.existing(id, expected);
    const standing = await this.standingBids(tender.state, org);
    const { contact: given, ...content } = input;
    // The contact person is the user who bids: their own key seals it, so they (or an admin) can erase it.
    const contact = given
      ? await this.vault.seal(metadata.actor.userId, { name: given.name, email: given.email })
      : null;
    const lotId = input.lotId ?? null;
    const previous = standing.find((b) => b.lotId === lotId);
    const sealNonce = randomBytes(24).toString('base64url');
    if (previous) {
      const reseal: SealedBidCommand = {
        type: 'ResealBid',
        actorOrg: org,
        sealNonce,
        ...content,
        contact,
      };
      const sealedState = (await this.bids.load(bidStream(previous.bidId))).state;
      const [event] = sealedBidDecider.decide(reseal, sealedState);
      const digest = (event.data as { sealedDigest: string }).sealedDigest;
      const command: TenderCommand = {
        type: 'ReplaceBid',
        bidId: previous.bidId,
        sealedDigest: digest,
        lotId,
        now: this.clock.now(),
      };
      await this.rehearse(id, tender.state, command, 'REPLACE');
      await this.bids.handle(bidStream(previous.bidId), reseal, metadata);
      const result = await this.sealed(id, command, metadata);
      return {
        bidId: previous.bidId,
        innovationId: sealedState.bid?.innovationId ?? '',
        replaced: true,
        revision: result,
      };
    }
    const bidId = randomUUID();
    const seal: SealedBidCommand = {
      type: 'SealBid',
      bidId,
      tenderId: id,
      actorOrg: org,
      sme,
      sealNonce,
      innovationId: input.innovationId ?? null,
      contact,
      freshInnovationId: randomUUID(),
      respondentInnovations: await this.consultations.innovations(tender.state.consultationId),
      priceEur: input.priceEur,
      technicalProposal: input.technicalProposal,
      declaredTrl: input.declaredTrl,
      lotId,
    };
    // Decided once without storing, so that bad content or a closed tender stores nothing.
    const [sealedEvent] = sealedBidDecider.decide(seal, sealedBidDecider.initialState());
    const sealedData = sealedEvent.data as RevealedBid & { sealedDigest: string };
    const command: TenderCommand = {
      type: 'SubmitBid',
      bidId,
      actorOrg: org,
      sealedDigest: sealedData.sealedDigest,
      lotId,
      ownLiveBids: standing,
      now: this.clock.now(),
    };
    await this.rehearse(id, tender.state, command, 'SUBMIT');
    await this.bids.handle(bidStream(bidId), seal, metadata, NO_STREAM);
    const revision = await this.sealed(id, command, metadata);
    return { bidId, innovationId: sealedData.innovationId, replaced: false, revision };
  }

  withdrawBid(
    id: string,
    bidId: string,
    reason: string | null,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<{ bidId: string; revision: number }> {
    return this.inTurn(id, () => this.withdrawSealed(id, bidId, reason, metadata, expected));
  }

  private async withdrawSealed(
    id: string,
    bidId: string,
    reason: string | null,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<{ bidId: string; revision: number }> {
    const org = orgOf(metadata);
    const tender = await this.existing(id, expected);
    // Placed and owned are told from the clear part: another organisation's bid is never opened.
    if ((await this.bidLog.tenderOf(bidStream(bidId))) !== id) {
      throw new NotFoundError(`This tender has no bid ${bidId}`, 'BID_NOT_FOUND');
    }
    if (!(await this.bidLog.isBidOf(bidStream(bidId), org))) {
      throw new NotOwnerError(
        'Only the organisation that submitted this bid can replace or withdraw it',
        'NOT_BID_OWNER',
      );
    }
    const command: TenderCommand = { type: 'WithdrawBid', bidId, now: this.clock.now() };
    await this.rehearse(id, tender.state, command, 'WITHDRAW');
    await this.bids.handle(
      bidStream(bidId),
      { type: 'WithdrawSealedBid', actorOrg: org, reason },
      { ...metadata, reason },
    );
    return { bidId, revision: await this.sealed(id, command, metadata) };
  }

  /** Closes bidding when the deadline has passed; harmless when it is already closed. */
  async closeBidding(
    id: string,
    correlationId: string = randomUUID(),
  ): Promise<TenderOutcome & { closedNow: boolean }> {
    const result = await this.tenders.handle(
      tenderStream(id),
      { type: 'CloseBidding', now: this.clock.now() },
      { actor: DEADLINE_ACTOR, correlationId },
    );
    return {
      state: result.state,
      revision: Number(result.revision),
      closedNow: result.events.length > 0,
    };
  }

  /** Opens the sealed bids, closing bidding first when the deadline passed before the scheduler came. */
  async openBids(id: string, metadata: CommandMetadata, expected?: bigint) {
    if (await this.closeIfDue(id, metadata)) expected = undefined;
    const current = await this.existing(id);
    const revealed: RevealedBid[] = [];
    for (const sealed of current.state.sealedBids) {
      const { bid } = await this.bidLog.recordedBid(bidStream(sealed.bidId), sealed.sealedDigest);
      if (bid) revealed.push(bid);
    }
    return this.run(id, { type: 'OpenBids', revealed, now: this.clock.now() }, metadata, expected);
  }

  /** No admissible bid is left after the deadline: the tender ends as UNSUCCESSFUL, with a reason. */
  async declareUnsuccessful(
    id: string,
    reason: string,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<TenderOutcome> {
    if (await this.closeIfDue(id, metadata)) expected = undefined;
    return this.run(id, { type: 'DeclareUnsuccessful', reason }, { ...metadata, reason }, expected);
  }

  /**
   * Records the deadline's passing (as the system) when the owning procurer acts on a tender
   * the scheduler has not closed yet. True when bidding was closed now.
   */
  private async closeIfDue(id: string, metadata: CommandMetadata): Promise<boolean> {
    const { state } = await this.existing(id);
    const due =
      state.status === 'PUBLISHED' &&
      state.terms !== null &&
      this.clock.now().getTime() >= Date.parse(state.terms.submissionDeadline) &&
      state.org === metadata.actor.org;
    if (!due) return false;
    return (await this.closeBidding(id, metadata.correlationId)).closedNow;
  }

  rejectBid(id: string, bidId: string, reason: string, meta: CommandMetadata, expected?: bigint) {
    return this.run(id, { type: 'RejectBid', bidId, reason }, { ...meta, reason }, expected);
  }

  assignEvaluators(id: string, evaluatorIds: string[], meta: CommandMetadata, expected?: bigint) {
    return this.run(id, { type: 'AssignEvaluators', evaluatorIds }, meta, expected);
  }

  declareConflict(
    id: string,
    input: { bidId: string; conflict: boolean; note?: string | null },
    meta: CommandMetadata,
    expected?: bigint,
  ) {
    return this.evaluate(
      id,
      { type: 'DeclareConflict', evaluatorId: meta.actor.userId, ...input },
      meta,
      expected,
    );
  }

  /** `evaluatorName` (from the token) is recorded sealed with the evaluator's own key. */
  async score(
    id: string,
    bidId: string,
    scores: Array<{ criterion: string; score: number }>,
    meta: CommandMetadata,
    expected?: bigint,
    evaluatorName?: string,
  ) {
    const name = evaluatorName
      ? await this.vault.seal(meta.actor.userId, { name: evaluatorName })
      : null;
    return this.evaluate(
      id,
      { type: 'ScoreBid', evaluatorId: meta.actor.userId, bidId, scores, evaluatorName: name },
      meta,
      expected,
    );
  }

  async award(
    id: string,
    input: { phase: number; bidIds: string[]; reason: string; justification?: string | null },
    meta: CommandMetadata,
    expected?: bigint,
  ) {
    const { state } = await this.existing(id);
    const pcp = state.terms?.procedure === 'PCP';
    const ids = (Array.isArray(input.bidIds) ? input.bidIds : []).map((bidId) => ({
      bidId,
      contractId: randomUUID(),
      frameworkAgreementId: pcp ? randomUUID() : null,
    }));
    return this.run(
      id,
      { type: 'AwardContracts', ...input, justification: input.justification ?? null, ids },
      { ...meta, reason: input.reason },
      expected,
    );
  }

  async submitDeliverable(
    id: string,
    contractId: string,
    input: { title: string; description: string },
    meta: CommandMetadata,
    expected?: bigint,
  ) {
    const deliverableId = randomUUID();
    const outcome = await this.run(
      id,
      { type: 'SubmitDeliverable', contractId, deliverableId, ...input },
      meta,
      expected,
    );
    return { deliverableId, ...outcome };
  }

  acceptDeliverable(
    id: string,
    contractId: string,
    deliverableId: string,
    meta: CommandMetadata,
    expected?: bigint,
  ) {
    return this.run(id, { type: 'AcceptDeliverable', contractId, deliverableId }, meta, expected);
  }

  completePhase(
    id: string,
    phase: number,
    results: PhaseResultInput[],
    meta: CommandMetadata,
    expected?: bigint,
  ) {
    return this.run(id, { type: 'CompletePhase', phase, results }, meta, expected);
  }

  downSelect(
    id: string,
    toPhase: number,
    input: { contractIds: string[]; reason: string; justification?: string | null },
    meta: CommandMetadata,
    expected?: bigint,
  ) {
    const continuing = input.contractIds.map((previousContractId) => ({
      previousContractId,
      contractId: randomUUID(),
    }));
    return this.run(
      id,
      {
        type: 'DownSelectSuppliers',
        toPhase,
        continuing,
        reason: input.reason,
        justification: input.justification ?? null,
      },
      { ...meta, reason: input.reason },
      expected,
    );
  }

  /** Evaluator commands carry no organisation: the assignment is by user id. */
  private async evaluate(
    id: string,
    command: TenderCommand,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<TenderOutcome> {
    const result = await this.tenders
      .handle(tenderStream(id), command, metadata, expected)
      .catch(unknownTender(id));
    return { state: result.state, revision: Number(result.revision) };
  }

  private async run(
    id: string,
    command: DistributiveOmit<TenderCommand, 'actorOrg'>,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<TenderOutcome> {
    const result = await this.tenders
      .handle(
        tenderStream(id),
        { ...command, actorOrg: orgOf(metadata) } as TenderCommand,
        metadata,
        expected,
      )
      .catch(unknownTender(id));
    return { state: result.state, revision: Number(result.revision) };
  }

  /** Appends a bid event to the tender under the sealed-bid actor, never the bidder's. */
  private async sealed(
    id: string,
    command: TenderCommand,
    metadata: CommandMetadata,
  ): Promise<number> {
    const result = await this.tenders
      .handle(tenderStream(id), command, {
        actor: SEALED_BID_ACTOR,
        correlationId: metadata.correlationId,
        causationId: metadata.causationId ?? null,
      })
      .catch(async (error: unknown) => {
        // The deadline passed between the rehearsal and now: refused, and recorded as such.
        if (error instanceof LateBidError) await this.recordLateAttempt(id, attemptOf(command));
        throw error;
      });
    return Number(result.revision);
  }

  /**
   * Decides a bid command on the current tender without storing it. A late attempt is
   * recorded (without bid, content or bidder) and refused.
   */
  private async rehearse(
    id: string,
    state: TenderState,
    command: TenderCommand,
    attempt: BidAttempt,
  ): Promise<void> {
    try {
      tenderDecider.decide(command, state);
    } catch (error) {
      if (error instanceof LateBidError) await this.recordLateAttempt(id, attempt);
      throw error;
    }
  }

  private async recordLateAttempt(id: string, attempt: BidAttempt): Promise<void> {
    await this.tenders.handle(
      tenderStream(id),
      { type: 'RecordLateBid', attempt, now: this.clock.now() },
      { actor: SEALED_BID_ACTOR, correlationId: randomUUID() },
    );
  }

  private async inTurn<T>(tenderId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.bidTurns.get(tenderId) ?? Promise.resolve();
    const mine = previous.then(work, work);
    const tail = mine.catch(() => undefined);
    this.bidTurns.set(tenderId, tail);
    try {
      return await mine;
    } finally {
      if (this.bidTurns.get(tenderId) === tail) this.bidTurns.delete(tenderId);
    }
  }

  /** The organisation's standing bids here, read from the sealed bids themselves. */
  private async standingBids(
    state: TenderState,
    org: string,
  ): Promise<Array<{ bidId: string; lotId: string | null }>> {
    const own: Array<{ bidId: string; lotId: string | null }> = [];
    for (const sealed of state.sealedBids) {
      if (!(await this.bidLog.isBidOf(bidStream(sealed.bidId), org))) continue;
      const bid = (await this.bids.load(bidStream(sealed.bidId))).state.bid;
      if (bid?.supplierOrg === org) own.push({ bidId: bid.bidId, lotId: bid.lotId });
    }
    return own;
  }

  /** A sealed bid of this tender, for its bidder's eyes. */
  async sealedBid(id: string, bidId: string): Promise<SealedBidState | null> {
    const state = (await this.bids.load(bidStream(bidId))).state;
    return state.bid?.tenderId === id ? state : null;
  }

  /** The tender as it stands; a stale If-Match fails here, before anything is sealed. */
  private async existing(id: string, expected?: bigint) {
    const loaded = await this.tenders.load(tenderStream(id));
    if (loaded.revision === null) {
      throw new NotFoundError(`There is no tender with the id ${id}`, 'TENDER_NOT_FOUND');
    }
    if (expected !== undefined && expected !== loaded.revision) {
      throw new ConcurrencyError(tenderStream(id), expected, loaded.revision);
    }
    return loaded;
  }
}

function attemptOf(command: TenderCommand): BidAttempt {
  if (command.type === 'ReplaceBid') return 'REPLACE';
  if (command.type === 'WithdrawBid') return 'WITHDRAW';
  return 'SUBMIT';
}

function unknownTender(id: string) {
  return (error: unknown): never => {
    // An If-Match on a tender that does not exist is about an unknown id.
    if (error instanceof ConcurrencyError && error.actual === null) {
      throw new NotFoundError(`There is no tender with the id ${id}`, 'TENDER_NOT_FOUND');
    }
    throw error;
  };
}

function orgOf(metadata: CommandMetadata): string {
  if (!metadata.actor.org) throw new Error('a tender command needs the actor organisation');
  return metadata.actor.org;
}
