import {
  evaluators,
  pcpPhase1Reviewed,
  stateOf,
  suppliers,
} from '../domain/__fixtures__/tender-story';
import { disclosureOf, type HistoryReader } from './tender-history';

const events = pcpPhase1Reviewed();
const state = stateOf(events);
const eventOf = (type: string) => {
  const found = events.find((e) => e.type === type);
  if (!found) throw new Error(`no ${type} in the story`);
  return found;
};
const seen = (type: string, reader: HistoryReader) => {
  const e = eventOf(type);
  return disclosureOf(e.type, e.data, state, reader);
};

// bid-a is suppliers[0]'s, bid-b suppliers[1]'s, bid-c suppliers[2]'s.
const supplierA: HistoryReader = {
  viewer: { userId: 'u-a', org: suppliers[0], roles: ['supplier'] },
  evaluator: false,
  ownBidIds: new Set(['bid-a']),
};
const outsider: HistoryReader = {
  viewer: { userId: 'u-x', org: 'org-elsewhere', roles: ['procurer'] },
  evaluator: false,
  ownBidIds: new Set(),
};
const evaluator: HistoryReader = {
  viewer: { userId: evaluators[0], org: 'org-experts', roles: ['evaluator'] },
  evaluator: true,
  ownBidIds: new Set(),
};

describe("a tender's history after opening, for readers other than the authority and auditors", () => {
  it('shows a supplier its own opened bid only, an outsider none, an assigned evaluator all', () => {
    const bidsOf = (reader: HistoryReader) => {
      const shown = seen('BidsOpened', reader);
      if (shown.show === 'all') return 'all';
      if (shown.show !== 'part') return shown.show;
      return (shown.data as { bids: Array<{ bidId: string }> }).bids.map((b) => b.bidId);
    };
    expect(bidsOf(supplierA)).toEqual(['bid-a']);
    expect(bidsOf(outsider)).toEqual([]);
    expect(bidsOf(evaluator)).toBe('all');
  });

  it('tells no one but an assigned evaluator how many bids arrived when bidding closed', () => {
    const closed = eventOf('BiddingClosed');
    expect(closed.data).toHaveProperty('count');
    for (const reader of [supplierA, outsider]) {
      const shown = seen('BiddingClosed', reader);
      expect(shown.show).toBe('part');
      expect((shown as { data: object }).data).not.toHaveProperty('count');
      expect((shown as { data: object }).data).toHaveProperty('closedAt');
    }
    expect(seen('BiddingClosed', evaluator)).toEqual({ show: 'all' });
  });

  it("shows a supplier its own place in the ranking, not the others'", () => {
    const shown = seen('EvaluationCompleted', supplierA);
    expect(shown.show).toBe('part');
    const ranking = (shown as { data: { ranking: Array<{ bidId: string; rank: number }> } }).data
      .ranking;
    expect(ranking).toEqual([expect.objectContaining({ bidId: 'bid-a', rank: 1 })]);
    expect(seen('EvaluationCompleted', evaluator)).toEqual({ show: 'all' });
  });

  it('withholds deliverables and assessed TRLs from everyone but the contract holder', () => {
    for (const type of ['DeliverableSubmitted', 'DeliverableAccepted', 'TrlAssessedInPhase']) {
      expect(seen(type, supplierA)).toEqual({ show: 'all' }); // ctr-1-bid-a comes first
      expect(seen(type, outsider)).toEqual({ show: 'withheld' });
      expect(seen(type, evaluator)).toEqual({ show: 'withheld' });
    }
  });

  it("keeps whether each contract passed public, and others' assessments and reasons out", () => {
    const shown = seen('PhaseCompleted', supplierA);
    expect(shown.show).toBe('part');
    const results = (shown as { data: { results: unknown[] } }).data.results;
    expect(results).toEqual([
      expect.objectContaining({
        contractId: 'ctr-1-bid-a',
        assessedTrl: 5,
        reason: expect.any(String),
      }),
      { contractId: 'ctr-1-bid-b', supplierOrg: suppliers[1], passed: true },
      { contractId: 'ctr-1-bid-c', supplierOrg: suppliers[2], passed: false },
    ]);
  });

  it('leaves awards public, as the OCDS export does', () => {
    expect(seen('PhaseContractsAwarded', outsider)).toEqual({ show: 'all' });
  });
});
