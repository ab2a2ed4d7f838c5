/**
 * Audit: how fast an auditor gets an innovation's timeline of ten thousand events over HTTP,
 * and how fast the integrity verifier walks a log compared with hashing the same bytes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import {
  BEFORE_FIRST,
  canonicalJson,
  type EventEnvelope,
  hashedContent,
  PostgresEventStore,
  verifyEventStore,
} from '@pcp/eventsourcing';
import { newJourney, PIPELINE_COLLECTIONS, pipelineContext } from '@pcp/pipeline';
import { createTestApp } from '@pcp/platform';
import type { BenchConfig } from '../config';
import type { BenchEngines } from '../engines';
import { log, now, percentile, perSecond } from '../measure';
import { figure, type Figure } from '../results';
import { writeNeedLog } from '../workload';

const INNOVATIONS = 'pipeline_innovations';
const TIMELINE_EVENTS = 'pipeline_timeline_events';

/** The events of one innovation's life, as the pipeline's timeline collection holds them. */
function timelineEntry(
  i: number,
  ids: { innovationId: string; needId: string; consultationId: string; tenderId: string },
) {
  // A quarter each: its need's, its consultation's, the call's decisions, its own.
  const kind = i % 4;
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return {
    eventId: randomUUID(),
    type: ['NeedPrioritised', 'ConsultationQuestionAnswered', 'BidsOpened', 'DeliverableSubmitted'][
      kind
    ],
    context: ['needs', 'consultations', 'tenders', 'tenders'][kind],
    streamId: `stream-${kind}`,
    revision: Math.floor(i / 4),
    globalPosition: i,
    occurredAt: at,
    actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
    reason: null,
    hash: createHash('sha256').update(String(i)).digest('hex'),
    needIds: kind === 0 ? [ids.needId] : [],
    buyersGroupId: null,
    consultationId: kind === 1 ? ids.consultationId : null,
    tenderId: kind === 2 ? ids.tenderId : null,
    bidId: null,
    pilotId: null,
    innovationIds: kind === 3 ? [ids.innovationId] : [],
  };
}

/**
 * Runs in a worker thread: a few warm-up requests, then requests one after the other, as many
 * as asked but within about a minute (at least 20), so that a slow timeline still gives its
 * percentile in bounded time. Latency is until the last byte arrived; every answer must be
 * 200 and as long as the first.
 */
