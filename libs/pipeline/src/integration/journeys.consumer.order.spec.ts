import { InMemoryDocumentStore } from '@pcp/documents';
import type { IntegrationMessage } from '@pcp/messaging';
import { JourneysConsumer } from './journeys.consumer';
import { INNOVATIONS, NEEDS } from './collections';

const t = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();

type Emitted = { stream: string; type: string; context: string; day: number; data: object };

// One need, two consultations on it, a response, a tender to its first phase, and the
// innovation's pilot to deployment.
const streams: Emitted[][] = [
  [
    {
      stream: 'need-n1',
      context: 'needs',
      type: 'NeedRecorded',
      day: 1,
      data: { needId: 'n1', org: 'org-q', region: 'ES11', title: 'Sepsis' },
    },
    {
      stream: 'need-n1',
      context: 'needs',
      type: 'NeedValidated',
      day: 2,
      data: { needId: 'n1', org: 'org-q', region: 'ES11' },
    },
  ],
  [
    {
      stream: 'consultation-c1',
      context: 'consultations',
      type: 'ConsultationOpened',
      day: 3,
      data: {
        consultationId: 'c1',
        needId: 'n1',
        org: 'org-p',
        regions: ['ES11'],
        buyersGroupId: null,
      },
    },
    {
      stream: 'consultation-c1',
      context: 'consultations',
      type: 'ConsultationResponseSubmitted',
      day: 4,
      data: {
        consultationId: 'c1',
        needId: 'n1',
        buyersGroupId: null,
        innovationId: 'i1',
        supplierOrg: 'org-sme',
        solutionName: 'Early warning',
        declaredTrl: 4,
      },
    },
  ],
  [
    {
      stream: 'consultation-c2',
      context: 'consultations',
      type: 'ConsultationOpened',
      day: 6,
      data: {
        consultationId: 'c2',
        needId: 'n1',
        org: 'org-p',
        regions: ['ES11'],
        buyersGroupId: null,
      },
    },
  ],
  [
    {
      stream: 'tender-t1',
      context: 'tenders',
      type: 'TenderDrafted',
      day: 8,
      data: {
        tenderId: 't1',
        consultationId: 'c1',
        org: 'org-p',
        procedure: 'PCP',
        regions: ['ES22'],
      },
    },
    {
      stream: 'tender-t1',
      context: 'tenders',
      type: 'BidsOpened',
      day: 10,
      data: {
        tenderId: 't1',
        bids: [
          { bidId: 'b1', innovationId: 'i1', supplierOrg: 'org-sme', sme: true, declaredTrl: 5 },
        ],
      },
    },
    {
      stream: 'tender-t1',
      context: 'tenders',
      type: 'PhaseContractsAwarded',
      day: 12,
      data: {
        tenderId: 't1',
        procedure: 'PCP',
        phase: 1,
        contracts: [{ contractId: 'k1', innovationId: 'i1', supplierOrg: 'org-sme', sme: true }],
      },
    },
    {
      stream: 'tender-t1',
      context: 'tenders',
      type: 'PhaseCompleted',
      day: 15,
      data: {
        tenderId: 't1',
        phase: 1,
        results: [{ contractId: 'k1', innovationId: 'i1', assessedTrl: 6, passed: true }],
      },
    },
  ],
  [
    {
      stream: 'pilot-p1',
      context: 'pilots',
      type: 'PilotPlanned',
      day: 20,
      data: { pilotId: 'p1', innovationId: 'i1' },
    },
    {
      stream: 'pilot-p1',
      context: 'pilots',
      type: 'PilotStarted',
      day: 21,
      data: { pilotId: 'p1', innovationId: 'i1' },
    },
    {
      stream: 'pilot-p1',
      context: 'pilots',
      type: 'TrlAssessed',
      day: 22,
      data: { pilotId: 'p1', innovationId: 'i1', trl: 7, assessedBy: 'u-eva' },
    },
    {
      stream: 'pilot-p1',
      context: 'pilots',
      type: 'PilotCompleted',
      day: 23,
      data: { pilotId: 'p1', innovationId: 'i1', outcome: 'SUCCESS' },
    },
    {
      stream: 'pilot-p1',
      context: 'pilots',
      type: 'DeploymentDecided',
      day: 25,
      data: { pilotId: 'p1', innovationId: 'i1', deploy: true, sites: ['ES11'] },
    },
  ],
];

