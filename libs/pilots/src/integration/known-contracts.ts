import { Inject, Injectable } from '@nestjs/common';
import {
  PhaseCompletedEvent,
  PhaseContractsAwardedEvent,
  SuppliersDownSelectedEvent,
  TenderAmendedEvent,
  TenderCancelledEvent,
  TenderDraftedEvent,
  type Procedure,
} from '@pcp/contracts';
import { DOCUMENT_STORE, ProjectionView, type DocumentStore } from '@pcp/documents';
import {
  on,
  type HandlerBinding,
  type IntegrationConsumer,
  type IntegrationMessage,
} from '@pcp/messaging';
import { currentTrlOf, type AssessedTrl, type ContractFacts, type ContractStatus } from '../domain';
import { PILOTS_SETTINGS, type PilotsSettings } from '../application/settings';
import { INNOVATION_TRLS, type InnovationTrl } from '../read-models/pilots.projection';

/** What pilots knows of the tenders context: its own copy, fed by its published events. */
export const KNOWN_TENDERS = 'pilots_known_tenders';
export const KNOWN_CONTRACTS = 'pilots_known_contracts';
/** Per innovation, the latest TRL assessed in a PCP intermediate evaluation. */
export const PHASE_TRLS = 'pilots_phase_trls';

type KnownTender = {
  id: string;
  org: string;
  procedure: Procedure;
  /** Phases of the call in force (1 for PPI), as drafted or amended: tells the last PCP phase. */
  phaseCount: number;
};

type KnownContract = {
  id: string;
  contractId: string;
  tenderId: string;
  procedure: Procedure;
  phase: number;
  isLastPhase: boolean;
  supplierOrg: string;
  innovationId: string;
  procurerOrg: string;
  status: ContractStatus;
};

type PhaseTrl = InnovationTrl;

/**
 * Learns tenders and their contracts from `pcp.tenders.events` (or, embedded, the same
 * events from the log). Idempotent: each document remembers the revision of the tender's
 * stream it reflects, so a redelivered or replayed event changes nothing.
 */
@Injectable()
export class TendersEventsConsumer implements IntegrationConsumer {
  readonly name = 'pilots.tenders';
  readonly handlers: HandlerBinding[];

  constructor(@Inject(DOCUMENT_STORE) private readonly documents: DocumentStore) {
    this.handlers = [
      on(TenderDraftedEvent, async (m) => {
        const d = m.data;
        await viewOf(this.documents, m).update<KnownTender>(KNOWN_TENDERS, d.tenderId, () => ({
          id: d.tenderId,
          org: d.org,
          procedure: d.procedure,
          phaseCount: d.procedure === 'PPI' ? 1 : Math.max(1, d.phases.length),
        }));
      }),
      on(TenderAmendedEvent, async (m) => {
        const d = m.data;
        // Only an amendment of a PCP call carries its phase count; others change nothing here.
        if (d.phaseCount === undefined) return;
        const phaseCount = d.phaseCount;
        await viewOf(this.documents, m).update<KnownTender>(KNOWN_TENDERS, d.tenderId, (known) =>
          known && known.procedure === 'PCP' ? { ...known, phaseCount } : undefined,
        );
        const tender = await this.tender(d.tenderId);
        if (tender === null) return;
        await this.eachContractOf(d.tenderId, {}, (doc) =>
          this.contract(m, doc.id, (known) =>
            known
              ? { ...known, isLastPhase: isLastPhase(known.procedure, known.phase, tender) }
              : undefined,
          ),
        );
      }),
      on(PhaseContractsAwardedEvent, async (m) => {
        const d = m.data;
        const tender = await this.tender(d.tenderId);
        for (const c of d.contracts) {
          await this.contract(m, c.contractId, () => ({
            id: c.contractId,
            contractId: c.contractId,
            tenderId: d.tenderId,
            procedure: d.procedure,
            phase: d.phase,
            isLastPhase: isLastPhase(d.procedure, d.phase, tender),
            supplierOrg: c.supplierOrg,
            innovationId: c.innovationId,
            procurerOrg: d.org,
            status: 'ACTIVE',
          }));
        }
      }),
      on(SuppliersDownSelectedEvent, async (m) => {
        const d = m.data;
        const tender = await this.tender(d.tenderId);
        for (const c of d.continued) {
          const previous = await this.known(c.previousContractId);
          await this.contract(m, c.previousContractId, (known) =>
            known && known.status === 'ACTIVE' ? { ...known, status: 'COMPLETED' } : undefined,
          );
          const procurerOrg = tender?.org ?? previous?.procurerOrg;
          const procedure = tender?.procedure ?? previous?.procedure ?? 'PCP';
          if (procurerOrg === undefined) continue;
          await this.contract(m, c.contractId, () => ({
            id: c.contractId,
            contractId: c.contractId,
            tenderId: d.tenderId,
            procedure,
            phase: d.toPhase,
            isLastPhase: isLastPhase(procedure, d.toPhase, tender),
            supplierOrg: c.supplierOrg,
            innovationId: c.innovationId,
            procurerOrg,
            status: 'ACTIVE',
          }));
        }
        for (const c of d.dropped) await this.setStatus(m, c.contractId, 'TERMINATED');
      }),
      on(PhaseCompletedEvent, async (m) => {
        const d = m.data;
        for (const r of d.results) {
          await this.setStatus(m, r.contractId, r.passed ? 'COMPLETED' : 'TERMINATED');
          const assessed: PhaseTrl = {
            innovationId: r.innovationId,
            trl: r.assessedTrl,
            assessedAt: m.time,
            source: `tender ${d.tenderId} phase ${d.phase}`,
          };
          await viewOf(this.documents, m).update<PhaseTrl>(PHASE_TRLS, r.innovationId, (known) =>
            known && Date.parse(known.assessedAt) > Date.parse(assessed.assessedAt)
              ? undefined
              : assessed,
          );
        }
      }),
      on(TenderCancelledEvent, async (m) => {
        await this.eachContractOf(m.data.tenderId, { status: 'ACTIVE' }, (doc) =>
          this.setStatus(m, doc.id, 'TERMINATED'),
        );
      }),
    ];
  }