const TIMED_REQUESTS = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, headers, bytes, requests } = workerData;
async function get() {
  const t0 = performance.now();
  const response = await fetch(url, { headers });
  let received = 0;
  for await (const chunk of response.body) received += chunk.byteLength;
  const ms = performance.now() - t0;
  if (response.status !== 200 || received !== bytes)
    throw new Error('timeline: HTTP ' + response.status + ', ' + received + ' bytes, the first answer had ' + bytes);
  return ms;
}
(async () => {
  for (let i = 0; i < 3; i++) await get();
  const times = [];
  const until = performance.now() + 60000;
  while (times.length < requests && (times.length < 20 || performance.now() < until))
    times.push(await get());
  parentPort.postMessage(times);
})().catch((error) => { throw error; });
`;

function timedRequests(
  url: string,
  headers: Record<string, string>,
  bytes: number,
  requests: number,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(TIMED_REQUESTS, {
      eval: true,
      workerData: { url, headers, bytes, requests },
    });
    worker.once('message', (times: number[]) => resolve(times));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`timeline client stopped with code ${code}`));
    });
  });
}

export async function auditTimeline(config: BenchConfig): Promise<Figure[]> {
  for (const name of [INNOVATIONS, TIMELINE_EVENTS]) {
    if (!(PIPELINE_COLLECTIONS as readonly string[]).includes(name))
      throw new Error(`The pipeline has no collection ${name} any more`);
  }
  const app = await createTestApp({
    contexts: [pipelineContext],
    env: { LOG_LEVEL: 'silent', RATE_LIMIT_WRITES: '0' },
  });
  try {
    const ids = {
      innovationId: randomUUID(),
      needId: randomUUID(),
      consultationId: randomUUID(),
      tenderId: randomUUID(),
    };
    const journey = {
      ...newJourney(ids.innovationId),
      supplierOrg: 'org-medtech-sme',
      needId: ids.needId,
      needIds: [ids.needId],
      consultationId: ids.consultationId,
      tenderId: ids.tenderId,
      procurerOrgs: ['org-sergas'],
    };
    await app.documents.collection(INNOVATIONS).upsert(ids.innovationId, journey);
    const entries = app.documents.collection(TIMELINE_EVENTS);
    for (let i = 0; i < config.timelineEvents; i++) {
      const entry = timelineEntry(i, ids);
      await entries.upsert(entry.eventId, entry);
    }
    const token = await app.token({ sub: 'u-aud', org: 'org-court-of-audit', roles: ['auditor'] });
    const url = `${app.url}/innovations/${ids.innovationId}/timeline`;
    const headers = { authorization: `Bearer ${token}` };
    // The first answer is parsed and checked here; the timed requests come from a worker
    // thread, so that the client's garbage (3.5 MB per answer) is collected on its own heap
    // and does not pause the server, as it would not in a real deployment.
    const first = await fetch(url, { headers });
    const firstBytes = Buffer.from(await first.arrayBuffer());
    const firstBody = JSON.parse(firstBytes.toString('utf8')) as { items?: unknown[] };
    if (first.status !== 200 || firstBody.items?.length !== config.timelineEvents)
      throw new Error(
        `timeline: HTTP ${first.status}, ${firstBody.items?.length ?? 0} of ${config.timelineEvents} items`,
      );
    const times = await timedRequests(url, headers, firstBytes.byteLength, config.timelineRequests);
    times.sort((a, b) => a - b);
    const p95 = percentile(times, 95);
    log(`audit-timeline: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
    return [
      figure({
        name: 'audit-timeline',
        metric: `p95 of GET /innovations/{id}/timeline (${config.timelineEvents} events, ${times.length} requests)`,
        value: p95,
        unit: 'ms',
        goal: { kind: 'max', value: 50 },
      }),
    ];
  } finally {
    await app.close();
  }
}

export async function verifyRate(config: BenchConfig, engines: BenchEngines): Promise<Figure[]> {
  const store = await PostgresEventStore.connect(engines.postgres, { schema: 'bench_verify' });
  try {
    await writeNeedLog(store, config.verifyEvents, config.eventsPerStream, 8);
    const t0 = now();
    const report = await verifyEventStore(store);
    const verifyMs = now() - t0;
    if (!report.ok)
      throw new Error(`the verifier found problems: ${JSON.stringify(report.firstBroken)}`);

    // The same bytes the verifier hashes, hashed with nothing else around them.
    const events: EventEnvelope[] = [];
    for (let after = BEFORE_FIRST; ;) {
      const batch = await store.readAll(after, 5000);
      if (batch.length === 0) break;
      events.push(...batch);
      after = batch[batch.length - 1].globalPosition;
    }
    const inputs = events.map((e) => [e.prevHash, canonicalJson(hashedContent(e))] as const);
    const t1 = now();
    for (const [prev, body] of inputs)
      createHash('sha256').update(prev, 'utf8').update(body, 'utf8').digest('hex');
    const shaMs = now() - t1;
    log(
      `verify-rate: verifier ${report.checkedEvents} in ${verifyMs.toFixed(0)} ms, sha256 ${shaMs.toFixed(0)} ms`,
    );
    return [
      figure({
        name: 'verify-rate',
        metric: 'events verified per second (PostgreSQL server)',
        value: perSecond(report.checkedEvents, verifyMs),
        unit: 'events/s',
        baseline: { name: 'sha256', value: perSecond(inputs.length, shaMs) },
      }),
    ];
  } finally {
    await store.close();
  }
}
