import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startContainers, type ContainerEngine, type StartedEngine } from './docker-engines';
import {
  ENGINE_NAMES,
  ENGINE_TITLES,
  ENGINE_VARIABLES,
  EVENTSTOREDB_VARIABLE,
  engineEndpoints,
  type EngineName,
} from './engine-variables';
import { ENGINES_ENV_FILE, REPO_ROOT, enginesEnvFile, readEnginesEnv } from './env-file';
import { dockerAnswers, tcpOpen } from './reachability';

// Shared with the global teardown, which Jest runs in the same process.
export const STARTED_CONTAINERS = Symbol.for('pcp.testing.startedContainers');
type GlobalWithContainers = typeof globalThis & { [STARTED_CONTAINERS]?: StartedEngine[] };

// engines.sh names FerretDB for what the tests call mongo.
const SCRIPT_NAMES: Record<EngineName, string> = {
  postgres: 'postgres',
  kafka: 'kafka',
  mongo: 'ferretdb',
};

// A first `up` on a fresh machine installs PostgreSQL, resolves Kafka's jars and builds FerretDB.
const ENGINES_UP_TIMEOUT_MS = 30 * 60_000;

async function answers(engine: EngineName, address: string): Promise<boolean> {
  const endpoints = engineEndpoints(engine, address);
  const open = await Promise.all(endpoints.map(({ host, port }) => tcpOpen(host, port)));
  return open.length > 0 && open.some(Boolean);
}

const missingEngines = (): EngineName[] =>
  ENGINE_NAMES.filter((engine) => !process.env[ENGINE_VARIABLES[engine]]);

/**
 * Takes each still-missing engine's address from the file when something answers there;
 * returns the engines the file lists but that do not answer (a stale file after `engines:down`).
 */
async function adoptListed(file: string): Promise<EngineName[]> {
  const fromFile = readEnginesEnv(file);
  const stale: EngineName[] = [];
  await Promise.all(
    missingEngines().map(async (engine) => {
      const variable = ENGINE_VARIABLES[engine];
      const listed = fromFile[variable];
      if (!listed) return;
      if (await answers(engine, listed)) process.env[variable] = listed;
      else stale.push(engine);
    }),
  );
  if (!process.env[EVENTSTOREDB_VARIABLE] && fromFile[EVENTSTOREDB_VARIABLE]) {
    process.env[EVENTSTOREDB_VARIABLE] = fromFile[EVENTSTOREDB_VARIABLE];
  }
  return stale;
}

/**
 * `bash scripts/engines.sh up` for the given engines, its output on stderr (Jest shows it).
 * Returns why it failed, or null when it succeeded.
 */
function startLocalEngines(engines: EngineName[]): string | null {
  const script = join(REPO_ROOT, 'scripts/engines.sh');
  process.stderr.write(
    `\nEngines missing (${engines.map((e) => ENGINE_TITLES[e]).join(', ')}): running \`bash scripts/engines.sh up\`\n`,
  );
  const result = spawnSync('bash', [script, 'up'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PCP_ENGINES: engines.map((e) => SCRIPT_NAMES[e]).join(' ') },
    stdio: ['ignore', 2, 2],
    timeout: ENGINES_UP_TIMEOUT_MS,
  });
  const failure = result.error
    ? `could not run (${result.error.message})`
    : result.signal
      ? `was stopped by ${result.signal}`
      : result.status !== 0
        ? `exited with status ${result.status}`
        : null;
  if (failure) {
    process.stderr.write(
      `\n\`bash scripts/engines.sh up\` ${failure}; its output is above. ` +
        'Tests that need the missing engines will fail and name them.\n',
    );
  }
  return failure;
}

/**
 * Finds the engines once per Jest run: variables already set win; then the engines file
 * (PCP_ENGINES_ENV_FILE, default .engines/engines.env; only entries whose port answers, so a
 * stale file after `engines:down` does not count); then, when Docker answers, containers for
 * whatever is still missing (EventStoreDB included); otherwise `scripts/engines.sh up` starts
 * the missing ones on this machine (not with PCP_SKIP_ENGINES=1). Under CI a missing engine
 * fails the run here; elsewhere the engine tests fail on their own through requireEngine.
 */
export default async function globalSetup(): Promise<void> {
  let file = enginesEnvFile();
  let stale = await adoptListed(file);

  const missing: ContainerEngine[] = missingEngines();
  if (!process.env[EVENTSTOREDB_VARIABLE]) missing.push('eventstoredb');
  const docker =
    missing.length > 0 && process.env.PCP_TEST_NO_DOCKER !== '1' && (await dockerAnswers());
  if (docker) {
    process.stderr.write(`\nStarting engine containers with Docker: ${missing.join(', ')}\n`);
    const started = await startContainers(missing);
    for (const { variable, url } of started) process.env[variable] = url;
    (globalThis as GlobalWithContainers)[STARTED_CONTAINERS] = started;
  }

  let scriptFailure: string | null = null;
  const toStart = missingEngines();
  if (!docker && toStart.length > 0 && process.env.PCP_SKIP_ENGINES !== '1') {
    scriptFailure = startLocalEngines(toStart);
    // the script writes its own file, whichever one was read first
    file = ENGINES_ENV_FILE;
    stale = await adoptListed(file);
  }

  const absent = missingEngines();
  if (absent.length > 0 && process.env.CI === 'true') {
    const names = absent.map(
      (e) =>
        `${ENGINE_TITLES[e]} (${ENGINE_VARIABLES[e]}${stale.includes(e) ? `, listed in ${file} but not answering` : ''})`,
    );
    const tried = scriptFailure ? ` \`bash scripts/engines.sh up\` ${scriptFailure}.` : '';
    throw new Error(
      `Engines not available: ${names.join(', ')}.${tried} ` +
        `Start them with \`npm run engines:up\` (writes ${ENGINES_ENV_FILE}) or provide a Docker engine.`,
    );
  }
}
