import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const reporter = join(root, 'tools/jest/summary-reporter.js');
const decide = join(root, 'tools/jest/worker-crashes.js');

interface Report {
  project: string;
  passed: number;
  failed: number;
  suitesFailedToRun: number;
  crashedSuites: { file: string; signal: string }[];
}

/** Runs Jest on `specs` in a project of its own, two workers, and returns its report. */
function runJest(dir: string, project: string, specs: Record<string, string>): Report {
  const projectDir = join(dir, project);
  mkdirSync(projectDir, { recursive: true });
  for (const [name, code] of Object.entries(specs)) writeFileSync(join(projectDir, name), code);
  const config = {
    displayName: project,
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/*.spec.js'],
    transform: {},
    reporters: [reporter],
    maxWorkers: 2,
  };
  const results = join(dir, 'results');
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules/jest/bin/jest.js'), '--config', JSON.stringify(config)],
    { cwd: root, encoding: 'utf8', env: { ...process.env, PCP_TEST_RESULTS_DIR: results } },
  );
  expect(run.status).toBe(1);
  return JSON.parse(readFileSync(join(results, `${project}.json`), 'utf8')) as Report;
}

function decideRetry(dir: string, nxLog: string): { status: number | null; projects: string[] } {
  const log = join(dir, 'nx.log');
  writeFileSync(log, nxLog);
  const run = spawnSync(process.execPath, [decide, join(dir, 'results'), log], {
    encoding: 'utf8',
  });
  return { status: run.status, projects: run.stdout.split('\n').filter(Boolean) };
}

const failedTasks = (...projects: string[]) =>
  `\u001b[2mFailed tasks:\u001b[22m\n\n${projects.map((p) => `\u001b[2m-\u001b[22m ${p}:test`).join('\n')}\n\n  Run duration: 1m\n`;

const passing = "test('holds', () => expect(1 + 1).toBe(2));\n";
const crashing =
  "test('never finishes', () => { process.kill(process.pid, 'SIGSEGV'); return new Promise(() => {}); });\n";
const failing = "test('fails', () => expect(1).toBe(2));\n";

describe('a Jest worker killed by a signal (scripts/test.sh runs its project again)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pcp-worker-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is reported as a crash of its suite, with the signal, and the project may run again', () => {
    const report = runJest(dir, 'crashy', { 'a.spec.js': passing, 'b.spec.js': crashing });

    expect(report).toMatchObject({ passed: 1, failed: 0, suitesFailedToRun: 1 });
    expect(report.crashedSuites).toEqual([
      { file: expect.stringMatching(/crashy\/b\.spec\.js$/), signal: 'SIGSEGV' },
    ]);
    expect(decideRetry(dir, failedTasks('crashy'))).toEqual({ status: 0, projects: ['crashy'] });
  });

  it('does not run anything again when a test of the same project failed', () => {
    runJest(dir, 'mixed', { 'a.spec.js': failing, 'b.spec.js': crashing });

    expect(decideRetry(dir, failedTasks('mixed'))).toEqual({ status: 1, projects: [] });
  });

  it('does not run anything again when Nx reports another task failed', () => {
    runJest(dir, 'crashy', { 'a.spec.js': passing, 'b.spec.js': crashing });

    expect(decideRetry(dir, failedTasks('crashy', 'auth'))).toEqual({ status: 1, projects: [] });
    expect(decideRetry(dir, 'no list of failed tasks\n')).toEqual({ status: 1, projects: [] });
  });

  it('is not a crash when a test failed', () => {
    const report = runJest(dir, 'plain', { 'a.spec.js': failing, 'b.spec.js': passing });

    expect(report).toMatchObject({ passed: 1, failed: 1, crashedSuites: [] });
    expect(decideRetry(dir, failedTasks('plain'))).toEqual({ status: 1, projects: [] });
  });
});
