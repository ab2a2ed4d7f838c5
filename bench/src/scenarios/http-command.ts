/**
 * `POST /needs` under autocannon at full pressure for the peak throughput, then at half that
 * rate, sent evenly, for the latencies a user sees under ordinary load. The baseline is a
 * bare NestJS route inserting one row, started beside ours and loaded the same way, the two
 * taking turns round by round.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@pcp/auth';
import autocannon from 'autocannon';
import type { BenchConfig } from '../config';
import type { BenchEngines } from '../engines';
import { log, medianOfRounds, percentile, quietBefore, untilMachineQuiet } from '../measure';
import { pacedLoad } from '../paced-load';
import { figure, type Figure } from '../results';
import { type ServiceProcess, startService, untilIdle } from '../service-process';

const NEED_BODY = JSON.stringify({
  title: 'Early detection of sepsis in emergency departments',
  description:
    'Sepsis is recognised too late in two out of five emergency admissions; clinicians need ' +
    'an early warning from routine vital signs and laboratory values.',
  region: 'ES11',
  diseaseField: 'infectious',
  scope: ['early_detection', 'decision_support'],
  patientPopulation: 12000,
  budgetEstimateEur: 2_500_000,
  barriers: ['data_fragmentation', 'ai_uncertainty'],
  evidence: [
    { title: 'Regional sepsis audit 2024', url: 'https://www.sergas.es/audit-sepsis-2024.pdf' },
  ],
});

interface LoadFigures {
  peak: number;
  /** The connection count the peak came at. */
  peakConnections: number;
  p50: number;
  p99: number;
  halfRate: number;
}

function enoughAnswered(url: string, ok: number, failed: number, errors: number): void {
  if (ok === 0 || failed + errors > ok / 100) {
    throw new Error(`POST ${url}/needs: ${ok} answers 2xx, ${failed} not, ${errors} errors`);
  }
}

async function cannon(
  url: string,
  token: string,
  seconds: number,
  connections: number,
): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `${url}/needs`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: NEED_BODY,
    connections,
    duration: seconds,
  });
  enoughAnswered(url, result['2xx'], result.non2xx, result.errors);
  return result;
}

/**
 * `rate` requests a second for `seconds`, each sent at its own instant (1/rate apart) over
 * at most `connections` keep-alive sockets (see paced-load.ts). Autocannon's own rate limit
 * sends each connection's quota for the second back to back and then waits for the next
 * second, which is full load half of the time, not half load. A latency counts from the
 * instant the request was due, so a request that waits for a free socket counts its wait.
 *
 * The first `leadInSeconds` at that rate are not counted: the latencies are those of the
 * steady state at that load, not of its start (new sockets, the rate settling in). Any
 * request that fails, lead-in included, counts.
 */
async function paced(
  url: string,
  token: string,
  seconds: number,
  connections: number,
  rate: number,
  leadInSeconds: number,
): Promise<{ p50: number; p99: number; latencies: number[] }> {
  const { latencies, failed, errors } = await pacedLoad(
    {
      url: `${url}/needs`,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: NEED_BODY,
    },
    { rate, seconds, leadInSeconds, connections },
  );
  enoughAnswered(url, latencies.length, failed, errors);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), latencies };
}

/** Sent at half load before its latencies count. */
const HALF_LOAD_LEAD_IN_SECONDS = 2;

type SideName = 'bare' | 'ours';
const SIDES: SideName[] = ['bare', 'ours'];

/**
 * Waits until both services are done with the load before (projections and the relay
 * catching up with what a peak run appended) and the machine is quiet; how long, in ms.
 * Before a half-load window, until both have stayed idle for 12 s (see untilIdle): one side's
 * collection after its run would otherwise land in the other's window, and a latency
 * percentile feels a 100 ms pause where a throughput hardly does. A smoke run's latencies
 * mean nothing, so there 1 s only checks that the wait works.
 */
async function settle(
  services: ServiceProcess[],
  { beforeLatencies = false, quick = false } = {},
): Promise<number> {
  const quietMs = beforeLatencies ? (quick ? 1_000 : 12_000) : 0;
  return (await untilIdle(services, { quietMs })) + (await untilMachineQuiet());
}

/**
 * The bare route and ours side by side, taking turns round by round as the other scenarios
 * do, so that a slow stretch of the machine falls on both: `rounds` peak runs each at each
 * connection count of `httpPeakConnections` (a side's peak is its best median: at 16
 * connections ours waits on its commits with the machine a third idle, and peaks higher at
 * 64, where the bare route does not), then `rounds` windows each at half its peak, whose
 * latencies are pooled (p99 of every request counted, not the best window's).
 */
