import { randomBytes } from 'node:crypto';
import { type BenchConfig, type ScenarioName, SCENARIOS, sizesOf } from './config';
import { closeEngines, openEngines, postgresVersion, type BenchEngines } from './engines';
import { log } from './measure';
import { type BenchResults, type Figure, failed, machine } from './results';
import { appendBatch, appendExistingStreams, appendNewStreams } from './scenarios/append';
import { auditTimeline, verifyRate } from './scenarios/audit';
import { embeddedScale } from './scenarios/embedded-scale';
import { httpCommandDistributed, httpCommandEmbedded } from './scenarios/http-command';
import { relayKafka } from './scenarios/relay';
import { replay } from './scenarios/replay';

export interface ScenarioGroup {
  /** The scenario names its figures carry. */
  names: ScenarioName[];
  run(config: BenchConfig, engines: BenchEngines): Promise<Figure[]>;
}

/** In the order they run; the heaviest (a million events) last. */
export const GROUPS: ScenarioGroup[] = [
  { names: ['append-new-streams'], run: appendNewStreams },
  { names: ['append-existing-streams'], run: appendExistingStreams },
  { names: ['append-batch'], run: appendBatch },
  { names: ['http-command-embedded'], run: httpCommandEmbedded },
  { names: ['http-command-distributed'], run: httpCommandDistributed },
  { names: ['relay-kafka'], run: relayKafka },
  { names: ['audit-timeline'], run: auditTimeline },
  { names: ['verify-rate'], run: verifyRate },
  { names: ['replay-memory', 'replay-mongo'], run: replay },
  { names: ['embedded-1m-startup', 'embedded-1m-rss'], run: embeddedScale },
];

/**
 * Runs the selected scenarios; a failing one is reported as such and the rest carry on.
 * `onFigures` sees the results so far after each scenario, so a long run that is stopped
 * still leaves what it measured.
 */
export async function runSuite(
  config: BenchConfig,
  onFigures?: (partial: BenchResults) => void,
): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const engines = await openEngines(runId);
  const figures: Figure[] = [];
  try {
    for (const group of GROUPS) {
      const wanted = group.names.filter((n) => config.only.size === 0 || config.only.has(n));
      if (wanted.length === 0) continue;
      log(`${group.names.join(' + ')} ...`);
      try {
        const out = await group.run(config, engines);
        figures.push(...out.filter((f) => (wanted as string[]).includes(f.name)));
      } catch (error) {
        log(`${group.names.join(' + ')} failed: ${(error as Error).stack ?? String(error)}`);
        figures.push(...wanted.map((name) => failed(name, error)));
      }
      onFigures?.(resultsOf(config, startedAt, ordered(figures), null));
    }
  } finally {
    await closeEngines(engines).catch((error) =>
      log(`could not drop the bench database: ${error}`),
    );
  }
  return resultsOf(
    config,
    startedAt,
    ordered(figures),
    await postgresVersion(engines.postgresAdmin),
  );
}

const ordered = (figures: Figure[]): Figure[] =>
  [...figures].sort(
    (a, b) => SCENARIOS.indexOf(a.name as ScenarioName) - SCENARIOS.indexOf(b.name as ScenarioName),
  );

function resultsOf(
  config: BenchConfig,
  startedAt: string,
  figures: Figure[],
  postgres: string | null,
): BenchResults {
  return {
    machine: machine(postgres),
    startedAt,
    finishedAt: new Date().toISOString(),
    quick: config.quick,
    sizes: sizesOf(config),
    scenarios: figures,
  };
}