  private async tender(id: string): Promise<KnownTender | null> {
    return (await this.documents.collection<KnownTender>(KNOWN_TENDERS).get(id))?.data ?? null;
  }

  private async eachContractOf(
    tenderId: string,
    filter: Partial<Pick<KnownContract, 'status'>>,
    visit: (doc: { id: string }) => Promise<void>,
  ): Promise<void> {
    const contracts = this.documents.collection<KnownContract>(KNOWN_CONTRACTS);
    let cursor: string | null = null;
    do {
      const page = await contracts.find({ filter: { tenderId, ...filter }, limit: 500, cursor });
      for (const doc of page.items) await visit(doc);
      cursor = page.nextCursor;
    } while (cursor !== null);
  }

  private async known(id: string): Promise<KnownContract | null> {
    return (await this.documents.collection<KnownContract>(KNOWN_CONTRACTS).get(id))?.data ?? null;
  }

  private async contract(
    message: IntegrationMessage,
    id: string,
    change: (known: KnownContract | null) => KnownContract | undefined,
  ): Promise<void> {
    await viewOf(this.documents, message).update<KnownContract>(KNOWN_CONTRACTS, id, change);
  }

  private setStatus(message: IntegrationMessage, id: string, status: ContractStatus) {
    // A contract that ended stays ended; a completed one is not terminated by a later cancellation.
    return this.contract(message, id, (known) =>
      known && known.status === 'ACTIVE' ? { ...known, status } : undefined,
    );
  }
}

/**
 * A PPI contract, or one of the last phase of the call in force (as drafted or amended). A tender not heard of
 * counts as not last: the plan is then refused rather than let through on a guess.
 */
function isLastPhase(procedure: Procedure, phase: number, tender: KnownTender | null): boolean {
  if (procedure === 'PPI') return true;
  return tender !== null && phase >= tender.phaseCount;
}

function viewOf(documents: DocumentStore, message: IntegrationMessage): ProjectionView {
  return new ProjectionView(documents, {
    id: message.id,
    type: message.type,
    streamId: message.subject,
    revision: message.streamRevision,
    occurredAt: message.time,
    data: message.data,
  });
}

/**
 * Looks contracts and assessed TRLs up in what pilots has learned. The tenders context's
 * events arrive a moment after its commands succeed, so an unknown contract is looked up
 * again every `consistencyPollMs`, up to `consistencyWaitMs`, before it counts as unknown.
 */
@Injectable()
export class KnownContracts {
  constructor(
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
    @Inject(PILOTS_SETTINGS) private readonly settings: PilotsSettings,
  ) {}

  async contract(id: string): Promise<ContractFacts | undefined> {
    const known = await this.settled(
      () => this.documents.collection<KnownContract>(KNOWN_CONTRACTS).get(id),
      (doc) => doc !== null,
    );
    if (!known) return undefined;
    const d = known.data;
    return {
      contractId: d.contractId,
      tenderId: d.tenderId,
      procedure: d.procedure,
      phase: d.phase,
      isLastPhase: d.isLastPhase,
      supplierOrg: d.supplierOrg,
      innovationId: d.innovationId,
      procurerOrg: d.procurerOrg,
      status: d.status,
    };
  }

  /**
   * Waits, up to `consistencyWaitMs`, until the evaluation of the contract's phase is known
   * (the contract has ended and its phase's TRL is recorded); false if it is not by then.
   */
  async phaseEvaluationOf(
    contract: Pick<ContractFacts, 'contractId' | 'innovationId' | 'tenderId' | 'phase'>,
  ): Promise<boolean> {
    const source = `tender ${contract.tenderId} phase ${contract.phase}`;
    const known = await this.settled(
      async () => {
        const [ended, trl] = await Promise.all([
          this.documents.collection<KnownContract>(KNOWN_CONTRACTS).get(contract.contractId),
          this.documents.collection<PhaseTrl>(PHASE_TRLS).get(contract.innovationId),
        ]);
        return ended?.data.status !== 'ACTIVE' && trl?.data.source === source;
      },
      (done) => done,
    );
    return known;
  }

  /** The innovation's latest assessed TRL: PCP intermediate evaluations and pilot assessments. */
  async latestTrl(innovationId: string): Promise<AssessedTrl | null> {
    const [phase, pilot] = await Promise.all([
      this.documents.collection<PhaseTrl>(PHASE_TRLS).get(innovationId),
      this.documents.collection<InnovationTrl>(INNOVATION_TRLS).get(innovationId),
    ]);
    return currentTrlOf(assessedOf(phase?.data), assessedOf(pilot?.data));
  }

  private async settled<T>(read: () => Promise<T>, final: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + this.settings.consistencyWaitMs;
    let value = await read();
    while (!final(value) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.settings.consistencyPollMs));
      value = await read();
    }
    return value;
  }
}

function assessedOf(known: InnovationTrl | undefined): AssessedTrl | null {
  if (!known) return null;
  return { trl: known.trl, assessedAt: known.assessedAt, source: known.source };
}