async function compare(
  services: Record<SideName, ServiceProcess>,
  token: string,
  config: BenchConfig,
  label: string,
): Promise<Record<SideName, LoadFigures>> {
  const all = SIDES.map((side) => services[side]);
  await quietBefore(`http ${label}`);
  // A short warm-up: JIT, pools and caches, as after any start.
  for (const service of all) await cannon(service.url, token, 1, config.httpConnections);
  const runs = SIDES.flatMap((side) =>
    config.httpPeakConnections.map((connections) => ({ side, connections })),
  );
  const key = (run: { side: SideName; connections: number }) => `${run.side}@${run.connections}`;
  const medians = await medianOfRounds(
    config.rounds,
    Object.fromEntries(
      runs.map((run) => [
        key(run),
        async (round: number) => {
          await settle(all);
          const answered = await cannon(
            services[run.side].url,
            token,
            config.httpSeconds,
            run.connections,
          );
          const peak = answered['2xx'] / (answered.duration || config.httpSeconds);
          log(
            `http ${label} ${run.side}: round ${round} peak ${peak.toFixed(0)}/s ` +
              `(${run.connections} connections)`,
          );
          return peak;
        },
      ]),
    ),
  );
  const peakOf = (side: SideName) =>
    runs
      .filter((run) => run.side === side)
      .map((run) => ({ connections: run.connections, peak: medians[key(run)] }))
      .reduce((best, next) => (next.peak > best.peak ? next : best));
  const peaks = { bare: peakOf('bare'), ours: peakOf('ours') };
  const latencies: Record<SideName, number[]> = { bare: [], ours: [] };
  for (let round = 0; round < config.rounds; round++) {
    for (const side of SIDES) {
      const waited = await settle(all, { beforeLatencies: true, quick: config.quick });
      const rate = halfOf(peaks[side].peak);
      const window = await paced(
        services[side].url,
        token,
        config.httpSeconds,
        config.httpConnections,
        rate,
        HALF_LOAD_LEAD_IN_SECONDS,
      );
      log(
        `http ${label} ${side}: round ${round} at ${rate}/s (after ${(waited / 1000).toFixed(1)} s ` +
          `idle) p50 ${window.p50.toFixed(2)} ms, p99 ${window.p99.toFixed(1)} ms`,
      );
      for (const latency of window.latencies) latencies[side].push(latency);
    }
  }
  const figuresOfSide = (side: SideName): LoadFigures => {
    const sorted = latencies[side].sort((a, b) => a - b);
    return {
      peak: peaks[side].peak,
      peakConnections: peaks[side].connections,
      halfRate: halfOf(peaks[side].peak),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  };
  return { bare: figuresOfSide('bare'), ours: figuresOfSide('ours') };
}

const halfOf = (peak: number): number => Math.max(1, Math.floor(peak / 2));

const SECRET = randomBytes(32).toString('base64url');

const procurerToken = () =>
  mintToken(
    { sub: 'u-bench', name: 'Bench procurer', org: 'org-bench', roles: ['procurer'] },
    { secret: SECRET },
  );

/** The baseline: a bare NestJS route inserting one row into the PostgreSQL server. */
const startBare = (engines: BenchEngines): Promise<ServiceProcess> =>
  startService('bench/src/bare/bare-command-app.ts', { DATABASE_URL: engines.postgres });

/** Runs `compare` with the bare route and `ours` both up; stops both after. */
async function againstBare(
  engines: BenchEngines,
  config: BenchConfig,
  label: string,
  startOurs: () => Promise<ServiceProcess>,
): Promise<Record<SideName, LoadFigures>> {
  const bare = await startBare(engines);
  try {
    const ours = await startOurs();
    try {
      const figures = await compare({ bare, ours }, await procurerToken(), config, label);
      for (const side of SIDES) {
        log(
          `http ${label} ${side}: peak ${figures[side].peak.toFixed(0)}/s ` +
            `(${figures[side].peakConnections} connections), ` +
            `p99 ${figures[side].p99.toFixed(1)} ms at half`,
        );
      }
      return figures;
    } finally {
      await ours.stop();
    }
  } finally {
    await bare.stop();
  }
}

function figuresOf(
  name: string,
  ours: LoadFigures,
  bare: LoadFigures,
  connections: number[],
): Figure[] {
  return [
    figure({
      name,
      metric: `throughput (best of ${connections.join(', ')} connections: ours ${ours.peakConnections}, bare ${bare.peakConnections})`,
      value: ours.peak,
      unit: 'req/s',
      baseline: { name: 'bare', value: bare.peak },
      goal: { kind: 'min-ratio', value: 0.6 },
    }),
    figure({
      name,
      metric: `p50 at half load (${ours.halfRate} req/s)`,
      value: ours.p50,
      unit: 'ms',
      baseline: { name: 'bare', value: bare.p50 },
      higherIsBetter: false,
    }),
    figure({
      name,
      metric: `p99 at half load (${ours.halfRate} req/s)`,
      value: ours.p99,
      unit: 'ms',
      baseline: { name: 'bare', value: bare.p99 },
      goal: { kind: 'max', value: 20 },
      higherIsBetter: false,
    }),
  ];
}

const quiet = { LOG_LEVEL: 'warn', RATE_LIMIT_WRITES: '0', AUTH_JWT_SECRET: SECRET };

/** The embedded default as `npm start` runs it: every context, PGlite, in-memory read models. */
export async function httpCommandEmbedded(
  config: BenchConfig,
  engines: BenchEngines,
): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-bench-embedded-'));
  try {
    const { bare, ours } = await againstBare(engines, config, 'embedded', () =>
      startService('apps/platform/src/main.ts', { ...quiet, DATA_DIR: dataDir }),
    );
    return figuresOf('http-command-embedded', ours, bare, config.httpPeakConnections);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The needs service as deployed: events in PostgreSQL, relay to Kafka, read models in
 * MongoDB (FerretDB here).
 */
export async function httpCommandDistributed(
  config: BenchConfig,
  engines: BenchEngines,
): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-bench-needs-'));
  try {
    const { bare, ours } = await againstBare(engines, config, 'distributed', () =>
      startService('apps/needs/src/main.ts', {
        ...quiet,
        DATA_DIR: dataDir,
        EVENT_STORE: 'postgres',
        DATABASE_URL: engines.postgres,
        EVENT_STORE_SCHEMA: 'bench_needs_service',
        INTEGRATION: 'kafka',
        KAFKA_BROKERS: engines.kafkaBrokers,
        KAFKA_TOPIC_PREFIX: engines.topicPrefix,
        READ_MODELS: 'mongo',
        MONGO_URL: engines.mongo,
      }),
    );
    return figuresOf('http-command-distributed', ours, bare, config.httpPeakConnections);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
