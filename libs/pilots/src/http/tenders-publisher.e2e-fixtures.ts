import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type {
  AwardedContract,
  PhaseCompleted,
  PhaseContractsAwarded,
  SuppliersDownSelected,
  TenderAmended,
  TenderCancelled,
  TenderDrafted,
} from '@pcp/contracts';
import { NO_STREAM, aggregateStreamId, type EventStore, type NewEvent } from '@pcp/eventsourcing';
import type { BoundedContext } from '@pcp/platform';

/*
 * Pilots knows the tenders context only through its published language. These suites make
 * tenders and contracts visible the way the tenders context does: they store events on the
 * log of the app under test, in tenders' streams, whose type and data are those of the
 * published schemas (a subset of what tenders stores); the platform publishes them with the
 * default tenders translator and pilots learns from what arrives.
 */

@Module({})
class TendersLogOnly {}

/** The tenders context reduced to what pilots can see of it: its log, published as declared. */
export const tendersAsPublished: BoundedContext = { name: 'tenders', module: TendersLogOnly };

/** A procurer acting in the tenders context. */
export interface Procurer {
  userId: string;
  org: string;
}

export interface Bidder {
  supplierOrg: string;
  /** Default: a new id. */
  innovationId?: string;
  /** Default: a new id. */
  contractId?: string;
}

type Log = { store: Pick<EventStore, 'append'> };

const tenderStream = (id: string) => aggregateStreamId('tenders', 'tender', id);

/** One tender's stream on the log, appended to in order. */
export class PublishedTender {
  private revision = -1n;
  readonly tenderId = `tender-${randomUUID()}`;

  private constructor(
    private readonly log: Log,
    readonly by: Procurer,
    readonly procedure: 'PCP' | 'PPI',
  ) {}

  /** A call drafted by `by`: a PCP with `phases` phases, or a PPI call. */
  static async drafted(
    log: Log,
    by: Procurer,
    procedure: 'PCP' | 'PPI',
    phases = 3,
  ): Promise<PublishedTender> {
    const tender = new PublishedTender(log, by, procedure);
    const names = [
      'SOLUTION_DESIGN',
      'PROTOTYPING',
      'ORIGINAL_DEVELOPMENT_AND_TESTING',
      'P4',
      'P5',
    ];
    const drafted: TenderDrafted = {
      tenderId: tender.tenderId,
      org: by.org,
      consultationId: `cons-${randomUUID()}`,
      procedure,
      ppiProcedure: procedure === 'PPI' ? 'OPEN' : null,
      title: `${procedure}: sepsis early warning`,
      regions: ['ES11'],
      budgetEur: 5_000_000,
      submissionDeadline: '2026-09-30T14:00:00+02:00',
      criteria: [
        { name: 'quality', weight: 80 },
        { name: 'price', weight: 20 },
      ],
      phases:
        procedure === 'PCP'
          ? Array.from({ length: phases }, (_, i) => ({
              number: i + 1,
              name: names[i] as string,
              budgetEur: 500_000,
              durationMonths: 6,
              maxSuppliers: 9 - 2 * i,
            }))
          : [],
    };
    await tender.append('TenderDrafted', drafted);
    return tender;
  }

  /** Contracts of `phase` (1 for PPI) to the bidders; returns them. */
  async award(phase: number, bidders: Bidder[]): Promise<AwardedContract[]> {
    const contracts = bidders.map((b) => ({
      contractId: b.contractId ?? `ctr-${randomUUID()}`,
      bidId: `bid-${randomUUID()}`,
      innovationId: b.innovationId ?? `inno-${randomUUID()}`,
      supplierOrg: b.supplierOrg,
    }));
    const awarded: PhaseContractsAwarded = {
      tenderId: this.tenderId,
      org: this.by.org,
      procedure: this.procedure,
      phase,
      contracts,
      reason: 'Best value for money in the ranking',
      justification: null,
    };
    await this.append('PhaseContractsAwarded', awarded, awarded.reason);
    return contracts;
  }

