/**
 * The embedded default with a big log: `npm start`'s process on a PGlite folder already
 * holding the events. A first start rebuilds every in-memory read model from the log and
 * saves them at its stop; the figures with the goals are those of the next start, as every
 * start after the first is, and its resident memory.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@pcp/auth';
import { embeddedStoreDir, PostgresEventStore } from '@pcp/eventsourcing';
import type { BenchConfig } from '../config';
import { log, now, waitUntil } from '../measure';
import { figure, type Figure } from '../results';
import { type ServiceProcess, startService } from '../service-process';
import { writeNeedLog } from '../workload';

const GIB = 2 ** 30;

/**
 * `npm start`'s process on the folder, timed from spawn until the last recorded need shows
 * in the needs list (every read model current).
 */
async function startUntilCurrent(
  env: Record<string, string>,
  token: string,
  last: { lastOrg: string; lastNeedId: string },
): Promise<{ service: ServiceProcess; currentMs: number; peakRss: number }> {
  const started = now();
  const service = await startService('apps/platform/src/main.ts', env, { timeoutMs: 900_000 });
  try {
    await waitUntil(
      async () => {
        const response = await fetch(`${service.url}/needs?org=${last.lastOrg}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (response.status !== 200) return false;
        const body = (await response.json()) as { items?: { id?: string }[] };
        return (body.items ?? []).some((n) => n.id === last.lastNeedId);
      },
      900_000,
      'the read models to hold the last need',
      100,
    );
  } catch (error) {
    await service.stop();
    const words = service.lastWords().trim();
    throw words ? new Error(`${(error as Error).message}; the service wrote: ${words}`) : error;
  }
  return { service, currentMs: now() - started, peakRss: service.peakRss() };
}

export async function embeddedScale(config: BenchConfig): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-bench-scale-'));
  try {
    const t0 = now();
    const store = await PostgresEventStore.embedded(embeddedStoreDir(dataDir));
    let last;
    try {
      last = await writeNeedLog(
        store,
        config.startupEvents,
        config.startupEventsPerStream,
        1,
        (n) => {
          log(`embedded: ${n} events written`);
        },
      );
    } finally {
      await store.close();
    }
    log(`embedded: ${last.events} events written in ${((now() - t0) / 1000).toFixed(0)} s`);

    const secret = randomBytes(32).toString('base64url');
    const token = await mintToken(
      { sub: 'u-last', name: 'Last procurer', org: last.lastOrg, roles: ['procurer'] },
      { secret },
    );
    // a stop saves the read models: room for that in a big log
    const env = {
      DATA_DIR: dataDir,
      AUTH_JWT_SECRET: secret,
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '300000',
    };
    // First start on the log alone: every read model rebuilt from the first event. It stops
    // cleanly, saving the read models (READ_MODEL_SNAPSHOT, on by default).
    const first = await startUntilCurrent(env, token, last);
    const stopped = now();
    await first.service.stop(300_000);
    const stopMs = now() - stopped;
    if (!existsSync(join(dataDir, 'read-models.platform.snapshot')))
      throw new Error('the first start left no read-model snapshot at its stop');
    // Then a start as every later one is: from the snapshot, following the log from there.
    const again = await startUntilCurrent(env, token, last);
    try {
      const rss = again.service.rss();
      const peak = again.service.peakRss();
      log(
        `embedded: first start current after ${(first.currentMs / 1000).toFixed(1)} s (peak rss ${(first.peakRss / GIB).toFixed(2)} GiB), stopped with its snapshot in ${(stopMs / 1000).toFixed(1)} s; ` +
          `from the snapshot ready after ${(again.service.readyAfterMs / 1000).toFixed(1)} s, current after ${(again.currentMs / 1000).toFixed(1)} s, rss ${(rss / GIB).toFixed(2)} GiB (peak ${(peak / GIB).toFixed(2)})`,
      );
      return [
        figure({
          name: 'embedded-1m-startup',
          metric: `start until read models are current, from the snapshot of the last stop (${last.events} events)`,
          value: again.currentMs / 1000,
          unit: 's',
          goal: { kind: 'max', value: 30 },
        }),
        figure({
          name: 'embedded-1m-startup',
          metric: `start until /health/ready, from the snapshot (${last.events} events)`,
          value: again.service.readyAfterMs / 1000,
          unit: 's',
          goal: { kind: 'max', value: 30 },
        }),
        figure({
          name: 'embedded-1m-startup',
          metric: `first start, every read model rebuilt from the log (${last.events} events)`,
          value: first.currentMs / 1000,
          unit: 's',
        }),
        figure({
          name: 'embedded-1m-rss',
          metric: `resident memory once current, from the snapshot (${last.events} events)`,
          value: rss / GIB,
          unit: 'GiB',
          goal: { kind: 'max', value: 1 },
        }),
        figure({
          name: 'embedded-1m-rss',
          metric: `peak resident memory during that start (${last.events} events)`,
          value: peak / GIB,
          unit: 'GiB',
          goal: { kind: 'max', value: 1 },
        }),
        figure({
          name: 'embedded-1m-rss',
          metric: `peak resident memory during the first start (${last.events} events)`,
          value: first.peakRss / GIB,
          unit: 'GiB',
        }),
      ];
    } finally {
      await again.service.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
