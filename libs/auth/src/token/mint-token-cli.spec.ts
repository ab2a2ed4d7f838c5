import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TokenVerifier } from './token-verifier';

const root = resolve(__dirname, '../../../..');
// Node's own type stripping knows neither decorators nor path aliases (Node < 22.6 has none).
const NO_STRIP_TYPES = process.allowedNodeEnvironmentFlags.has('--experimental-strip-types')
  ? ['--no-experimental-strip-types']
  : [];
const SECRET = 'cli-secret-that-is-long-enough-for-hs256-signing';

/** Runs tools/token/mint-token.ts the way `npm run token` does (scripts/run-ts.sh). */
async function runCli(args: string[], env: Record<string, string | undefined> = {}) {
  const childEnv = { ...process.env, AUTH_JWT_SECRET: undefined, DATA_DIR: undefined, ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        ...NO_STRIP_TYPES,
        '-r',
        join(root, 'scripts/lib/swc-register.js'),
        'tools/token/mint-token.ts',
        ...args,
      ],
      { cwd: root, env: childEnv as NodeJS.ProcessEnv },
    );
    return { code: 0, stdout: stdout.trim(), stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout.trim(), stderr: e.stderr };
  }
}

describe('token CLI', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pcp-token-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('mints a token the server accepts, with every optional claim', async () => {
    const { code, stdout } = await runCli([
      '--sub',
      'u1',
      '--org',
      'org-a',
      '--roles',
      'procurer,auditor',
      '--name',
      'Ana',
      '--org-type',
      'hospital',
      '--sme',
      '--country',
      'ES',
      '--secret',
      SECRET,
    ]);
    expect(code).toBe(0);
    await expect(new TokenVerifier({ jwtSecret: SECRET }).verify(stdout)).resolves.toEqual({
      userId: 'u1',
      org: 'org-a',
      roles: ['procurer', 'auditor'],
      name: 'Ana',
      orgType: 'hospital',
      sme: true,
      country: 'ES',
    });
  });

  it('takes the secret from AUTH_JWT_SECRET, then from DATA_DIR/jwt-secret', async () => {
    const claims = [
      '--sub',
      'u2',
      '--org',
      'org-b',
      '--roles',
      'supplier',
      '--name',
      'Sam',
      '--ttl',
      '5m',
    ];
    const fromEnv = await runCli(claims, { AUTH_JWT_SECRET: SECRET });
    await expect(
      new TokenVerifier({ jwtSecret: SECRET }).verify(fromEnv.stdout),
    ).resolves.toMatchObject({ userId: 'u2' });

    const fileSecret = 'file-secret-that-is-long-enough-for-hs256-signing';
    writeFileSync(join(dataDir, 'jwt-secret'), `${fileSecret}\n`);
    const fromFile = await runCli(claims, { DATA_DIR: dataDir });
    await expect(
      new TokenVerifier({ jwtSecret: fileSecret }).verify(fromFile.stdout),
    ).resolves.toMatchObject({
      roles: ['supplier'],
    });
  });

  it('refuses unknown roles, missing claims and a missing secret with usage help', async () => {
    const badRole = await runCli([
      '--sub',
      'u1',
      '--org',
      'o',
      '--roles',
      'boss',
      '--name',
      'A',
      '--secret',
      SECRET,
    ]);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/Claim "roles"/);
    expect(badRole.stdout).toBe('');

    const noName = await runCli([
      '--sub',
      'u1',
      '--org',
      'o',
      '--roles',
      'admin',
      '--secret',
      SECRET,
    ]);
    expect(noName.stderr).toMatch(/"name"/);

    const noSecret = await runCli(
      ['--sub', 'u1', '--org', 'o', '--roles', 'admin', '--name', 'A'],
      {
        DATA_DIR: join(dataDir, 'absent'),
      },
    );
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/No secret/);
  });
});
