import type { TenderCriterion, TenderPhasePlan } from '@pcp/contracts';
import type { TenderLot, TenderState, TenderStatus, Viewer } from '../domain';

export interface ContractView {
  contractId: string;
  frameworkAgreementId: string | null;
  phase: number;
  bidId: string;
  innovationId: string;
  supplierOrg: string;
  lotId: string | null;
  previousContractId: string | null;
  status: 'RUNNING' | 'PASSED' | 'FAILED';
  /** For the procurer, auditors and the contract holder only. */
  deliverables?: Array<{ deliverableId: string; title: string; accepted: boolean }>;
  assessedTrl?: number | null;
}

/** A tender as a reader may see it. Nothing about a sealed bid appears before opening. */
export interface TenderView {
  id: string;
  org: string;
  consultationId: string;
  procedure: string;
  ppiProcedure: string | null;
  title: string;
  description: string;
  budgetEur: number;
  submissionDeadline: string;
  criteria: TenderCriterion[];
  phases: TenderPhasePlan[];
  lots: TenderLot[];
  regions: string[];
  status: TenderStatus;
  publishedAt: string | null;
  /** The phase whose contracts run or were last completed; null before the award. */
  phase: number | null;
  /** For the owning organisation and auditors: how many bids stand (before opening) or were opened. */
  bidCount?: number;
  /** Public from the award on (as in the OCDS export). */
  contracts: ContractView[];
  revision: number;
}

/**
 * The contracting authority's procurers, and auditors. Platform admins operate the platform
 * (organisations, testbeds, users): bids, scores, deliverables and drafts are not theirs to
 * read, so they see a tender as any other organisation does.
 */
export function seesEverything(state: Pick<TenderState, 'org'>, viewer: Viewer): boolean {
  return (
    (viewer.roles.includes('procurer') && viewer.org === state.org) ||
    viewer.roles.includes('auditor')
  );
}

export function tenderViewFor(state: TenderState, revision: number, viewer: Viewer): TenderView {
  if (state.status === 'NONE' || state.terms === null) {
    throw new Error('a tender view needs a drafted tender');
  }
  const t = state.terms;
  const full = seesEverything(state, viewer);
  const opened = state.openedBids.length > 0;
  return {
    id: state.tenderId as string,
    org: state.org as string,
    consultationId: state.consultationId as string,
    procedure: t.procedure,
    ppiProcedure: t.ppiProcedure,
    title: t.title,
    description: t.description,
    budgetEur: t.budgetEur,
    submissionDeadline: t.submissionDeadline,
    criteria: t.criteria,
    phases: t.phases,
    lots: t.lots,
    regions: state.regions,
    status: state.status,
    publishedAt: state.publishedAt,
    phase: state.phase,
    ...(full ? { bidCount: opened ? state.openedBids.length : state.sealedBids.length } : {}),
    contracts: state.contracts.map((c) => {
      const mine = full || c.supplierOrg === viewer.org;
      const status = c.result === null ? 'RUNNING' : c.result.passed ? 'PASSED' : 'FAILED';
      return {
        contractId: c.contractId,
        frameworkAgreementId: c.frameworkAgreementId,
        phase: c.phase,
        bidId: c.bidId,
        innovationId: c.innovationId,
        supplierOrg: c.supplierOrg,
        lotId: c.lotId,
        previousContractId: c.previousContractId,
        status,
        ...(mine
          ? { deliverables: c.deliverables, assessedTrl: c.result?.assessedTrl ?? null }
          : {}),
      };
    }),
    revision,
  };
}
