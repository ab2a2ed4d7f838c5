/**
 * `npm run engines:up` while the engines run is harmless: it exits 0, starts nothing, and the
 * same processes keep answering on the same addresses.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

jest.setTimeout(300_000);

const root = join(__dirname, '..', '..');
const runDir = join(root, '.engines', 'run');
const envFile = join(root, '.engines', 'engines.env');

function engines(command: 'up' | 'status'): { status: number | null; output: string } {
  const result = spawnSync('bash', [join(root, 'scripts/engines.sh'), command], {
    cwd: root,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The pid of each engine this checkout started, by name. */
function pids(): Record<string, string> {
  if (!existsSync(runDir)) return {};
  return Object.fromEntries(
    readdirSync(runDir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => [f.replace(/\.pid$/, ''), readFileSync(join(runDir, f), 'utf8').trim()]),
  );
}

const addresses = (): string[] =>
  readFileSync(envFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('PCP_TEST_'))
    .sort();

describe('scripts/engines.sh up, run again while the engines run', () => {
  it('exits 0, starts nothing, and leaves the same engines answering', () => {
    // Up first, so the second run below meets running engines (quick when they already are).
    expect(engines('up')).toMatchObject({ status: 0 });
    const before = { pids: pids(), addresses: addresses() };
    expect(before.addresses).toEqual([
      expect.stringMatching(/^PCP_TEST_KAFKA_BROKERS=/),
      expect.stringMatching(/^PCP_TEST_MONGO_URL=/),
      expect.stringMatching(/^PCP_TEST_POSTGRES_URL=/),
    ]);

    const again = engines('up');
    // the whole output is shown when this fails
    expect(again).toMatchObject({ status: 0 });
    for (const engine of ['postgres', 'kafka', 'ferretdb']) {
      // "running (pid n)", or served by another checkout on this machine: never started anew
      expect(again.output).toMatch(
        new RegExp(`engines: ${engine}: (running \\(pid \\d+\\)|port \\d+ is served from outside)`),
      );
    }
    expect(again.output).not.toMatch(/: starting|creating cluster|formatting storage/);
    expect(pids()).toEqual(before.pids);
    // the engines this checkout started are still those processes, alive
    for (const pid of Object.values(before.pids))
      expect(() => process.kill(Number(pid), 0)).not.toThrow();
    expect(addresses()).toEqual(before.addresses);

    const status = engines('status');
    expect(status).toMatchObject({ status: 0 });
    for (const engine of ['postgres', 'kafka', 'ferretdb'])
      expect(status.output).toMatch(new RegExp(`^${engine} +up `, 'm'));
  });
});
