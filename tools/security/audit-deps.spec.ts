import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'audit-deps.sh');

// The script's decisions are pure logic over npm's answer, so npm is replaced by a fake on
// PATH that answers what each case needs and records how it was called.
describe('scripts/audit-deps.sh', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pcp-audit-'));
    writeFileSync(
      join(dir, 'npm'),
      [
        '#!/usr/bin/env bash',
        'echo "$@" > "$FAKE_DIR/args"',
        'cat "$FAKE_DIR/stdout"',
        'cat "$FAKE_DIR/stderr" >&2',
        'exit "$(cat "$FAKE_DIR/status")"',
        '',
      ].join('\n'),
    );
    chmodSync(join(dir, 'npm'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function audit(answer: { stdout: string; stderr?: string; status: number }) {
    writeFileSync(join(dir, 'stdout'), answer.stdout);
    writeFileSync(join(dir, 'stderr'), answer.stderr ?? '');
    writeFileSync(join(dir, 'status'), String(answer.status));
    const run = spawnSync('bash', [SCRIPT], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_DIR: dir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: run.status, out: `${run.stdout}${run.stderr}` };
  }

  const report = (vulnerabilities: Record<string, unknown>, counts: Record<string, number>) =>
    JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities,
      metadata: {
        vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, ...counts },
      },
    });

  it('fails on a high or critical advisory, naming the package and the advisory', () => {
    const result = audit({
      status: 1,
      stdout: report(
        {
          'path-to-regexp': {
            name: 'path-to-regexp',
            severity: 'high',
            range: '<0.1.12',
            fixAvailable: true,
            via: [
              {
                title: 'path-to-regexp outputs backtracking regular expressions',
                url: 'https://github.com/advisories/GHSA-9wv6-86v2-598j',
              },
            ],
          },
          debug: { name: 'debug', severity: 'moderate', range: '<2.6.9', via: [] },
        },
        { high: 1, moderate: 1 },
      ),
    });
    expect(result.status).toBe(1);
    expect(result.out).toContain('HIGH OR CRITICAL ADVISORIES');
    expect(result.out).toContain('HIGH path-to-regexp <0.1.12');
    expect(result.out).toContain('GHSA-9wv6-86v2-598j');
    expect(result.out).not.toContain('debug');
    expect(readFileSync(join(dir, 'args'), 'utf8')).toMatch(/^audit --omit=dev .*--json/);
  });

  it('passes when only moderate or lower advisories are found', () => {
    const result = audit({
      status: 1,
      stdout: report(
        { debug: { name: 'debug', severity: 'moderate', range: '<2.6.9', via: [] } },
        { moderate: 1 },
      ),
    });
    expect(result.status).toBe(0);
    expect(result.out).toContain('no high or critical advisory (0 critical, 0 high, 1 moderate');
  });

  it('says loudly, with the error, that the audit could not be done, and does not fail', () => {
    const result = audit({
      status: 1,
      stdout: JSON.stringify({
        message:
          '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
        method: 'POST',
        statusCode: 405,
        body: '',
      }),
      stderr: 'npm error audit endpoint returned an error',
    });
    expect(result.status).toBe(0);
    expect(result.out).toContain('DEPENDENCY AUDIT NOT DONE');
    expect(result.out).toContain('405 Method Not Allowed - POST');
    expect(result.out).toContain('npm error audit endpoint returned an error');
    expect(result.out).toContain('::warning title=Dependency audit not done::');
  });

  it('treats an answer that is not a report (no network) as not done', () => {
    const result = audit({
      status: 1,
      stdout: '',
      stderr: 'npm error code ENOTFOUND\nnpm error request to https://registry.npmjs.org failed',
    });
    expect(result.status).toBe(0);
    expect(result.out).toContain('DEPENDENCY AUDIT NOT DONE');
    expect(result.out).toContain('ENOTFOUND');
  });
});
