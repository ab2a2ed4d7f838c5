/**
 * The benchmark harness end to end at smoke sizes: `bench/src/main.ts --quick` with tiny
 * counts, on the test engines, into a temporary results folder. It checks the shape of
 * latest.json (every scenario of issue 9, each with its baseline and numbers) and never a
 * timing: figures from a busy CI machine mean nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireEngine } from '@pcp/testing';
import { SCENARIOS } from './config';
import type { BenchResults } from './results';

jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '..', '..');

/** The baselines issue 9 names for each scenario. */
const BASELINES: Record<(typeof SCENARIOS)[number], string[]> = {
  'append-new-streams': ['emmett', 'raw'],
  'append-existing-streams': ['emmett'],
  'append-batch': ['raw'],
  'http-command-embedded': ['bare'],
  'http-command-distributed': ['bare'],
  'replay-memory': ['raw'],
  'replay-mongo': ['raw'],
  'relay-kafka': ['kafkajs'],
  'audit-timeline': [],
  'verify-rate': ['sha256'],
  'embedded-1m-startup': [],
  'embedded-1m-rss': [],
};

let dir: string;
let results: BenchResults;
let run: ReturnType<typeof spawnSync>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pcp-bench-spec-'));
  run = spawnSync(
    process.execPath,
    [
      '--no-experimental-strip-types',
      '-r',
      join(ROOT, 'scripts/lib/swc-register.js'),
      join(ROOT, 'bench/src/main.ts'),
      '--quick',
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 540_000,
      env: {
        ...process.env,
        PCP_TEST_POSTGRES_URL: requireEngine('postgres'),
        PCP_TEST_KAFKA_BROKERS: requireEngine('kafka'),
        PCP_TEST_MONGO_URL: requireEngine('mongo'),
        BENCH_RESULTS_DIR: dir,
        BENCH_SCALE: '0.25',
        BENCH_USE_BUILD: '0',
      },
    },
  );
  const file = join(dir, 'latest.json');
  if (existsSync(file)) results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run bench -- --quick', () => {
  it('runs every scenario without a failure and prints the table', () => {
    expect(run.stderr).not.toMatch(/ failed: /);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      '| scenario | metric | value | unit | baseline | ratio | goal | met? |',
    );
  });

  it('writes latest.json with the machine and every scenario, each with numbers', () => {
    expect(results.quick).toBe(true);
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    const names = new Set(results.scenarios.map((f) => f.name));
    expect([...names].sort()).toEqual([...SCENARIOS].sort());
    for (const f of results.scenarios) {
      expect(f.error).toBeUndefined();
      expect(typeof f.metric).toBe('string');
      expect(typeof f.unit).toBe('string');
      expect(Number.isFinite(f.value)).toBe(true);
      if (f.baseline) expect(Number.isFinite(f.baseline.value)).toBe(true);
      if (f.goal !== null) expect(typeof f.met).toBe('boolean');
    }
  });

  it('measures each scenario against the baselines the issue names, with a ratio for rates', () => {
    for (const name of SCENARIOS) {
      const figures = results.scenarios.filter((f) => f.name === name);
      const baselines = new Set(figures.flatMap((f) => (f.baseline ? [f.baseline.name] : [])));
      expect({ name, baselines: [...baselines].sort() }).toEqual({
        name,
        baselines: [...BASELINES[name]].sort(),
      });
      for (const f of figures.filter((f) => f.baseline && f.unit.endsWith('/s'))) {
        expect(f.ratio).toBeCloseTo(f.value / (f.baseline?.value ?? Number.NaN), 2);
      }
    }
  });

  it('writes the same table to latest.md', () => {
    const md = readFileSync(join(dir, 'latest.md'), 'utf8');
    for (const name of SCENARIOS) expect(md).toContain(`| ${name} |`);
  });
});
