import type { StageChange } from './journey';
import { funnelOf, median, percentile, smeShareOf, stageDurationsOf } from './statistics';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();
const change = (
  stage: StageChange['stage'],
  at: number,
  phase: number | null = null,
): StageChange => ({
  stage,
  phase,
  at: day(at),
  eventType: 'x',
});

describe('statistics', () => {
  it('median of odd and even counts, and none', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('90th percentile by nearest rank', () => {
    const values = Array.from({ length: 10 }, (_, i) => 10 - i); // 10..1
    expect(percentile(values, 90)).toBe(9);
    expect(percentile([7], 90)).toBe(7);
    expect(
      percentile(
        Array.from({ length: 20 }, (_, i) => i + 1),
        90,
      ),
    ).toBe(18);
    expect(percentile([], 90)).toBeNull();
  });

  it('funnel: where innovations are, and how many reached each stage', () => {
    const f = funnelOf([
      {
        stage: 'DEPLOYED',
        stageHistory: [
          change('CONSULTATION', 0),
          change('TENDER', 5),
          change('PILOT', 9),
          change('DEPLOYED', 12),
        ],
      },
      { stage: 'DROPPED', stageHistory: [change('TENDER', 5), change('DROPPED', 8)] },
      {
        stage: 'PCP_PHASE',
        stageHistory: [change('TENDER', 5), change('PCP_PHASE', 6, 1), change('PCP_PHASE', 9, 2)],
      },
    ]);
    expect(f.total).toBe(3);
    expect(f.current).toMatchObject({
      DEPLOYED: 1,
      DROPPED: 1,
      PCP_PHASE: 1,
      TENDER: 0,
      CONSULTATION: 0,
    });
    expect(f.reached).toMatchObject({
      CONSULTATION: 1,
      TENDER: 3,
      PCP_PHASE: 1,
      PILOT: 1,
      DEPLOYED: 1,
      DROPPED: 1,
    });
  });

  it('stage durations: from entering a stage to the next change, phases counted as one stage, running ones left out', () => {
    const durations = stageDurationsOf([
      {
        stageHistory: [
          change('CONSULTATION', 0),
          change('TENDER', 10),
          change('PCP_PHASE', 14, 1),
          change('PCP_PHASE', 20, 2),
          change('PILOT', 44),
        ],
      },
      { stageHistory: [change('CONSULTATION', 0), change('TENDER', 20), change('DROPPED', 22)] },
      { stageHistory: [change('CONSULTATION', 0), change('TENDER', 30)] },
    ]);
    const of = (stage: string) => durations.find((d) => d.stage === stage);
    expect(of('CONSULTATION')).toEqual({
      stage: 'CONSULTATION',
      count: 3,
      medianDays: 20,
      p90Days: 30,
    });
    expect(of('TENDER')).toEqual({ stage: 'TENDER', count: 2, medianDays: 3, p90Days: 4 });
    expect(of('PCP_PHASE')).toEqual({ stage: 'PCP_PHASE', count: 1, medianDays: 30, p90Days: 30 });
    expect(of('PILOT')).toEqual({ stage: 'PILOT', count: 0, medianDays: null, p90Days: null });
  });

  it('SME share of bids and of awards, per innovation, among suppliers whose status is known', () => {
    const bidder = (supplierSme: boolean | null, contracts: number) => ({
      supplierSme,
      bidIds: ['b'],
      contracts: Array.from({ length: contracts }, (_, i) => ({
        contractId: `k${i}`,
        tenderId: 't',
        phase: i + 1,
        status: 'ACTIVE' as const,
      })),
    });
    const share = smeShareOf([
      bidder(true, 3),
      bidder(true, 1),
      bidder(false, 2),
      bidder(true, 0),
      bidder(null, 1),
      // Answered the consultation only: neither a bid nor an award.
      { supplierSme: true, bidIds: [], contracts: [] },
    ]);
    expect(share.bids).toEqual({ total: 5, sme: 3, notSme: 1, unknown: 1, share: 0.75 });
    expect(share.awards).toEqual({ total: 4, sme: 2, notSme: 1, unknown: 1, share: 2 / 3 });
    expect(smeShareOf([bidder(null, 1)]).bids.share).toBeNull();
    expect(smeShareOf([]).awards).toEqual({ total: 0, sme: 0, notSme: 0, unknown: 0, share: null });
  });
});
