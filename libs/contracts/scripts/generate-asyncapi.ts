/**
 * Writes libs/contracts/asyncapi.yaml from the integration event registry:
 *   bash scripts/run-ts.sh libs/contracts/scripts/generate-asyncapi.ts [--check]
 * With --check it writes nothing and exits 1 when the committed file is stale.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PUBLISHED_LANGUAGE_VERSION, integrationEvents, renderAsyncApiYaml } from '../src/index';

const root = resolve(__dirname, '../../..');
const target = join(__dirname, '..', 'asyncapi.yaml');
const shown = relative(root, target);
const fresh = renderAsyncApiYaml(integrationEvents, { version: PUBLISHED_LANGUAGE_VERSION });

if (process.argv.includes('--check')) {
  const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (committed !== fresh) {
    console.error(
      `${shown} is stale: run bash scripts/run-ts.sh libs/contracts/scripts/generate-asyncapi.ts`,
    );
    process.exit(1);
  }
  console.log(`${shown} is up to date`);
} else {
  writeFileSync(target, fresh);
  console.log(`wrote ${shown} (${integrationEvents.all().length} events)`);
}
