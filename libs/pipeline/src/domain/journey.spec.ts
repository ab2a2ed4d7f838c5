import { advance, newJourney, type Journey, type JourneyStep } from './journey';

const t = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();

const responded: JourneyStep = {
  kind: 'Responded',
  at: t(1),
  supplierOrg: 'org-sme',
  solutionName: 'Sepsis early warning',
  declaredTrl: 4,
  by: 'u-sup',
  links: {
    needId: 'n1',
    needIds: ['n1'],
    consultationId: 'c1',
    regions: ['ES11'],
    procurerOrgs: ['org-p'],
  },
};
const opened: JourneyStep = {
  kind: 'BidOpened',
  at: t(10),
  bidId: 'b1',
  supplierOrg: 'org-sme',
  declaredTrl: 5,
  links: { tenderId: 't1', procedure: 'PCP', regions: ['ES22'], procurerOrgs: ['org-q'] },
};
const award = (
  phase: number,
  day: number,
  contractId: string,
  previousContractId?: string,
): JourneyStep => ({
  kind: 'ContractAwarded',
  at: t(day),
  eventType: phase === 1 ? 'PhaseContractsAwarded' : 'SuppliersDownSelected',
  contractId,
  previousContractId,
  tenderId: 't1',
  procedure: 'PCP',
  phase,
  supplierOrg: 'org-sme',
});

const fold = (steps: JourneyStep[], start: Journey = newJourney('i1')) =>
  steps.reduce(advance, start);

