import { startContainers, type ContainerEngine, type StartedEngine } from './docker-engines';
import {
  ENGINE_NAMES,
  ENGINE_TITLES,
  ENGINE_VARIABLES,
  EVENTSTOREDB_VARIABLE,
  engineEndpoints,
  type EngineName,
} from './engine-variables';
import { ENGINES_ENV_FILE, readEnginesEnv } from './env-file';
import { dockerAnswers, tcpOpen } from './reachability';

// Shared with the global teardown, which Jest runs in the same process.
export const STARTED_CONTAINERS = Symbol.for('pcp.testing.startedContainers');
type GlobalWithContainers = typeof globalThis & { [STARTED_CONTAINERS]?: StartedEngine[] };

async function answers(engine: EngineName, address: string): Promise<boolean> {
  const endpoints = engineEndpoints(engine, address);
  const open = await Promise.all(endpoints.map(({ host, port }) => tcpOpen(host, port)));
  return open.length > 0 && open.some(Boolean);
}

/**
 * Finds the engines once per Jest run: variables already set win; then .engines/engines.env
 * (only entries whose port answers, so a stale file after `engines:down` does not count);
 * then, when Docker answers, containers for whatever is still missing (EventStoreDB included).
 * Under CI a missing engine fails the run here; elsewhere the engine tests fail on their own
 * through requireEngine, and pure unit projects run without engines.
 */
export default async function globalSetup(): Promise<void> {
  const fromFile = readEnginesEnv();
  const stale: EngineName[] = [];
  await Promise.all(
    ENGINE_NAMES.map(async (engine) => {
      const variable = ENGINE_VARIABLES[engine];
      const listed = fromFile[variable];
      if (process.env[variable] || !listed) return;
      if (await answers(engine, listed)) process.env[variable] = listed;
      else stale.push(engine);
    }),
  );
  if (!process.env[EVENTSTOREDB_VARIABLE] && fromFile[EVENTSTOREDB_VARIABLE]) {
    process.env[EVENTSTOREDB_VARIABLE] = fromFile[EVENTSTOREDB_VARIABLE];
  }

  const missing: ContainerEngine[] = ENGINE_NAMES.filter(
    (engine) => !process.env[ENGINE_VARIABLES[engine]],
  );
  if (!process.env[EVENTSTOREDB_VARIABLE]) missing.push('eventstoredb');
  if (missing.length > 0 && process.env.PCP_TEST_NO_DOCKER !== '1' && (await dockerAnswers())) {
    process.stderr.write(`\nStarting engine containers with Docker: ${missing.join(', ')}\n`);
    const started = await startContainers(missing);
    for (const { variable, url } of started) process.env[variable] = url;
    (globalThis as GlobalWithContainers)[STARTED_CONTAINERS] = started;
  }

  const absent = ENGINE_NAMES.filter((engine) => !process.env[ENGINE_VARIABLES[engine]]);
  if (absent.length > 0 && process.env.CI === 'true') {
    const names = absent.map(
      (e) =>
        `${ENGINE_TITLES[e]} (${ENGINE_VARIABLES[e]}${stale.includes(e) ? ', listed in .engines/engines.env but not answering' : ''})`,
    );
    throw new Error(
      `Engines not available: ${names.join(', ')}. ` +
        `Start them with \`npm run engines:up\` (writes ${ENGINES_ENV_FILE}) or provide a Docker engine.`,
    );
  }
}
