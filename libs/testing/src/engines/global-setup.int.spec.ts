/**
 * The global setup starting the engines itself: with nothing configured and no Docker, it runs
 * `scripts/engines.sh up` and takes the addresses the script wrote. The engines of this machine
 * are already up, so the script only confirms them (an `up` is idempotent).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_VARIABLES, engineEndpoints, type EngineName } from './engine-variables';
import { ENGINES_ENV_FILE, readEnginesEnv } from './env-file';
import globalSetup from './global-setup';
import { tcpOpen } from './reachability';

jest.setTimeout(180_000);

describe('global setup without engines configured', () => {
  const saved = { ...process.env };
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engines-env-'));
    // an empty file read first: whatever is found afterwards came from the script
    const file = join(dir, 'engines.env');
    writeFileSync(file, '');
    process.env.PCP_ENGINES_ENV_FILE = file;
    process.env.PCP_TEST_NO_DOCKER = '1';
    process.env.CI = 'true';
    delete process.env.PCP_SKIP_ENGINES;
  });

  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs scripts/engines.sh up and adopts the engines it reports', async () => {
    for (const variable of Object.values(ENGINE_VARIABLES)) delete process.env[variable];
    await globalSetup();
    const written = readEnginesEnv(ENGINES_ENV_FILE);
    for (const [engine, variable] of Object.entries(ENGINE_VARIABLES)) {
      const address = process.env[variable] ?? '';
      expect(address).not.toBe('');
      expect(address).toBe(written[variable]);
      const [{ host, port }] = engineEndpoints(engine as EngineName, address);
      expect(await tcpOpen(host, port)).toBe(true);
    }
  });

  it('leaves configured engines as they are and starts only the missing one', async () => {
    process.env.PCP_TEST_POSTGRES_URL = 'postgres://someone:else@127.0.0.1:54329/elsewhere';
    process.env.PCP_TEST_MONGO_URL = 'mongodb://127.0.0.1:57017/elsewhere';
    delete process.env.PCP_TEST_KAFKA_BROKERS;
    await globalSetup();
    expect(process.env.PCP_TEST_POSTGRES_URL).toBe(
      'postgres://someone:else@127.0.0.1:54329/elsewhere',
    );
    expect(process.env.PCP_TEST_MONGO_URL).toBe('mongodb://127.0.0.1:57017/elsewhere');
    expect(process.env.PCP_TEST_KAFKA_BROKERS).toBe(
      readEnginesEnv(ENGINES_ENV_FILE).PCP_TEST_KAFKA_BROKERS,
    );
  });
});