describe('an innovation journey', () => {
  it('learns the supplier’s SME flag at opening, keeps it when an award does not say', () => {
    expect(fold([responded]).supplierSme).toBeNull();
    expect(fold([responded, { ...opened, sme: true }]).supplierSme).toBe(true);
    expect(fold([responded, { ...opened, sme: true }, award(1, 20, 'k1')]).supplierSme).toBe(true);
    // An award that carries the flag tells it when the opening (published earlier) did not.
    const awarded = {
      ...(award(1, 20, 'k1') as Extract<JourneyStep, { kind: 'ContractAwarded' }>),
    };
    expect(fold([responded, opened, { ...awarded, sme: false }]).supplierSme).toBe(false);
  });

  it('starts in CONSULTATION at the response, with the declared TRL and its links', () => {
    const j = fold([responded]);
    expect(j).toMatchObject({
      stage: 'CONSULTATION',
      supplierOrg: 'org-sme',
      needIds: ['n1'],
      consultationId: 'c1',
      regions: ['ES11'],
      procurerOrgs: ['org-p'],
      declaredTrl: 4,
      currentTrl: null,
    });
    expect(j.stageHistory).toEqual([
      { stage: 'CONSULTATION', phase: null, at: t(1), eventType: 'ConsultationResponseSubmitted' },
    ]);
    expect(j.trlHistory).toEqual([
      { trl: 4, kind: 'DECLARED', at: t(1), by: 'u-sup', source: 'consultation c1' },
    ]);
  });

  it('moves through tender and PCP phases, recording the date of each change and merging links', () => {
    const j = fold([responded, opened, award(1, 20, 'k1'), award(2, 60, 'k2', 'k1')]);
    expect(j.stage).toBe('PCP_PHASE');
    expect(j.phase).toBe(2);
    expect(j.stageHistory.map((c) => [c.stage, c.phase, c.at])).toEqual([
      ['CONSULTATION', null, t(1)],
      ['TENDER', null, t(10)],
      ['PCP_PHASE', 1, t(20)],
      ['PCP_PHASE', 2, t(60)],
    ]);
    expect(j.regions).toEqual(['ES11', 'ES22']);
    expect(j.procurerOrgs).toEqual(['org-p', 'org-q']);
    expect(j.bidIds).toEqual(['b1']);
    expect(j.contracts).toEqual([
      { contractId: 'k1', tenderId: 't1', phase: 1, status: 'COMPLETED' },
      { contractId: 'k2', tenderId: 't1', phase: 2, status: 'ACTIVE' },
    ]);
  });

  it('never moves back when a late event of an earlier stage arrives, but dates it in the history', () => {
    const j = fold([award(1, 20, 'k1'), opened, responded]);
    expect(j.stage).toBe('PCP_PHASE');
    expect(j.stageHistory).toEqual(fold([responded, opened, award(1, 20, 'k1')]).stageHistory);
    expect(j.stageHistory.map((c) => c.stage)).toEqual(['CONSULTATION', 'TENDER', 'PCP_PHASE']);
    // The links and declared TRLs still arrive.
    expect(j.consultationId).toBe('c1');
    expect(j.trlHistory.map((r) => r.trl)).toEqual([4, 5]);
  });

  it('keeps the same TRL history whatever order records of one date arrive in', () => {
    const assessed = (source: string, trl: number): JourneyStep => ({
      kind: 'TrlAssessed',
      at: t(30),
      trl,
      by: 'u-eva',
      source,
    });
    const a = fold([responded, assessed('pilot p1', 7), assessed('tender t1 phase 2', 6)]);
    const b = fold([responded, assessed('tender t1 phase 2', 6), assessed('pilot p1', 7)]);
    expect(b.trlHistory).toEqual(a.trlHistory);
    expect(b.currentTrl).toBe(a.currentTrl);
  });

  it('a PPI award is a PPI contract', () => {
    const j = fold([opened, { ...award(1, 20, 'k1'), procedure: 'PPI' } as JourneyStep]);
    expect(j.stage).toBe('PPI_CONTRACT');
    expect(j.procedure).toBe('PPI');
  });

  it('is dropped by a failed phase, and stays dropped', () => {
    const failed: JourneyStep = {
      kind: 'ContractEnded',
      at: t(30),
      eventType: 'PhaseCompleted',
      contractId: 'k1',
      passed: false,
    };
    const j = fold([responded, opened, award(1, 20, 'k1'), failed, award(2, 40, 'k2', 'k1')]);
    expect(j.stage).toBe('DROPPED');
    expect(j.contracts[0].status).toBe('TERMINATED');
    expect(j.stageHistory.at(-1)).toMatchObject({
      stage: 'DROPPED',
      at: t(30),
      eventType: 'PhaseCompleted',
    });
  });

  it('a bid not awarded is dropped; a contracted one is not', () => {
    const notAwarded: JourneyStep = {
      kind: 'NotAwarded',
      at: t(20),
      eventType: 'PhaseContractsAwarded',
    };
    expect(fold([opened, notAwarded]).stage).toBe('DROPPED');
    expect(fold([opened, award(1, 20, 'k1'), notAwarded]).stage).toBe('PCP_PHASE');
  });

  it('the current TRL is the latest assessed one; the history keeps declared and assessed', () => {
    const j = fold([
      responded,
      { kind: 'TrlAssessed', at: t(50), trl: 6, by: 'u-proc', source: 'tender t1 phase 2' },
      { kind: 'TrlAssessed', at: t(90), trl: 8, by: 'u-eva', source: 'pilot p1' },
      { kind: 'TrlAssessed', at: t(70), trl: 7, by: 'u-eva', source: 'pilot p0' },
    ]);
    expect(j.currentTrl).toBe(8);
    expect(j.declaredTrl).toBe(4);
    expect(j.trlHistory.map((r) => [r.trl, r.kind])).toEqual([
      [4, 'DECLARED'],
      [6, 'ASSESSED'],
      [7, 'ASSESSED'],
      [8, 'ASSESSED'],
    ]);
  });

  it('a downgrade lowers the current TRL, and a repeated assessment is recorded once', () => {
    const up: JourneyStep = {
      kind: 'TrlAssessed',
      at: t(50),
      trl: 7,
      by: 'u-eva',
      source: 'pilot p1',
    };
    const down: JourneyStep = {
      kind: 'TrlAssessed',
      at: t(60),
      trl: 5,
      by: 'u-eva',
      source: 'pilot p1',
    };
    const j = fold([up, down, up]);
    expect(j.currentTrl).toBe(5);
    expect(j.trlHistory).toHaveLength(2);
  });

  it('goes from pilot to deployment, or is dropped when deployment is refused', () => {
    const piloted = fold([
      award(1, 20, 'k1'),
      { kind: 'PilotPlanned', at: t(100), pilotId: 'p1' },
      { kind: 'PilotStarted', at: t(110), pilotId: 'p1' },
      { kind: 'PilotCompleted', at: t(200), pilotId: 'p1', outcome: 'SUCCESS' },
    ]);
    expect(piloted.stage).toBe('PILOT');
    expect(piloted.pilots).toEqual([{ pilotId: 'p1', status: 'COMPLETED', outcome: 'SUCCESS' }]);
    expect(piloted.stageHistory.filter((c) => c.stage === 'PILOT')).toHaveLength(1);
    const deployed = advance(piloted, {
      kind: 'DeploymentDecided',
      at: t(210),
      deploy: true,
      sites: ['ES11'],
    });
    expect(deployed).toMatchObject({
      stage: 'DEPLOYED',
      deployment: { deploy: true, sites: ['ES11'], at: t(210) },
    });
    expect(
      advance(piloted, { kind: 'DeploymentDecided', at: t(210), deploy: false, sites: [] }).stage,
    ).toBe('DROPPED');
  });

  it('a pilot does not go back to PLANNED when its start arrives first', () => {
    const j = fold([
      { kind: 'PilotStarted', at: t(110), pilotId: 'p1' },
      { kind: 'PilotPlanned', at: t(100), pilotId: 'p1' },
    ]);
    expect(j.pilots).toEqual([{ pilotId: 'p1', status: 'RUNNING', outcome: null }]);
  });

  it('links learned late join without moving the stage', () => {
    const j = fold([
      opened,
      { kind: 'Linked', links: { needId: 'n1', needIds: ['n1'], procurerOrgs: ['org-p'] } },
    ]);
    expect(j).toMatchObject({
      stage: 'TENDER',
      needId: 'n1',
      needIds: ['n1'],
      procurerOrgs: ['org-p', 'org-q'],
    });
    expect(j.stageHistory).toHaveLength(1);
  });
});
