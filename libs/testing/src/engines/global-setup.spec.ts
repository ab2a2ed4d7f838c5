import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_VARIABLES, EVENTSTOREDB_VARIABLE } from './engine-variables';
import globalSetup from './global-setup';

describe('global setup with no engine configured and no Docker', () => {
  const saved = { ...process.env };
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engines-env-'));
    file = join(dir, 'engines.env');
    writeFileSync(file, '');
    process.env.CI = 'true';
    process.env.PCP_TEST_NO_DOCKER = '1';
    process.env.PCP_SKIP_ENGINES = '1';
    process.env.PCP_ENGINES_ENV_FILE = file;
    for (const variable of [...Object.values(ENGINE_VARIABLES), EVENTSTOREDB_VARIABLE])
      delete process.env[variable];
  });

  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the run, naming every missing engine and its variable', async () => {
    const error = await globalSetup().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('PostgreSQL (PCP_TEST_POSTGRES_URL)');
    expect(message).toContain('Kafka (PCP_TEST_KAFKA_BROKERS)');
    expect(message).toContain('MongoDB (FerretDB) (PCP_TEST_MONGO_URL)');
    expect(message).toContain('npm run engines:up');
    // nothing was adopted on the way
    for (const variable of Object.values(ENGINE_VARIABLES))
      expect(process.env[variable]).toBeUndefined();
  });

  it('names only the engines still missing, and a listed one that does not answer', async () => {
    process.env.PCP_TEST_POSTGRES_URL = 'postgres://pcp:pcp@127.0.0.1:54329/pcp_test';
    // port 1 on loopback: nothing listens there
    writeFileSync(file, 'PCP_TEST_KAFKA_BROKERS=127.0.0.1:1\n');
    await expect(globalSetup()).rejects.toThrow(
      `Engines not available: Kafka (PCP_TEST_KAFKA_BROKERS, listed in ${file} but not answering), MongoDB (FerretDB) (PCP_TEST_MONGO_URL).`,
    );
    expect(process.env.PCP_TEST_KAFKA_BROKERS).toBeUndefined();
  });

  it('lets the run go on outside CI: engine tests then fail on their own', async () => {
    delete process.env.CI;
    await expect(globalSetup()).resolves.toBeUndefined();
    expect(process.env.PCP_TEST_KAFKA_BROKERS).toBeUndefined();
  });

  it('says readably when starting the engines failed', async () => {
    delete process.env.PCP_SKIP_ENGINES;
    delete process.env.CI;
    // bash reads BASH_ENV before the script: engines.sh fails before it touches anything
    const failFirst = join(dir, 'fail-first.sh');
    writeFileSync(failFirst, 'exit 3\n');
    process.env.BASH_ENV = failFirst;
    const written: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await globalSetup();
    } finally {
      stderr.mockRestore();
    }
    const text = written.join('');
    expect(text).toContain(
      'Engines missing (PostgreSQL, Kafka, MongoDB (FerretDB)): running `bash scripts/engines.sh up`',
    );
    expect(text).toContain(
      '`bash scripts/engines.sh up` exited with status 3; its output is above.',
    );
  });
});
