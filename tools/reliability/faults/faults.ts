/**
 * Fault runs against the distributed services on engines of their own:
 *   npm run faults -- <scenario>|all
 * Prints the counts of each scenario (sent, 2xx, 4xx, 5xx, lost, duplicated...) and exits 1
 * when anything was lost or duplicated, a read model differs from a rebuild, or an answer was
 * a 500 or never came; 2 on a usage error. Settings: PCP_FAULTS_* (see settings.ts, README).
 */
import { FaultEngines } from './engines';
import { passed, runScenario, type ScenarioResult } from './run-scenario';
import { SCENARIOS } from './scenarios';
import { faultSettings } from './settings';

const USAGE = `usage: npm run faults -- <scenario>|all|stop

stop: stops the fault runs' own engines (they are left running between runs)

scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(14)}${s.description}`).join('\n')}`;

function describe(result: ScenarioResult): string {
  const c = result.counts;
  const lines = [
    `${result.scenario}: ${passed(result) ? 'PASS' : 'FAIL'} in ${result.seconds} s`,
    `  sent=${c.sent} 2xx=${c['2xx']} 4xx=${c['4xx']} 5xx=${c['5xx']} (500=${c['500']}) unanswered=${c.unanswered} slow=${c.slow}`,
    `  lost=${c.lost} duplicated=${c.duplicated} readModelMismatches=${c.readModelMismatches} (events=${c.events}, read-model documents=${c.documents})`,
    `  fault: ${JSON.stringify(result.notes)}`,
  ];
  for (const example of result.examples.slice(0, 10)) lines.push(`  ${example}`);
  if (result.failure) lines.push(`  failure: ${result.failure}`);
  return lines.join('\n');
}

async function main(args: string[]): Promise<number> {
  const wanted = args.filter((a) => a !== '--');
  if (wanted.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (wanted[0] === 'stop') {
    await new FaultEngines(faultSettings()).down();
    return 0;
  }
  const scenarios = wanted[0] === 'all' ? SCENARIOS : SCENARIOS.filter((s) => s.name === wanted[0]);
  if (scenarios.length === 0) {
    process.stderr.write(`unknown scenario ${wanted[0]}\n${USAGE}\n`);
    return 2;
  }
  const settings = faultSettings();
  process.stdout.write(
    `faults: ${settings.commands} commands per scenario, at most ${settings.rate}/s and ${settings.concurrency} at a time, fault after ${settings.faultAfter}, down ${settings.downSeconds} s\n`,
  );
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const result = await runScenario(scenario, settings);
    results.push(result);
    process.stdout.write(`${describe(result)}\n`);
  }
  const failed = results.filter((r) => !passed(r));
  process.stdout.write(
    `faults: ${results.length - failed.length} of ${results.length} scenarios passed\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`faults: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
