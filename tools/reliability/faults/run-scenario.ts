import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken } from '@pcp/auth';
import { MongooseDocumentStore } from '@pcp/documents';
import { buildApps } from '@pcp/testing';
import { audit, answerCounts, type AuditReport } from './audit';
import { FaultEngines } from './engines';
import { runLoad, type SentCommand } from './load';
import type { FaultNotes, Scenario } from './scenarios';
import { SERVICES, type FaultSettings } from './settings';
import { DistributedSystem } from './system';

export interface ScenarioResult extends AuditReport {
  scenario: string;
  notes: FaultNotes;
  seconds: number;
  /** Why the scenario failed, beside its counts (a bound exceeded, a step that threw). */
  failure: string | null;
}

let built: ((app: string) => string) | null = null;

/** True when the counts show nothing lost, duplicated, hanging or failing with a 500. */
export function passed(result: ScenarioResult): boolean {
  const c = result.counts;
  return (
    result.failure === null &&
    c.lost === 0 &&
    c.duplicated === 0 &&
    c.readModelMismatches === 0 &&
    c['500'] === 0 &&
    c.slow === 0 &&
    c.unanswered === 0
  );
}

/**
 * One scenario from a clean slate: the run's engines up, the services started on a fresh
 * database and fresh read models, a steady load with the fault injected part-way, then, once
 * everything had time to catch up, the audit. Bounded by PCP_FAULTS_MAX_SECONDS.
 */
export async function runScenario(
  scenario: Scenario,
  settings: FaultSettings,
  log: (line: string) => void = (line) => process.stderr.write(`faults: ${line}\n`),
): Promise<ScenarioResult> {
  const started = Date.now();
  const run = `faults_${scenario.name.replace(/-/g, '_')}_${Date.now().toString(36)}`;
  const dir = join(settings.dir, 'runs', run);
  mkdirSync(dir, { recursive: true });
  const engines = new FaultEngines(settings);
  log(`${scenario.name}: engines on ports ${Object.values(settings.ports).join(', ')}`);
  await engines.up();
  built ??= buildApps('faults-build');
  const system = new DistributedSystem({
    mainOf: built,
    postgresUrl: engines.postgresUrl,
    kafkaBrokers: engines.kafkaBrokers,
    mongoUrl: engines.mongoUrl,
    run,
    dir,
  });
  const mongoUrlOf = (service: string) => system.setups.get(service as never)?.mongoUrl ?? '';
  let notes: FaultNotes = {};
  let sent: SentCommand[] = [];
  let failure: string | null = null;
  let report: AuditReport | null = null;
  const overall = setTimeout(() => {
    failure ??= `exceeded PCP_FAULTS_MAX_SECONDS=${settings.maxSeconds}`;
  }, settings.maxSeconds * 1000);
  try {
    await system.start();
    log(`${scenario.name}: services up behind ${system.gatewayUrl} (logs in ${dir}/logs)`);
    const tokens = await Promise.all(
      ['org-sergas', 'org-navarrabiomed'].map((org, i) =>
        mintToken(
          { sub: `u-load-${i}`, name: `Load ${i}`, org, roles: ['procurer'] },
          { secret: system.secret },
        ),
      ),
    );
    let fault: Promise<FaultNotes> | null = null;
    const load = runLoad({
      baseUrl: system.gatewayUrl,
      tokens,
      commands: settings.commands,
      concurrency: settings.concurrency,
      rate: settings.rate,
      abortMs: settings.answerBoundMs + 2_000,
      onProgress: (count) => {
        if (fault === null && count >= settings.faultAfter) {
          log(`${scenario.name}: injecting after ${count} commands`);
          fault = scenario.inject({ settings, engines, system, run, log });
          // Kept from being an unhandled rejection until it is awaited below.
          fault.catch(() => undefined);
        }
      },
    });
    sent = await load;
    log(
      `${scenario.name}: load done ${JSON.stringify(answerCounts(sent, settings.answerBoundMs))}`,
    );
    notes = await (fault ?? scenario.inject({ settings, engines, system, run, log }));
    await system.waitAllReady(120_000);

    // Relays, consumers and projections catch up in the background: audit until the read
    // models agree with a rebuild, or the settle time is over (then the last audit counts).
    const deadline = Date.now() + settings.settleSeconds * 1000;
    for (;;) {
      report = await audit({
        databaseUrl: system.databaseUrl,
        mongoUrlOf,
        sent,
        answerBoundMs: settings.answerBoundMs,
      });
      const settled = report.counts.readModelMismatches === 0 && report.counts.lost === 0;
      if (settled || Date.now() > deadline) break;
      log(
        `${scenario.name}: waiting for read models (${report.counts.readModelMismatches} documents differ)`,
      );
      await new Promise((r) => setTimeout(r, 3_000));
    }
  } catch (error) {
    failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    clearTimeout(overall);
    await system.stop();
    // A scenario that stopped an engine and failed before restarting it leaves it down.
    await engines.up().catch(() => undefined);
    if (!settings.keep) {
      await system.dropDatabase().catch(() => undefined);
      for (const service of SERVICES) {
        const url = mongoUrlOf(service);
        if (!url) continue;
        const store = await MongooseDocumentStore.connect(url).catch(() => null);
        await store?.dropDatabase().catch(() => undefined);
        await store?.close();
      }
      rmSync(join(dir, 'data'), { recursive: true, force: true });
    }
  }
  const counts = report?.counts ?? {
    ...answerCounts(sent, settings.answerBoundMs),
    lost: -1,
    duplicated: -1,
    readModelMismatches: -1,
    events: 0,
    documents: 0,
  };
  return {
    scenario: scenario.name,
    notes,
    counts,
    examples: report?.examples ?? [],
    seconds: Math.round((Date.now() - started) / 1000),
    failure: failure ?? (report === null ? 'no audit was made' : null),
  };
}