  /** The intermediate evaluation of `phase`: per contract, passed or not and the assessed TRL. */
  async completePhase(
    phase: number,
    results: { contract: AwardedContract; passed: boolean; assessedTrl: number }[],
  ): Promise<void> {
    const completed: PhaseCompleted = {
      tenderId: this.tenderId,
      phase,
      results: results.map((r) => ({
        contractId: r.contract.contractId,
        innovationId: r.contract.innovationId,
        passed: r.passed,
        assessedTrl: r.assessedTrl,
        reason: r.passed ? 'Deliverables accepted' : 'Deliverables fall short',
      })),
    };
    await this.append('PhaseCompleted', completed);
  }

  /** Contracts of `toPhase - 1` continuing into `toPhase`; returns the new contracts. */
  async downSelect(
    toPhase: number,
    continuing: AwardedContract[],
    dropped: AwardedContract[] = [],
  ): Promise<AwardedContract[]> {
    const continued = continuing.map((c) => ({
      contractId: `ctr-${randomUUID()}`,
      previousContractId: c.contractId,
      innovationId: c.innovationId,
      supplierOrg: c.supplierOrg,
    }));
    const selected: SuppliersDownSelected = {
      tenderId: this.tenderId,
      fromPhase: toPhase - 1,
      toPhase,
      continued,
      dropped: dropped.map((c) => ({ contractId: c.contractId, innovationId: c.innovationId })),
      reason: 'Best value for money after the intermediate evaluation',
      justification: continued.length < 2 ? 'Only one supplier passed the evaluation' : null,
    };
    await this.append('SuppliersDownSelected', selected, selected.reason);
    return continued.map((c) => ({ ...c, bidId: `bid-${randomUUID()}` }));
  }

  /** An amendment of a PCP call that leaves `phaseCount` phases in force. */
  async amendPhases(phaseCount: number): Promise<void> {
    const amended: TenderAmended = {
      tenderId: this.tenderId,
      org: this.by.org,
      changedFields: ['phases'],
      submissionDeadline: '2026-09-30T14:00:00+02:00',
      reason: 'Field testing merged into the prototype phase',
      phaseCount,
    };
    await this.append('TenderAmended', amended, amended.reason);
  }

  async cancel(): Promise<void> {
    const cancelled: TenderCancelled = {
      tenderId: this.tenderId,
      org: this.by.org,
      outcome: 'CANCELLED',
      reason: 'Budget withdrawn by the funder',
    };
    await this.append('TenderCancelled', cancelled, cancelled.reason);
  }

  private async append(type: string, data: unknown, reason: string | null = null): Promise<void> {
    const event: NewEvent = {
      type,
      data,
      actor: { userId: this.by.userId, org: this.by.org, roles: ['procurer'] },
      reason,
      correlationId: randomUUID(),
    };
    await this.log.store.append(
      tenderStream(this.tenderId),
      [event],
      this.revision < 0n ? NO_STREAM : this.revision,
    );
    this.revision++;
  }
}

/**
 * A two-phase PCP run to its last phase: phase 1 awarded to the bidder, evaluated at
 * `phase1Trl` and passed, then down-selected into phase 2. Returns the phase-2 (last
 * phase) contract and the tender.
 */
export async function lastPhaseContract(
  log: Log,
  by: Procurer,
  bidder: Bidder,
  phase1Trl = 6,
): Promise<{ tender: PublishedTender; contract: AwardedContract; phase1: AwardedContract }> {
  const tender = await PublishedTender.drafted(log, by, 'PCP', 2);
  const [phase1] = (await tender.award(1, [bidder])) as [AwardedContract];
  await tender.completePhase(1, [{ contract: phase1, passed: true, assessedTrl: phase1Trl }]);
  const [contract] = (await tender.downSelect(2, [phase1])) as [AwardedContract];
  return { tender, contract, phase1 };
}

/** A PPI call awarded to the bidder. Returns its contract and the tender. */
export async function ppiContract(
  log: Log,
  by: Procurer,
  bidder: Bidder,
): Promise<{ tender: PublishedTender; contract: AwardedContract }> {
  const tender = await PublishedTender.drafted(log, by, 'PPI');
  const [contract] = (await tender.award(1, [bidder])) as [AwardedContract];
  return { tender, contract };
}
