import { randomUUID } from 'node:crypto';
import { DOCUMENT_STORE, type DocumentStore } from '@pcp/documents';
import {
  ANCHOR_STORE,
  EVENT_STORE_SQL,
  anchorNow,
  type AnchorStore,
  type SqlClient,
} from '@pcp/eventsourcing';
import { createTestApp, type TestApp } from '@pcp/platform';
import { pipelineContext } from '../pipeline.context';
import { PIPELINE_COLLECTIONS } from '../integration/collections';
import {
  OtherContextsLog,
  SEALED,
  otherContextsAsPublished,
  recordedNeed,
  person,
  openedConsultation,
} from './contexts-as-published.e2e-fixtures';

const P = person('u-proc', 'org-sergas', 'procurer');
const A = person('u-sup-a', 'org-sme-a', 'supplier');
const B = person('u-sup-b', 'org-sme-b', 'supplier');
const EVA = person('u-eva', 'org-lab', 'evaluator');

const needId = randomUUID();
const consultationId = randomUUID();
const tenderId = randomUUID();
const pilotId = randomUUID();
const innovationA = randomUUID();
const innovationB = randomUUID();
const bidA = randomUUID();
const bidB = randomUUID();

describe('pipeline: journeys, timelines, audit and analytics over the other contexts’ events', () => {
  let app: TestApp;
  let log: OtherContextsLog;
  const tokens: Record<string, string> = {};
  const s = {
    need: '',
    consultation: '',
    tender: '',
    bidA: '',
    bidB: '',
    pilot: '',
  };

  const get = (path: string, who: string) =>
    app.http().get(path).set('Authorization', `Bearer ${tokens[who]}`);

  beforeAll(async () => {
    app = await createTestApp({ contexts: [...otherContextsAsPublished, pipelineContext] });
    log = new OtherContextsLog(app.store);
    s.need = log.stream('needs', 'need', needId);
    s.consultation = log.stream('consultations', 'consultation', consultationId);
    s.tender = log.stream('tenders', 'tender', tenderId);
    s.bidA = log.stream('tenders', 'bid', bidA);
    s.bidB = log.stream('tenders', 'bid', bidB);
    s.pilot = log.stream('pilots', 'pilot', pilotId);
    const claims: Record<string, { sub: string; org: string; roles: string[] }> = {
      procurer: { sub: 'u-proc', org: 'org-sergas', roles: ['procurer'] },
      otherProcurer: { sub: 'u-q', org: 'org-other', roles: ['procurer'] },
      supplierA: { sub: 'u-sup-a', org: 'org-sme-a', roles: ['supplier'] },
      supplierB: { sub: 'u-sup-b', org: 'org-sme-b', roles: ['supplier'] },
      evaluator: { sub: 'u-eva', org: 'org-lab', roles: ['evaluator'] },
      auditor: { sub: 'u-aud', org: 'org-court', roles: ['auditor'] },
    };
    for (const [who, c] of Object.entries(claims))
      tokens[who] = await app.token(c as Parameters<TestApp['token']>[0]);

    await log.emit(s.need, 'NeedRecorded', recordedNeed(needId, P.org), P);
    await log.emit(
      s.need,
      'NeedValidated',
      { needId, org: P.org, region: 'ES11', rationale: 'Board' },
      P,
    );
    await log.emit(
      s.consultation,
      'ConsultationOpened',
      openedConsultation(consultationId, needId, P.org),
      P,
    );
    await log.emit(
      s.consultation,
      'PriorInformationNoticePublished',
      {
        consultationId,
        org: P.org,
        publishedAt: '2026-01-01T00:00:00.000Z',
        opensAt: '2026-02-01T00:00:00.000Z',
        closesAt: '2026-03-01T00:00:00.000Z',
        leadTimeDays: 31,
        shortLeadTime: false,
      },
      P,
    );
    for (const [innovationId, supplier, trl] of [
      [innovationA, A, 4],
      [innovationB, B, 3],
    ] as const)
      await log.emit(
        s.consultation,
        'ConsultationResponseSubmitted',
        {
          consultationId,
          responseId: randomUUID(),
          innovationId,
          supplierOrg: supplier.org,
          needId,
          buyersGroupId: null,
          solutionName: `Solution of ${supplier.org}`,
          declaredTrl: trl,
        },
        supplier,
      );
    await log.emit(
      s.consultation,
      'ProcurementRouteDecided',
      {
        consultationId,
        org: P.org,
        needId,
        buyersGroupId: null,
        route: 'PCP',
        rationale: 'Best available solution is below TRL 8',
        justification: null,
        stateOfTheArtTrl: 4,
        againstTrlRule: false,
      },
      P,
    );
    await log.emit(
      s.tender,
      'TenderDrafted',
      {
        tenderId,
        org: P.org,
        consultationId,
        procedure: 'PCP',
        ppiProcedure: null,
        title: 'PCP: sepsis early warning',
        regions: ['ES11'],
        budgetEur: 3_000_000,
        submissionDeadline: '2026-06-01T00:00:00.000Z',
        criteria: [{ name: 'quality', weight: 100 }],
        phases: [
          {
            number: 1,
            name: 'SOLUTION_DESIGN',
            budgetEur: 1_000_000,
            durationMonths: 3,
            maxSuppliers: 2,
          },
          {
            number: 2,
            name: 'PROTOTYPING',
            budgetEur: 2_000_000,
            durationMonths: 6,
            maxSuppliers: 1,
          },
        ],
      },
      P,
    );
    await log.emit(
      s.tender,
      'TenderPublished',
      {
        tenderId,
        org: P.org,
        procedure: 'PCP',
        publishedAt: '2026-04-01T00:00:00.000Z',
        submissionDeadline: '2026-06-01T00:00:00.000Z',
      },
      P,
    );
    for (const [bidId, stream, innovationId, supplier, count] of [
      [bidA, s.bidA, innovationA, A, 1],
      [bidB, s.bidB, innovationB, B, 2],
    ] as const) {
      // The bid's own stream holds its content and bidder; it is never published.
      await log.emit(
        stream,
        'SealedBidSubmitted',
        {
          bidId,
          tenderId,
          innovationId,
          supplierOrg: supplier.org,
          text: `Secret offer of ${supplier.org}`,
        },
        supplier,
      );
      await log.emit(s.tender, 'BidSubmitted', { tenderId, bidId, count }, SEALED);
    }
    await app.settle();
  });

  afterAll(async () => {
    await app?.close();
  });

  describe('before the bids are opened', () => {
    it("the innovation starts in CONSULTATION with its declared TRL and its need's links", async () => {
      const res = await get(`/innovations/${innovationA}`, 'supplierA').expect(200);
      expect(res.body).toMatchObject({
        id: innovationA,
        stage: 'CONSULTATION',
        supplierOrg: A.org,
        needId,
        consultationId,
        tenderId: null,
        currentTrl: null,
        declaredTrl: 4,
        regions: ['ES11'],
      });
      expect(res.body.trlHistory).toEqual([
        expect.objectContaining({ trl: 4, kind: 'DECLARED', by: A.userId }),
      ]);
      expect(res.body.warnings).toEqual([]); // its notice came 31 days ahead
    });

    it("the timeline starts with the need's and consultation's earlier events and leaves other suppliers out", async () => {
      const res = await get(`/innovations/${innovationA}/timeline`, 'supplierA').expect(200);
      const items = res.body.items as {
        type: string;
        streamId: string;
        revision: number;
        hash: string;
        actor: unknown;
        reason: string | null;
        occurredAt: string;
      }[];
      expect(items.map((i) => i.type)).toEqual([
        'NeedRecorded',
        'NeedValidated',
        'ConsultationOpened',
        'PriorInformationNoticePublished',
        'ConsultationResponseSubmitted',
        'ProcurementRouteDecided',
      ]);
      expect(items[0]).toMatchObject({
        context: 'needs',
        streamId: s.need,
        revision: 0,
        actor: { userId: P.userId, org: P.org },
      });
      expect(items[1].reason).toBe('Board');
      expect(items[4]).toMatchObject({
        streamId: s.consultation,
        revision: 2,
        actor: { org: A.org },
      });
      for (const item of items) expect(item.hash).toMatch(/^[0-9a-f]{64}$/);
      const body = JSON.stringify(res.body);
      expect(body).not.toContain(B.org);
      expect(body).not.toContain(bidA);
    });

    it('the audit withholds a sealed bid, and no filter finds it by its bidder', async () => {
      const sealed = await get(`/audit/events?streamId=${s.bidA}`, 'auditor').expect(200);
      expect(sealed.body.items).toHaveLength(1);
      expect(sealed.body.items[0]).toMatchObject({
        type: 'SealedBidSubmitted',
        sealed: true,
        data: null,
        actor: null,
      });
      expect(JSON.stringify(sealed.body)).not.toContain(A.org);
      const byOrg = await get(`/audit/events?org=${A.org}`, 'auditor').expect(200);
      expect(byOrg.body.items.map((e: { type: string }) => e.type)).toEqual([
        'ConsultationResponseSubmitted',
      ]);
      const byActor = await get(`/audit/events?actor=${B.userId}`, 'auditor').expect(200);
      expect(byActor.body.items).toHaveLength(1);
    });
  });

  describe('after opening, award, phases, pilot and deployment', () => {
    beforeAll(async () => {
      await log.emit(
        s.tender,
        'BidsOpened',
        {
          tenderId,
          org: P.org,
          openedAt: '2026-06-02T00:00:00.000Z',
          bids: [
            // A says it is an SME; B's bid is published as before the flag existed.
            {
              bidId: bidA,
              innovationId: innovationA,
              supplierOrg: A.org,
              declaredTrl: 5,
              sme: true,
            },
            { bidId: bidB, innovationId: innovationB, supplierOrg: B.org, declaredTrl: 4 },
          ],
        },
        P,
      );
      await log.emit(
        s.tender,
        'EvaluationCompleted',
        {
          tenderId,
          org: P.org,
          ranking: [
            { bidId: bidA, rank: 1, weightedScore: 80 },
            { bidId: bidB, rank: 2, weightedScore: 70 },
          ],
        },
        P,
      );
      await log.emit(
        s.tender,
        'PhaseContractsAwarded',
        {
          tenderId,
          org: P.org,
          procedure: 'PCP',
          phase: 1,
          contracts: [
            { contractId: 'k-a1', bidId: bidA, innovationId: innovationA, supplierOrg: A.org },
            { contractId: 'k-b1', bidId: bidB, innovationId: innovationB, supplierOrg: B.org },
          ],
          reason: 'Best two bids',
          justification: null,
        },
        P,
        'Best two bids',
      );
      await log.emit(
        s.tender,
        'PhaseCompleted',
        {
          tenderId,
          phase: 1,
          results: [
            {
              contractId: 'k-a1',
              innovationId: innovationA,
              passed: true,
              assessedTrl: 5,
              reason: 'Design sound',
            },
            {
              contractId: 'k-b1',
              innovationId: innovationB,
              passed: true,
              assessedTrl: 4,
              reason: 'Design adequate',
            },
          ],
        },
        P,
      );
      await log.emit(
        s.tender,
        'SuppliersDownSelected',
        {
          tenderId,
          fromPhase: 1,
          toPhase: 2,
          continued: [
            {
              contractId: 'k-a2',
              previousContractId: 'k-a1',
              innovationId: innovationA,
              supplierOrg: A.org,
            },
          ],
          dropped: [{ contractId: 'k-b1', innovationId: innovationB }],
          reason: 'Best value for money',
          justification: 'One supplier left: the budget allows one prototype',
        },
        P,
      );
      await log.emit(
        s.tender,
        'PhaseCompleted',
        {
          tenderId,
          phase: 2,
          results: [
            {
              contractId: 'k-a2',
              innovationId: innovationA,
              passed: true,
              assessedTrl: 7,
              reason: 'Prototype works',
            },
          ],
        },
        P,
      );
      await log.emit(
        s.pilot,
        'PilotPlanned',
        {
          pilotId,
          org: P.org,
          contractId: 'k-a2',
          innovationId: innovationA,
          testbedId: 'tb-1',
          title: 'Pilot at the emergency department',
          startsAt: '2026-09-01T00:00:00.000Z',
          endsAt: '2026-12-01T00:00:00.000Z',
          kpis: [{ name: 'time to alert', unit: 'min', target: 30, direction: 'LOWER_IS_BETTER' }],
        },
        P,
      );
      await log.emit(
        s.pilot,
        'PilotStarted',
        { pilotId, innovationId: innovationA, startedAt: '2026-09-01T00:00:00.000Z' },
        P,
      );
      await log.emit(
        s.pilot,
        'TrlAssessed',
        {
          pilotId,
          innovationId: innovationA,
          trl: 8,
          evidence: ['m-1'],
          reason: 'Qualified in operation',
          assessedBy: EVA.userId,
          previousTrl: 7,
          downgrade: false,
        },
        EVA,
        'Qualified in operation',
      );
      await log.emit(
        s.pilot,
        'PilotCompleted',
        {
          pilotId,
          innovationId: innovationA,
          outcome: 'SUCCESS',
          kpiResults: [],
          reason: 'Targets met',
        },
        P,
      );
      await log.emit(
        s.pilot,
        'DeploymentDecided',
        {
          pilotId,
          innovationId: innovationA,
          deploy: true,
          assessedTrl: 8,
          sites: ['ES11'],
          reason: 'Roll out region-wide',
        },
        P,
        'Roll out region-wide',
      );
      await app.settle();
    });

    it('the innovation went through every stage, each change dated, with its TRL history and links', async () => {
      const res = await get(`/innovations/${innovationA}`, 'procurer').expect(200);
      const j = res.body;
      expect(j).toMatchObject({
        stage: 'DEPLOYED',
        currentTrl: 8,
        declaredTrl: 5,
        tenderId,
        procedure: 'PCP',
        bidIds: [bidA],
        pilots: [{ pilotId, status: 'COMPLETED', outcome: 'SUCCESS' }],
        deployment: { deploy: true, sites: ['ES11'] },
      });
      expect(
        j.stageHistory.map((c: { stage: string; phase: number | null }) => [c.stage, c.phase]),
      ).toEqual([
        ['CONSULTATION', null],
        ['TENDER', null],
        ['PCP_PHASE', 1],
        ['PCP_PHASE', 2],
        ['PILOT', null],
        ['DEPLOYED', null],
      ]);
      const times = j.stageHistory.map((c: { at: string }) => Date.parse(c.at));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(
        j.trlHistory.map((r: { trl: number; kind: string; by: string; source: string }) => [
          r.trl,
          r.kind,
          r.by,
          r.source,
        ]),
      ).toEqual([
        [4, 'DECLARED', A.userId, `consultation ${consultationId}`],
        [5, 'DECLARED', A.org, `tender ${tenderId} bid ${bidA}`],
        [5, 'ASSESSED', P.userId, `tender ${tenderId} phase 1`],
        [7, 'ASSESSED', P.userId, `tender ${tenderId} phase 2`],
        [8, 'ASSESSED', EVA.userId, `pilot ${pilotId}`],
      ]);
      expect(j.contracts).toEqual([
        { contractId: 'k-a1', tenderId, phase: 1, status: 'COMPLETED' },
        { contractId: 'k-a2', tenderId, phase: 2, status: 'COMPLETED' },
      ]);
    });

    it('the down-selected competitor is DROPPED at the down-selection', async () => {
      const res = await get(`/innovations/${innovationB}`, 'supplierB').expect(200);
      expect(res.body.stage).toBe('DROPPED');
      expect(res.body.stageHistory.at(-1)).toMatchObject({
        stage: 'DROPPED',
        eventType: 'SuppliersDownSelected',
      });
      expect(res.body.contracts).toEqual([
        // Its phase-1 contract was completed; it was not continued into phase 2.
        { contractId: 'k-b1', tenderId, phase: 1, status: 'COMPLETED' },
      ]);
    });

    it('the need followed its consultation and tender', async () => {
      const res = await get(`/innovations/${innovationA}`, 'auditor').expect(200);
      expect(res.body.needIds).toEqual([needId]);
      const needs = app.app.get<DocumentStore>(DOCUMENT_STORE).collection('pipeline_needs');
      const need = (await needs.get(needId))?.data as Record<string, unknown>;
      expect(need).toMatchObject({
        status: 'VALIDATED',
        stage: 'TENDER',
        route: 'PCP',
        consultationIds: [consultationId],
        tenderIds: [tenderId],
        innovationIds: [innovationA, innovationB].sort(),
      });
      expect((need.stageHistory as { stage: string }[]).map((c) => c.stage)).toEqual([
        'NEED',
        'CONSULTATION',
        'TENDER',
      ]);
    });

    it('the timeline shows its own bid once opened, never the competitor’s, in order to the deployment', async () => {
      const res = await get(`/innovations/${innovationA}/timeline`, 'evaluator').expect(200);
      const items = res.body.items as {
        type: string;
        streamId: string;
        revision: number;
        occurredAt: string;
        reason: string | null;
        actor: { userId: string } | null;
      }[];
      const bidEvents = items.filter((i) => i.type === 'BidSubmitted');
      expect(bidEvents).toHaveLength(1);
      expect(bidEvents[0]).toMatchObject({ streamId: s.tender, revision: 2, actor: null });
      expect(items.map((i) => i.type).slice(-5)).toEqual([
        'PilotPlanned',
        'PilotStarted',
        'TrlAssessed',
        'PilotCompleted',
        'DeploymentDecided',
      ]);
      expect(items.find((i) => i.type === 'SuppliersDownSelected')?.reason).toBe(
        'Best value for money',
      );
      expect(items.filter((i) => i.type === 'ConsultationResponseSubmitted')).toHaveLength(1);
      const times = items.map((i) => Date.parse(i.occurredAt));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      const tenderRevisions = items.filter((i) => i.streamId === s.tender).map((i) => i.revision);
      expect(tenderRevisions).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
      expect(JSON.stringify(res.body)).not.toContain(bidB);
    });

    it("the dropped competitor's timeline shows the down-selection that dropped it, not the winner's own events", async () => {
      const res = await get(`/innovations/${innovationB}/timeline`, 'supplierB').expect(200);
      const types = res.body.items.map((i: { type: string }) => i.type);
      expect(types).toContain('SuppliersDownSelected');
      expect(types.filter((t: string) => t === 'ConsultationResponseSubmitted')).toHaveLength(1);
      expect(types.filter((t: string) => t === 'BidSubmitted')).toHaveLength(1);
      expect(types).not.toContain('PilotPlanned');
      expect(types).not.toContain('DeploymentDecided');
      const body = JSON.stringify(res.body);
      expect(body).not.toContain(A.org);
      expect(body).not.toContain(A.userId);
    });

    it('the audit shows the opened bids in full', async () => {
      const res = await get(`/audit/events?streamId=${s.bidA}`, 'auditor').expect(200);
      expect(res.body.items[0]).toMatchObject({
        sealed: false,
        actor: { userId: A.userId, org: A.org },
        data: { innovationId: innovationA, supplierOrg: A.org },
      });
    });
  });

  describe('who sees what', () => {
    const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id).sort();

    it('lists are scoped: a supplier its own, a procurer its own needs’, auditors all', async () => {
      expect(ids((await get('/innovations', 'supplierA').expect(200)).body)).toEqual([innovationA]);
      expect(ids((await get('/innovations', 'supplierB').expect(200)).body)).toEqual([innovationB]);
      expect(ids((await get('/innovations', 'procurer').expect(200)).body)).toEqual(
        [innovationA, innovationB].sort(),
      );
      expect(ids((await get('/innovations', 'otherProcurer').expect(200)).body)).toEqual([]);
      expect(ids((await get('/innovations', 'auditor').expect(200)).body)).toEqual(
        [innovationA, innovationB].sort(),
      );
    });

    it('a user who is both supplier and procurer sees what either role may see, page by page', async () => {
      tokens.both = await app.token({ sub: 'u-both', org: A.org, roles: ['supplier', 'procurer'] });
      expect(ids((await get('/innovations', 'both').expect(200)).body)).toEqual([innovationA]);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const path = `/innovations?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
        const body: { items: { id: string }[]; nextCursor: string | null } = (
          await get(path, 'both').expect(200)
        ).body;
        seen.push(...ids(body));
        cursor = body.nextCursor;
      } while (cursor !== null && seen.length < 10);
      expect(seen).toEqual([innovationA]);
    });

    it('filters by stage, region, procedure and minimum current TRL, and pages', async () => {
      expect(ids((await get('/innovations?stage=DEPLOYED', 'auditor').expect(200)).body)).toEqual([
        innovationA,
      ]);
      expect(ids((await get('/innovations?minTrl=8', 'auditor').expect(200)).body)).toEqual([
        innovationA,
      ]);
      expect(
        ids((await get('/innovations?minTrl=4&stage=DROPPED', 'auditor').expect(200)).body),
      ).toEqual([innovationB]);
      expect(
        ids((await get('/innovations?region=ES11&procedure=PCP', 'auditor').expect(200)).body),
      ).toHaveLength(2);
      expect(ids((await get('/innovations?region=BE2', 'auditor').expect(200)).body)).toEqual([]);
      const first = await get('/innovations?limit=1', 'auditor').expect(200);
      expect(first.body.items).toHaveLength(1);
      const second = await get(
        `/innovations?limit=1&cursor=${first.body.nextCursor}`,
        'auditor',
      ).expect(200);
      expect([first.body.items[0].id, second.body.items[0].id].sort()).toEqual(
        [innovationA, innovationB].sort(),
      );
    });

    it('refuses bad queries with 400, unknown ids with 404, outsiders with 403, no token with 401', async () => {
      await get('/innovations?stage=LAUNCHED', 'auditor').expect(400);
      await get('/innovations?minTrl=10', 'auditor').expect(400);
      await get('/innovations?region=XX99', 'auditor').expect(400);
      await get('/innovations?colour=red', 'auditor').expect(400);
      await get('/innovations?cursor=not-a-cursor', 'auditor').expect(400);
      await get(`/innovations/${randomUUID()}`, 'auditor').expect(404);
      await get(`/innovations/${randomUUID()}/timeline`, 'auditor').expect(404);
      await get(`/innovations/${innovationA}`, 'supplierB').expect(403);
      await get(`/innovations/${innovationA}/timeline`, 'supplierB').expect(403);
      await get(`/innovations/${innovationA}/timeline`, 'otherProcurer').expect(403);
      await app.http().get('/innovations').expect(401);
      await app.http().get(`/innovations/${innovationA}/timeline`).expect(401);
    });
  });

  describe('audit', () => {
    it('is for auditors only', async () => {
      for (const path of ['/audit/events', '/audit/verify', '/audit/anchors']) {
        await get(path, 'procurer').expect(403);
        await get(path, 'supplierA').expect(403);
        await app.http().get(path).expect(401);
      }
    });

    it('pages the log in order with filters, and refuses bad ones', async () => {
      const first = await get('/audit/events?limit=3', 'auditor').expect(200);
      expect(first.body.items.map((e: { type: string }) => e.type)).toEqual([
        'NeedRecorded',
        'NeedValidated',
        'ConsultationOpened',
      ]);
      const next = await get(
        `/audit/events?limit=3&cursor=${first.body.nextCursor}`,
        'auditor',
      ).expect(200);
      expect(next.body.items[0].type).toBe('PriorInformationNoticePublished');
      const opened = await get('/audit/events?type=BidsOpened', 'auditor').expect(200);
      expect(opened.body).toMatchObject({
        items: [{ streamId: s.tender, revision: 4 }],
        nextCursor: null,
      });
      const later = await get(
        `/audit/events?type=NeedRecorded&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
        'auditor',
      ).expect(200);
      expect(later.body.items).toEqual([]);
      await get('/audit/events?from=yesterday', 'auditor').expect(400);
      await get('/audit/events?cursor=abc', 'auditor').expect(400);
      await get('/audit/events?limit=501', 'auditor').expect(400);
    });

    it('verifies every stream of the shared log, or one, and lists the latest anchor', async () => {
      expect((await get('/audit/anchors', 'auditor').expect(200)).body).toEqual({
        items: [],
        nextCursor: null,
      });
      const anchor = await anchorNow(app.store, app.app.get<AnchorStore>(ANCHOR_STORE));
      const all = await get('/audit/verify', 'auditor').expect(200);
      expect(all.body).toMatchObject({
        ok: true,
        checkedStreams: 6,
        checkedEvents: 24,
        anchor: { id: anchor.id, root: anchor.root },
      });
      expect(all.body.firstBroken).toBeUndefined();
      const one = await get(
        `/audit/verify?streamId=${encodeURIComponent(s.tender)}`,
        'auditor',
      ).expect(200);
      expect(one.body).toMatchObject({ ok: true, checkedStreams: 1, checkedEvents: 10 });
      await get(`/audit/verify?streamId=needs-need-${randomUUID()}`, 'auditor').expect(404);
      const anchors = await get('/audit/anchors', 'auditor').expect(200);
      expect(anchors.body.items).toEqual([
        expect.objectContaining({
          id: anchor.id,
          root: anchor.root,
          streamCount: 6,
          eventCount: 24,
        }),
      ]);
    });
  });

  describe('analytics', () => {
    it('funnel per stage, by region and procedure, for procurers and auditors', async () => {
      const res = await get('/analytics/funnel', 'procurer').expect(200);
      expect(res.body).toMatchObject({
        total: 2,
        current: { DEPLOYED: 1, DROPPED: 1, CONSULTATION: 0 },
        reached: { CONSULTATION: 2, TENDER: 2, PCP_PHASE: 2, PILOT: 1, DEPLOYED: 1, DROPPED: 1 },
        bids: 2,
        awards: 2,
        byRegion: [{ region: 'ES11', total: 2 }],
        byProcedure: [{ procedure: 'PCP', total: 2 }],
        smeShare: {
          bids: { total: 2, sme: 1, notSme: 0, unknown: 1, share: 1 },
          awards: { total: 2, sme: 1, notSme: 0, unknown: 1, share: 1 },
        },
      });
      const shares = await get('/analytics/sme-share?region=ES11', 'auditor').expect(200);
      expect(shares.body).toMatchObject({
        region: 'ES11',
        bids: { total: 2, sme: 1, unknown: 1 },
        byProcedure: [{ procedure: 'PCP', awards: { total: 2, sme: 1, share: 1 } }],
      });
      await get('/analytics/sme-share', 'supplierA').expect(403);
      const none = await get('/analytics/funnel?procedure=PPI', 'auditor').expect(200);
      expect(none.body.total).toBe(0);
      await get('/analytics/funnel', 'supplierA').expect(403);
      await get('/analytics/funnel?procedure=OTHER', 'auditor').expect(400);
    });

    it('stage durations: median and 90th percentile of the stages left', async () => {
      const res = await get('/analytics/stage-durations?region=ES11', 'auditor').expect(200);
      const consultation = res.body.stages.find(
        (d: { stage: string }) => d.stage === 'CONSULTATION',
      );
      expect(consultation.count).toBe(2);
      expect(consultation.medianDays).toBeGreaterThan(0);
      expect(consultation.p90Days).toBeGreaterThanOrEqual(consultation.medianDays);
      const pilot = res.body.stages.find((d: { stage: string }) => d.stage === 'PILOT');
      expect(pilot.count).toBe(1);
      await get('/analytics/stage-durations', 'evaluator').expect(403);
    });
  });

  describe('a buyers group', () => {
    it("an innovation answering a group's consultation links every grouped need, its procurers and regions", async () => {
      const Q = person('u-q', 'org-other', 'procurer');
      const [needP, needQ, groupId, groupConsultation, innovation] = Array.from({ length: 5 }, () =>
        randomUUID(),
      );
      for (const [id, by, region] of [
        [needP, P, 'ES11'],
        [needQ, Q, 'ES22'],
      ] as const) {
        const stream = log.stream('needs', 'need', id);
        await log.emit(
          stream,
          'NeedRecorded',
          {
            needId: id,
            org: by.org,
            title: 'Remote monitoring of heart failure',
            region,
            diseaseField: 'cardiovascular',
            scope: ['monitoring'],
            patientPopulation: 5000,
            budgetEstimateEur: 1_000_000,
            barriers: [],
          },
          by,
        );
        await log.emit(
          stream,
          'NeedValidated',
          { needId: id, org: by.org, region, rationale: null },
          by,
        );
      }
      const group = log.stream('needs', 'buyersGroup', groupId);
      await log.emit(
        group,
        'BuyersGroupFormed',
        {
          buyersGroupId: groupId,
          name: 'Heart failure group',
          leadOrg: P.org,
          needIds: [needP],
          regions: ['ES11'],
        },
        P,
      );
      await log.emit(
        group,
        'BuyersGroupJoined',
        { buyersGroupId: groupId, needId: needQ, org: Q.org, region: 'ES22' },
        Q,
      );
      const consultation = log.stream('consultations', 'consultation', groupConsultation);
      await log.emit(
        consultation,
        'ConsultationOpened',
        {
          consultationId: groupConsultation,
          org: P.org,
          needId: null,
          buyersGroupId: groupId,
          regions: ['ES11', 'ES22'],
          title: 'Heart failure consultation',
          opensAt: '2026-02-01T00:00:00.000Z',
          closesAt: '2026-03-01T00:00:00.000Z',
          questions: [],
          stateOfTheArtTrl: 5,
        },
        P,
      );
      await log.emit(
        consultation,
        'ConsultationResponseSubmitted',
        {
          consultationId: groupConsultation,
          responseId: randomUUID(),
          innovationId: innovation,
          supplierOrg: A.org,
          needId: null,
          buyersGroupId: groupId,
          solutionName: 'Heart monitor',
          declaredTrl: 6,
        },
        A,
      );
      await app.settle();
      const journey = (await get(`/innovations/${innovation}`, 'otherProcurer').expect(200)).body;
      expect(journey).toMatchObject({
        buyersGroupId: groupId,
        needIds: [needP, needQ].sort(),
        regions: ['ES11', 'ES22'],
        procurerOrgs: [Q.org, P.org].sort(),
        stage: 'CONSULTATION',
      });
      const timeline = (
        await get(`/innovations/${innovation}/timeline`, 'otherProcurer').expect(200)
      ).body.items as { type: string; streamId: string }[];
      expect(timeline.map((i) => i.type)).toEqual([
        'NeedRecorded',
        'NeedValidated',
        'NeedRecorded',
        'NeedValidated',
        'BuyersGroupFormed',
        'BuyersGroupJoined',
        'ConsultationOpened',
        'ConsultationResponseSubmitted',
      ]);
      expect(new Set(timeline.map((i) => i.streamId)).size).toBe(4);
    });

    it('a join heard of after the consultation (distributed, events lag) still links the joined need, its procurer and region', async () => {
      const R = person('u-r', 'org-third', 'procurer');
      const [needP, needR, groupId, groupConsultation, innovation] = Array.from({ length: 5 }, () =>
        randomUUID(),
      );
      for (const [id, by, region] of [
        [needP, P, 'ES11'],
        [needR, R, 'SE232'],
      ] as const) {
        const stream = log.stream('needs', 'need', id);
        await log.emit(
          stream,
          'NeedRecorded',
          {
            needId: id,
            org: by.org,
            title: 'Genomic results in the oncology record',
            region,
            diseaseField: 'cancer',
            scope: ['diagnosis'],
            patientPopulation: 18000,
            budgetEstimateEur: 2_000_000,
            barriers: [],
          },
          by,
        );
        await log.emit(
          stream,
          'NeedValidated',
          { needId: id, org: by.org, region, rationale: null },
          by,
        );
      }
      const group = log.stream('needs', 'buyersGroup', groupId);
      await log.emit(
        group,
        'BuyersGroupFormed',
        {
          buyersGroupId: groupId,
          name: 'Oncology data group',
          leadOrg: P.org,
          needIds: [needP],
          regions: ['ES11'],
        },
        P,
      );
      // The consultations context opened it knowing the group without R's need yet.
      const consultation = log.stream('consultations', 'consultation', groupConsultation);
      await log.emit(
        consultation,
        'ConsultationOpened',
        {
          consultationId: groupConsultation,
          org: P.org,
          needId: null,
          buyersGroupId: groupId,
          regions: ['ES11'],
          title: 'Oncology data consultation',
          opensAt: '2026-02-01T00:00:00.000Z',
          closesAt: '2026-03-01T00:00:00.000Z',
          questions: [],
          stateOfTheArtTrl: 4,
        },
        P,
      );
      await log.emit(
        consultation,
        'ConsultationResponseSubmitted',
        {
          consultationId: groupConsultation,
          responseId: randomUUID(),
          innovationId: innovation,
          supplierOrg: A.org,
          needId: null,
          buyersGroupId: groupId,
          solutionName: 'Tumour board data hub',
          declaredTrl: 5,
        },
        A,
      );
      await log.emit(
        group,
        'BuyersGroupJoined',
        { buyersGroupId: groupId, needId: needR, org: R.org, region: 'SE232' },
        R,
      );
      await app.settle();
      const journey = (await get(`/innovations/${innovation}`, 'auditor').expect(200)).body;
      expect(journey).toMatchObject({
        buyersGroupId: groupId,
        needIds: [needP, needR].sort(),
        regions: ['ES11', 'SE232'],
        procurerOrgs: [P.org, R.org].sort(),
        stage: 'CONSULTATION',
      });
      const [opened] = await app.store.readStream(consultation);
      const joined = await app.documents.collection('pipeline_needs').get(needR);
      expect(joined?.data).toMatchObject({
        consultationIds: [groupConsultation],
        stage: 'CONSULTATION',
        // Dated by the consultation's opening, as when the join is heard of first.
        stageHistory: [
          { stage: 'NEED' },
          { stage: 'CONSULTATION', at: opened.occurredAt, eventType: 'ConsultationOpened' },
        ],
      });
    });
  });

  describe('OpenAPI', () => {
    it('documents every pipeline route with its roles, response shape and errors', async () => {
      const doc = (await app.http().get('/docs-json').expect(200)).body as {
        paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
      };
      for (const path of [
        '/innovations',
        '/innovations/{id}',
        '/innovations/{id}/timeline',
        '/audit/events',
        '/audit/verify',
        '/audit/anchors',
        '/analytics/funnel',
        '/analytics/stage-durations',
      ]) {
        const get = doc.paths[path]?.get;
        expect([path, get?.responses['200']?.content !== undefined]).toEqual([path, true]);
        expect([path, get?.responses['403'] !== undefined || path === '/innovations']).toEqual([
          path,
          true,
        ]);
      }
    });
  });

  describe('rebuild equals live', () => {
    it('every pipeline document rebuilt from zero equals the live one, field by field', async () => {
      const snapshot = async (documents: DocumentStore) => {
        const out: Record<string, Record<string, unknown>> = {};
        for (const name of PIPELINE_COLLECTIONS) {
          let cursor: string | null = null;
          do {
            const page = await documents.collection(name).find({ limit: 500, cursor });
            for (const doc of page.items)
              out[`${name}/${doc.id}`] = { ...doc.data, applied: doc.applied };
            cursor = page.nextCursor;
          } while (cursor !== null);
        }
        return out;
      };
      const live = await snapshot(app.documents);
      expect(Object.keys(live).length).toBeGreaterThan(20);
      const { dataDir, secret } = app;
      await app.close(true);
      app = await createTestApp({
        contexts: [...otherContextsAsPublished, pipelineContext],
        dataDir,
        secret,
      });
      await app.settle();
      const rebuilt = await snapshot(app.documents);
      expect(Object.keys(rebuilt).sort()).toEqual(Object.keys(live).sort());
      for (const key of Object.keys(live)) {
        for (const field of Object.keys(live[key]))
          expect([key, field, rebuilt[key][field]]).toEqual([key, field, live[key][field]]);
        expect(Object.keys(rebuilt[key]).sort()).toEqual(Object.keys(live[key]).sort());
      }
    });
  });

  describe('a tampered log', () => {
    it('verify names the first broken stream and revision', async () => {
      const sql = app.app.get<SqlClient>(EVENT_STORE_SQL);
      await sql.query(
        `UPDATE eventstore.events SET reason = 'rewritten' WHERE stream_id = $1 AND revision = 0`,
        [s.bidA],
      );
      const all = await get('/audit/verify', 'auditor').expect(200);
      expect(all.body).toMatchObject({
        ok: false,
        firstBroken: { streamId: s.bidA, revision: 0, problem: 'hash-mismatch' },
      });
      const one = await get(
        `/audit/verify?streamId=${encodeURIComponent(s.bidA)}`,
        'auditor',
      ).expect(200);
      expect(one.body).toMatchObject({
        ok: false,
        checkedStreams: 1,
        firstBroken: { streamId: s.bidA, revision: 0, problem: 'hash-mismatch' },
      });
      await get(`/audit/verify?streamId=${encodeURIComponent(s.need)}`, 'auditor').expect(
        200,
        /"ok":true/,
      );
    });
  });
});
