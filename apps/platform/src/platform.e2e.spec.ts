import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';

const root = join(__dirname, '..', '..', '..');
const buildDir = join(root, 'tmp', 'e2e-platform');

/** Compiles the platform app and its libraries the way `npm start` does (swc, tree kept). */
function build(): string {
  const swc = join(root, 'node_modules/@swc/cli/bin/swc.js');
  const result = spawnSync(process.execPath, [swc, 'apps/platform/src', 'libs', '-d', buildDir, '--config-file', '.swcrc', '--quiet'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
  return join(buildDir, 'apps/platform/src/main.js');
}

interface RunningPlatform {
  process: ChildProcess;
  url: string;
  logs: string[];
}

function start(main: string, env: Record<string, string>): Promise<RunningPlatform> {
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start:\n${logs.join('')}`)), 30_000);
    const onData = (chunk: Buffer) => {
      logs.push(chunk.toString());
      const match = /listening on (http:\/\/[^\s"]+)/.exec(logs.join(''));
      if (match) {
        clearTimeout(timer);
        resolve({ process: child, url: match[1], logs });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited with ${code}:\n${logs.join('')}`));
    });
  });
}

function stop(platform: RunningPlatform, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (platform.process.exitCode !== null) return resolve(platform.process.exitCode);
    platform.process.removeAllListeners('exit');
    platform.process.on('exit', (code) => resolve(code));
    platform.process.kill(signal);
  });
}

describe('platform app (built and run as npm start runs it)', () => {
  let main: string;
  let platform: RunningPlatform;
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-platform-'));

  beforeAll(async () => {
    main = build();
    platform = await start(main, { DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  }, 60_000);

  afterAll(async () => {
    if (platform) await stop(platform);
  });

  it('answers liveness and readiness', async () => {
    const live = await fetch(`${platform.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${platform.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { eventStore: { status: 'up' } } });
    // The embedded log lives on disk under DATA_DIR.
    expect(existsSync(join(dataDir, 'eventstore'))).toBe(true);
  });

  it('generates a token secret into the data folder when none is configured', () => {
    expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(true);
  });

  it('serves a valid OpenAPI document', async () => {
    const response = await fetch(`${platform.url}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    // Throws on any schema violation or broken $ref.
    const api = (await SwaggerParser.validate(structuredClone(document) as never)) as { info: { title: string } };
    expect(api.info.title).toBe('Innovation procurement platform');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
    const page = await fetch(`${platform.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('exposes Prometheus metrics, including the requests it served', async () => {
    await fetch(`${platform.url}/health/live`);
    const response = await fetch(`${platform.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} \d+/);
  });

  it('writes JSON logs with a correlation id per request, echoed to the caller', async () => {
    const response = await fetch(`${platform.url}/does-not-exist`, { headers: { 'X-Correlation-Id': 'corr-test-42' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-correlation-id')).toBe('corr-test-42');
    await new Promise((r) => setTimeout(r, 200));
    const lines = platform.logs.join('').split('\n').filter((l) => l.startsWith('{'));
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.correlationId === 'corr-test-42');
    expect(entry).toMatchObject({ service: 'platform', res: { statusCode: 404 } });
    const generated = await fetch(`${platform.url}/health/live`);
    expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stops cleanly on SIGTERM', async () => {
    const second = await start(main, { DATA_DIR: mkdtempSync(join(tmpdir(), 'pcp-platform-')) });
    const code = await stop(second, 'SIGTERM');
    expect(code).toBe(0);
    expect(second.logs.join('')).toContain('SIGTERM received');
  });

  it('refuses to start on invalid configuration, naming the variable', async () => {
    await expect(start(main, { DATA_DIR: dataDir, PORT: 'eighty' })).rejects.toThrow(/exited with 2[\s\S]*PORT/);
  });
});
