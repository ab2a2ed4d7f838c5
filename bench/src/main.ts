/**
 * `npm run bench [-- --quick]`: runs the benchmark suite on the engines of
 * `npm run engines:up`, writes bench/results/latest.json and latest.md, prints the table.
 */
import { resolve } from 'node:path';
import { loadConfig } from './config';
import { loadEngineEnv } from './engines';
import { log } from './measure';
import { markdownTable, writeResults } from './results';
import { runSuite } from './suite';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  loadEngineEnv(root);
  const config = loadConfig(process.argv.slice(2), process.env, root);
  if (config.quick) log('quick mode: smoke sizes, the figures are not comparable');
  const results = await runSuite(config, (partial) => writeResults(config.resultsDir, partial));
  const written = writeResults(config.resultsDir, results);
  process.stdout.write(`${markdownTable(results.scenarios)}\n\n`);
  log(`wrote ${written.json} and ${written.md}`);
  // Kafka and pg clients may leave timers behind; the figures are written.
  process.exit(results.scenarios.some((f) => f.error) ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
