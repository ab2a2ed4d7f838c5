import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** Lints `code` as if it were a file at `filePath` in the workspace, with the real config. */
function lint(filePath: string, code: string): { exitCode: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/eslint/bin/eslint.js'),
      '--stdin',
      '--stdin-filename',
      filePath,
      '--format',
      'json',
    ],
    { cwd: root, input: code, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  return { exitCode: result.status, output: result.stdout + result.stderr };
}

function messagesOf(output: string, ruleId: string): string[] {
  const start = output.indexOf('[');
  const results = JSON.parse(output.slice(start)) as {
    messages: { ruleId: string; message: string }[];
  }[];
  return results
    .flatMap((r) => r.messages)
    .filter((m) => m.ruleId === ruleId)
    .map((m) => m.message);
}

function boundaryErrors(output: string): string[] {
  const start = output.indexOf('[');
  const results = JSON.parse(output.slice(start)) as {
    messages: { ruleId: string; message: string }[];
  }[];
  return results
    .flatMap((r) => r.messages)
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message);
}

describe('module boundaries', () => {
  it('rejects a context library importing another context library', () => {
    const { exitCode, output } = lint(
      'libs/needs/src/boundary-probe.ts',
      "import { CONTEXT } from '@pcp/tenders';\nexport const probe = CONTEXT;\n",
    );
    expect(exitCode).toBe(1);
    expect(boundaryErrors(output)).toEqual([
      expect.stringContaining(
        'can only depend on libs tagged with "scope:platform", "scope:contracts"',
      ),
    ]);
  });

  it('rejects a platform library importing a context library', () => {
    const { exitCode, output } = lint(
      'libs/eventsourcing/src/boundary-probe.ts',
      "import { CONTEXT } from '@pcp/needs';\nexport const probe = CONTEXT;\n",
    );
    expect(exitCode).toBe(1);
    expect(boundaryErrors(output)).toHaveLength(1);
  });

  it('accepts a context library importing a platform library and the contracts', () => {
    const { exitCode, output } = lint(
      'libs/needs/src/boundary-probe.ts',
      "import * as contracts from '@pcp/contracts';\nimport * as es from '@pcp/eventsourcing';\nexport const probe = [contracts, es];\n",
    );
    expect(boundaryErrors(output)).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('keeps the test harness out of code that ships, and lets specs and fixtures use it', () => {
    const probe =
      "import { requireEngine } from '@pcp/testing';\nexport const probe = requireEngine;\n";
    const shipped = lint('libs/needs/src/application/boundary-probe.ts', probe);
    expect(shipped.exitCode).toBe(1);
    expect(messagesOf(shipped.output, 'no-restricted-imports')).toEqual([
      expect.stringContaining('The test harness is for specs and fixtures'),
    ]);
    for (const testFile of [
      'libs/needs/src/application/boundary-probe.spec.ts',
      'libs/needs/src/http/boundary-probe.e2e-fixtures.ts',
    ]) {
      const { exitCode, output } = lint(testFile, probe);
      expect({ testFile, errors: messagesOf(output, 'no-restricted-imports') }).toEqual({
        testFile,
        errors: [],
      });
      expect(exitCode).toBe(0);
    }
  });

  it('gives every project a tag that one of the rules constrains', () => {
    const constrained = [
      'scope:contracts',
      'scope:platform',
      'scope:context',
      'type:tooling',
      'type:app',
    ];
    const listed = spawnSync('git', ['ls-files', '*project.json'], { cwd: root, encoding: 'utf8' });
    const projects = listed.stdout.split('\n').filter(Boolean);
    expect(projects.length).toBeGreaterThan(20);
    const untagged = projects.filter((file) => {
      const tags = (JSON.parse(readFileSync(join(root, file), 'utf8')) as { tags?: string[] }).tags;
      return !(tags ?? []).some((tag) => constrained.includes(tag));
    });
    expect(untagged).toEqual([]);
  });
});
