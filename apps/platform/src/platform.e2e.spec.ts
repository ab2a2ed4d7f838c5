import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { buildApps, startService, type RunningService } from '@pcp/testing';

function start(main: string, env: Record<string, string>): Promise<RunningService> {
  // Generous: on a busy machine five contexts and the embedded log take a while to start.
  return startService('platform', main, env, 90_000);
}

describe('platform app (built and run as npm start runs it)', () => {
  let main: string;
  let platform: RunningService;
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-platform-'));

  beforeAll(async () => {
    main = buildApps('e2e-platform')('platform');
    platform = await start(main, { DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  }, 120_000);

  afterAll(async () => {
    if (platform) await platform.stop();
  });

  it('answers liveness and readiness', async () => {
    const live = await fetch(`${platform.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${platform.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      info: { eventStore: { status: 'up' } },
    });
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
    const api = (await SwaggerParser.validate(structuredClone(document) as never)) as {
      info: { title: string };
    };
    expect(api.info.title).toBe('Innovation procurement platform');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready']),
    );
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
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} \d+/,
    );
  });

  it('writes JSON logs with a correlation id per request, echoed to the caller', async () => {
    const response = await fetch(`${platform.url}/does-not-exist`, {
      headers: { 'X-Correlation-Id': 'corr-test-42' },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-correlation-id')).toBe('corr-test-42');
    await new Promise((r) => setTimeout(r, 200));
    const lines = platform.logs
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.correlationId === 'corr-test-42');
    expect(entry).toMatchObject({ service: 'platform', res: { statusCode: 404 } });
    const generated = await fetch(`${platform.url}/health/live`);
    expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stops cleanly on SIGTERM', async () => {
    const second = await start(main, {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'pcp-platform-')),
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    const code = await second.stop('SIGTERM');
    expect(code).toBe(0);
    expect(second.logs.join('')).toContain('SIGTERM received');
  }, 180_000);

  it('refuses to start on invalid configuration, naming the variable', async () => {
    await expect(start(main, { DATA_DIR: dataDir, PORT: 'eighty' })).rejects.toThrow(
      /exited with 2[\s\S]*PORT/,
    );
  });
});
