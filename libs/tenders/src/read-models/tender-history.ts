import type {
  OpenedBidData,
  PhaseResultData,
  RankedBidEntry,
  TenderState,
  Viewer,
} from '../domain';

/** A reader of a tender's history who is neither its contracting authority nor an auditor. */
export interface HistoryReader {
  viewer: Viewer;
  /** Assigned to evaluate this tender: reads the opened bids and the completed ranking. */
  evaluator: boolean;
  /** The reader's organisation's bids in this tender. */
  ownBidIds: ReadonlySet<string>;
}

/** How much of one recorded event such a reader sees. */
export type Disclosure = { show: 'all' } | { show: 'part'; data: unknown } | { show: 'withheld' };

const ALL: Disclosure = { show: 'all' };
const WITHHELD: Disclosure = { show: 'withheld' };

/**
 * The history tells a reader no more than the other answers do: the opened bids, the
 * ranking, rejections, deliverables and assessed TRLs of other organisations stay with the
 * contracting authority, auditors and (for bids and ranking) the assigned evaluators, as in
 * `GET .../bids`, `.../ranking` and the tender view. A supplier keeps its own part of each.
 * Awards and down-selections are public, as in the OCDS export.
 */
export function disclosureOf(
  type: string,
  data: unknown,
  state: TenderState,
  reader: HistoryReader,
): Disclosure {
  const org = reader.viewer.org;
  const holds = (contractId: string) =>
    state.contracts.some((c) => c.contractId === contractId && c.supplierOrg === org);
  switch (type) {
    case 'BiddingClosed': {
      // How many bids arrived is the contracting authority's to know, as in the tender view.
      if (reader.evaluator) return ALL;
      const { count: _count, ...closed } = data as { count: number };
      return { show: 'part', data: closed };
    }
    case 'BidsOpened': {
      if (reader.evaluator) return ALL;
      const opened = data as { bids: OpenedBidData[] };
      return {
        show: 'part',
        data: { ...opened, bids: opened.bids.filter((b) => b.supplierOrg === org) },
      };
    }
    case 'BidRejected':
      return reader.evaluator || (data as { supplierOrg: string }).supplierOrg === org
        ? ALL
        : WITHHELD;
    case 'EvaluationCompleted': {
      if (reader.evaluator) return ALL;
      const completed = data as { ranking: RankedBidEntry[] };
      return {
        show: 'part',
        data: {
          ...completed,
          ranking: completed.ranking.filter((r) => reader.ownBidIds.has(r.bidId)),
        },
      };
    }
    case 'DeliverableSubmitted':
    case 'DeliverableAccepted':
    case 'TrlAssessedInPhase':
      return holds((data as { contractId: string }).contractId) ? ALL : WITHHELD;
    case 'PhaseCompleted': {
      const completed = data as { results: PhaseResultData[] };
      return {
        show: 'part',
        data: {
          ...completed,
          // Passed or failed is public (the contract's status); the assessment is not.
          results: completed.results.map((r) =>
            r.supplierOrg === org
              ? r
              : { contractId: r.contractId, supplierOrg: r.supplierOrg, passed: r.passed },
          ),
        },
      };
    }
    default:
      return ALL;
  }
}
