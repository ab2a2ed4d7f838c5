import { spawnSync } from 'node:child_process';
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
});
