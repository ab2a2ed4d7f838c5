import { randomBytes, randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { createTestApp, type TestApp } from '@pcp/platform';
import { requireEngine, uniqueName } from '@pcp/testing';
import { pipelineContext } from '../pipeline.context';
import {
  OtherContextsLog,
  SEALED,
  otherContextsAsPublished,
  recordedNeed,
  person,
  openedConsultation,
} from './contexts-as-published.e2e-fixtures';

// Distributed: the pipeline as its own service with MongoDB read models, learning of the other
// contexts over Kafka only. The other side is one service holding their logs, whose relays
// publish to `pcp.<context>.events` as their services do.
describe('the pipeline as its own service, over Kafka, with MongoDB read models', () => {
  let others: TestApp;
  let pipeline: TestApp;
  const databases: string[] = [];

  beforeAll(async () => {
    const brokers = requireEngine('kafka');
    const mongo = requireEngine('mongo');
    const databaseOf = (name: string) => {
      const url = new URL(mongo);
      url.pathname = `/${uniqueName(name).replace(/-/g, '_')}`;
      databases.push(url.toString());
      return url.toString();
    };
    const secret = randomBytes(32).toString('base64url');
    const shared = {
      INTEGRATION: 'kafka',
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: `${uniqueName('pipeline')}.`,
      READ_MODELS: 'mongo',
    };
    others = await createTestApp({
      contexts: otherContextsAsPublished,
      secret,
      env: { ...shared, MONGO_URL: databaseOf('others') },
    });
    pipeline = await createTestApp({
      contexts: [pipelineContext],
      secret,
      env: { ...shared, MONGO_URL: databaseOf('pipeline') },
    });
  });
  afterAll(async () => {
    await pipeline?.close();
    await others?.close();
    for (const url of databases) {
      const connection = await mongoose.createConnection(url).asPromise();
      await connection.dropDatabase();
      await connection.close();
    }
  });

  it('follows an innovation from the consultation to its PCP contract, with its timeline', async () => {
    const P = person('u-proc', 'org-sergas', 'procurer');
    const A = person('u-sup-a', 'org-sme-a', 'supplier');
    const B = person('u-sup-b', 'org-sme-b', 'supplier');
    const [needId, consultationId, tenderId, innovationA, innovationB, bidA, bidB] = Array.from(
      { length: 7 },
      () => randomUUID(),
    );
    const log = new OtherContextsLog(others.store);
    const need = log.stream('needs', 'need', needId);
    const consultation = log.stream('consultations', 'consultation', consultationId);
    const tender = log.stream('tenders', 'tender', tenderId);

    await log.emit(need, 'NeedRecorded', recordedNeed(needId, P.org), P);
    await log.emit(
      consultation,
      'ConsultationOpened',
      openedConsultation(consultationId, needId, P.org),
      P,
    );
    for (const [innovationId, supplier] of [
      [innovationA, A],
      [innovationB, B],
    ] as const)
      await log.emit(
        consultation,
        'ConsultationResponseSubmitted',
        {
          consultationId,
          responseId: randomUUID(),
          innovationId,
          supplierOrg: supplier.org,
          needId,
          buyersGroupId: null,
          solutionName: `Solution of ${supplier.org}`,
          declaredTrl: 4,
        },
        supplier,
      );
    await log.emit(
      tender,
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
    await log.emit(tender, 'BidSubmitted', { tenderId, bidId: bidA, count: 1 }, SEALED);
    await log.emit(tender, 'BidSubmitted', { tenderId, bidId: bidB, count: 2 }, SEALED);
    await log.emit(
      tender,
      'BidsOpened',
      {
        tenderId,
        org: P.org,
        openedAt: '2026-06-02T00:00:00.000Z',
        bids: [
          { bidId: bidA, innovationId: innovationA, supplierOrg: A.org, declaredTrl: 5 },
          { bidId: bidB, innovationId: innovationB, supplierOrg: B.org, declaredTrl: 4 },
        ],
      },
      P,
    );
    await log.emit(
      tender,
      'PhaseContractsAwarded',
      {
        tenderId,
        org: P.org,
        procedure: 'PCP',
        phase: 1,
        contracts: [
          { contractId: 'k-a1', bidId: bidA, innovationId: innovationA, supplierOrg: A.org },
        ],
        reason: 'Best bid',
        justification: 'One supplier only: the other bid failed the criteria',
      },
      P,
    );

    const supplierA = await pipeline.token({ sub: A.userId, org: A.org, roles: ['supplier'] });
    const auditor = await pipeline.token({ sub: 'u-aud', org: 'org-court', roles: ['auditor'] });
    const read = (path: string, token: string) =>
      pipeline.http().get(path).auth(token, { type: 'bearer' });

    // Kafka delivers a moment later, each topic at its own pace: wait until everything came through.
    const journey = await waitFor(
      () => read(`/innovations/${innovationA}`, supplierA),
      (b) =>
        b.stage === 'PCP_PHASE' &&
        Array.isArray(b.trlHistory) &&
        b.trlHistory.length === 2 &&
        Array.isArray(b.needIds) &&
        b.needIds.length === 1,
    );
    expect(journey).toMatchObject({
      stage: 'PCP_PHASE',
      phase: 1,
      needIds: [needId],
      consultationId,
      tenderId,
      procedure: 'PCP',
      bidIds: [bidA],
      declaredTrl: 5,
    });
    const dropped = await waitFor(
      () => read(`/innovations/${innovationB}`, auditor),
      (b) => b.stage === 'DROPPED',
    );
    expect(dropped.stage).toBe('DROPPED');

    // Scoped lists and array filters from the MongoDB read model.
    const mine = await read('/innovations?stage=PCP_PHASE', supplierA).expect(200);
    expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([innovationA]);

    // The journey may be whole before the needs topic came through: its need's event links on
    // its id, not on the innovation, so the timeline is waited for on its own.
    const timeline = await waitFor(
      () => read(`/innovations/${innovationA}/timeline`, supplierA),
      (b) => Array.isArray(b.items) && b.items.length >= 7,
    );
    expect((timeline.items as { type: string }[]).map((i) => i.type)).toEqual([
      'NeedRecorded',
      'ConsultationOpened',
      'ConsultationResponseSubmitted',
      'TenderDrafted',
      'BidSubmitted',
      'BidsOpened',
      'PhaseContractsAwarded',
    ]);
    expect(JSON.stringify(timeline)).not.toContain(bidB);

    // The pipeline service verifies its own store only: the other services hold theirs.
    const verify = await read('/audit/verify', auditor).expect(200);
    expect(verify.body).toMatchObject({ ok: true, checkedStreams: 0, checkedEvents: 0 });
  }, 120_000);

  async function waitFor(
    request: () => PromiseLike<{ status: number; body: Record<string, unknown> }>,
    done: (body: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 40_000;
    let body: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      const res = await request();
      if (res.status === 200) body = res.body;
      if (done(body)) return body;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return body;
  }
});