function message(e: Emitted, revision: number, position: number): IntegrationMessage {
  return {
    id: `${e.stream}-${revision}`,
    type: e.type,
    source: `/pcp/${e.context}`,
    context: e.context as IntegrationMessage['context'],
    specVersion: '1.0',
    time: t(e.day),
    subject: e.stream,
    dataSchema: '',
    key: e.stream,
    data: e.data,
    correlationId: `${e.stream}-${revision}`,
    causationId: null,
    streamRevision: BigInt(revision),
    globalPosition: BigInt(position),
    actor: null,
    eventHash: null,
  };
}

/** Interleaves the streams at random (seeded), keeping each stream's own order. */
function interleaving(seed: number): Emitted[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const cursors = streams.map(() => 0);
  const out: Emitted[] = [];
  for (;;) {
    const open = streams.map((s, i) => i).filter((i) => cursors[i] < streams[i].length);
    if (open.length === 0) return out;
    const pick = open[Math.floor(random() * open.length)];
    out.push(streams[pick][cursors[pick]++]);
  }
}

async function journeys(order: Emitted[]) {
  const documents = new InMemoryDocumentStore();
  const consumer = new JourneysConsumer(documents);
  const revisionOf = new Map(streams.flatMap((s) => s.map((e, i) => [e, i] as const)));
  const inDateOrder = [...order].sort((a, b) => a.day - b.day);
  for (const e of order) {
    const handler = consumer.handlers.find((h) => h.definition.type === e.type);
    if (!handler) throw new Error(`the pipeline follows no ${e.type}`);
    await handler.handle(message(e, revisionOf.get(e) ?? 0, inDateOrder.indexOf(e)) as never);
  }
  return {
    need: (await documents.collection(NEEDS).get('n1'))?.data,
    innovation: (await documents.collection(INNOVATIONS).get('i1'))?.data,
  };
}

describe('journeys whatever order the contexts’ events arrive in', () => {
  it('leaves the same need and innovation journeys as the in-order replay, over 50 interleavings', async () => {
    const inOrder = await journeys(streams.flat().sort((a, b) => a.day - b.day));
    expect(inOrder.need).toMatchObject({
      stage: 'TENDER',
      tenderIds: ['t1'],
      consultationIds: ['c1', 'c2'],
      stageHistory: [
        { stage: 'NEED', at: t(1), eventType: 'NeedRecorded' },
        { stage: 'CONSULTATION', at: t(3), eventType: 'ConsultationOpened' },
        { stage: 'TENDER', at: t(8), eventType: 'TenderDrafted' },
      ],
    });
    expect(inOrder.innovation).toMatchObject({
      stage: 'DEPLOYED',
      currentTrl: 7,
      consultationId: 'c1',
      tenderId: 't1',
      needIds: ['n1'],
      regions: ['ES11', 'ES22'],
      procurerOrgs: ['org-p', 'org-q'],
    });
    expect((inOrder.innovation?.stageHistory as { stage: string }[]).map((c) => c.stage)).toEqual([
      'CONSULTATION',
      'TENDER',
      'PCP_PHASE',
      'PILOT',
      'DEPLOYED',
    ]);
    const orders = new Set<string>();
    for (let seed = 1; seed <= 50; seed++) {
      const order = interleaving(seed);
      orders.add(order.map((e) => `${e.stream}:${e.type}`).join());
      expect({ seed, ...(await journeys(order)) }).toEqual({ seed, ...inOrder });
    }
    // The seeds really shuffle.
    expect(orders.size).toBeGreaterThan(10);
  });
});
