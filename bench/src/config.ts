/**
 * Sizes of the suite. Defaults are those of issue 9; every count can be set from the
 * environment, BENCH_SCALE multiplies all of them, and quick mode shrinks them to a smoke
 * check whose figures mean nothing.
 */
export const SCENARIOS = [
  'append-new-streams',
  'append-existing-streams',
  'append-batch',
  'http-command-embedded',
  'http-command-distributed',
  'replay-memory',
  'replay-mongo',
  'relay-kafka',
  'audit-timeline',
  'verify-rate',
  'embedded-1m-startup',
  'embedded-1m-rss',
] as const;

export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchConfig {
  quick: boolean;
  /**
   * Rounds of the append and relay comparisons: the sides take turns within a round and each
   * reports its median time, so a slow stretch of a shared machine costs one round of one side.
   */
  rounds: number;
  /** Concurrent writers of the append scenarios. */
  writers: number;
  /** Single-event appends per store in append-new-streams. */
  appendEvents: number;
  /** Streams of append-existing-streams. */
  existingStreams: number;
  /** Appends per store in append-existing-streams. */
  existingAppends: number;
  /** Calls of 100 events per store in append-batch. */
  batchCalls: number;
  batchSize: number;
  /** Seconds of each autocannon run (peak, then half load). */
  httpSeconds: number;
  /** Keep-alive sockets of the half-load client (and of the warm-up). */
  httpConnections: number;
  /**
   * Connection counts of the peak runs: a side's peak is its best over them (each the median
   * of the rounds), as a service's peak is where it is fastest, not at one client's choice.
   */
  httpPeakConnections: number[];
  /** Events in the log replayed through projections. */
  replayEvents: number;
  /**
   * Of those, how many go through the mongoose read model: all of them unless set lower
   * (about 4,500 events/s into FerretDB over PostgreSQL, so nearly four minutes for a million).
   */
  replayMongoEvents: number;
  relayEvents: number;
  /** Records per Kafka send, for the relay and the bare producer alike. */
  relayBatch: number;
  timelineEvents: number;
  timelineRequests: number;
  verifyEvents: number;
  startupEvents: number;
  /** Events per need in the embedded log (PGlite commits are slow: fewer, larger appends). */
  startupEventsPerStream: number;
  /** Events per stream of the generated logs (needs: recorded, validated, prioritised...). */
  eventsPerStream: number;
  /** Only these scenarios (BENCH_ONLY, comma-separated); all when empty. */
  only: Set<string>;
  resultsDir: string;
}

function counts(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return [...new Set(raw.split(',').map((part) => count({ [name]: part.trim() }, name, 1, 1)))];
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number, scale: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return Math.max(1, Math.round(fallback * scale));
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value < 1) throw new Error(`${name}="${raw}" is not a count`);
  return Math.round(value);
}

export function loadConfig(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  root = process.cwd(),
): BenchConfig {
  const unknown = args.filter((a) => a !== '--quick');
  if (unknown.length > 0) throw new Error(`Unknown argument(s): ${unknown.join(' ')}`);
  const quick = args.includes('--quick') || env.BENCH_QUICK === '1';
  const scaleRaw = env.BENCH_SCALE ?? '1';
  const scale = Number(scaleRaw);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`BENCH_SCALE="${scaleRaw}"`);
  const q = (full: number, small: number) => (quick ? small : full);
  const only = new Set(
    (env.BENCH_ONLY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const name of only) {
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`BENCH_ONLY names an unknown scenario: ${name}`);
  }
  const replayEvents = count(env, 'BENCH_REPLAY_EVENTS', q(1_000_000, 2_000), scale);
  return {
    quick,
    rounds: count(env, 'BENCH_ROUNDS', q(3, 1), 1),
    writers: count(env, 'BENCH_WRITERS', 16, 1),
    appendEvents: count(env, 'BENCH_APPEND_EVENTS', q(20_000, 200), scale),
    existingStreams: count(env, 'BENCH_EXISTING_STREAMS', q(1_000, 50), 1),
    existingAppends: count(env, 'BENCH_EXISTING_APPENDS', q(20_000, 200), scale),
    batchCalls: count(env, 'BENCH_BATCH_CALLS', q(500, 10), scale),
    batchSize: count(env, 'BENCH_BATCH_SIZE', 100, 1),
    httpSeconds: count(env, 'BENCH_HTTP_SECONDS', q(10, 1), 1),
    httpConnections: count(env, 'BENCH_HTTP_CONNECTIONS', q(16, 4), 1),
    httpPeakConnections: counts(env, 'BENCH_HTTP_PEAK_CONNECTIONS', quick ? [4] : [16, 64]),
    replayEvents,
    replayMongoEvents: Math.min(
      replayEvents,
      count(env, 'BENCH_REPLAY_MONGO_EVENTS', replayEvents, 1),
    ),
    relayEvents: count(env, 'BENCH_RELAY_EVENTS', q(50_000, 300), scale),
    relayBatch: count(env, 'BENCH_RELAY_BATCH', 500, 1),
    timelineEvents: count(env, 'BENCH_TIMELINE_EVENTS', q(10_000, 200), scale),
    timelineRequests: count(env, 'BENCH_TIMELINE_REQUESTS', q(200, 10), 1),
    verifyEvents: count(env, 'BENCH_VERIFY_EVENTS', q(100_000, 500), scale),
    startupEvents: count(env, 'BENCH_STARTUP_EVENTS', q(1_000_000, 1_000), scale),
    startupEventsPerStream: count(env, 'BENCH_STARTUP_EVENTS_PER_STREAM', 50, 1),
    eventsPerStream: count(env, 'BENCH_EVENTS_PER_STREAM', 10, 1),
    only,
    resultsDir: env.BENCH_RESULTS_DIR ?? `${root}/bench/results`,
  };
}

/** The sizes as recorded in latest.json. */
export function sizesOf(config: BenchConfig): Record<string, number | string> {
  return {
    rounds: config.rounds,
    writers: config.writers,
    appendEvents: config.appendEvents,
    existingStreams: config.existingStreams,
    existingAppends: config.existingAppends,
    batchCalls: config.batchCalls,
    batchSize: config.batchSize,
    httpSeconds: config.httpSeconds,
    httpConnections: config.httpConnections,
    httpPeakConnections: config.httpPeakConnections.join('/'),
    replayEvents: config.replayEvents,
    replayMongoEvents: config.replayMongoEvents,
    relayEvents: config.relayEvents,
    relayBatch: config.relayBatch,
    timelineEvents: config.timelineEvents,
    timelineRequests: config.timelineRequests,
    verifyEvents: config.verifyEvents,
    startupEvents: config.startupEvents,
    startupEventsPerStream: config.startupEventsPerStream,
    eventsPerStream: config.eventsPerStream,
  };
}
