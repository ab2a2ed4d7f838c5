/**
 * The embedded default with a big log: `npm start`'s process on a PGlite folder already
 * holding the events, timed from spawn until the last recorded need shows in the needs list
 * (every in-memory read model rebuilt), and its resident memory then.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@pcp/auth';
import { embeddedStoreDir, PostgresEventStore } from '@pcp/eventsourcing';
import type { BenchConfig } from '../config';
import { log, now, waitUntil } from '../measure';
import { figure, type Figure } from '../results';
import { startService } from '../service-process';
import { writeNeedLog } from '../workload';

const GIB = 2 ** 30;

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
    const started = now();
    const service = await startService(
      'apps/platform/src/main.ts',
      { DATA_DIR: dataDir, AUTH_JWT_SECRET: secret, LOG_LEVEL: 'warn' },
      { timeoutMs: 600_000 },
    );
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
        600_000,
        'the read models to hold the last need',
        100,
      );
      const startupMs = now() - started;
      const rss = service.rss();
      const peak = service.peakRss();
      log(
        `embedded: ready after ${(service.readyAfterMs / 1000).toFixed(1)} s, read models after ${(startupMs / 1000).toFixed(1)} s, rss ${(rss / GIB).toFixed(2)} GiB (peak ${(peak / GIB).toFixed(2)})`,
      );
      return [
        figure({
          name: 'embedded-1m-startup',
          metric: `start until read models are current (${last.events} events)`,
          value: startupMs / 1000,
          unit: 's',
          goal: { kind: 'max', value: 30 },
        }),
        figure({
          name: 'embedded-1m-startup',
          metric: `start until /health/ready (${last.events} events)`,
          value: service.readyAfterMs / 1000,
          unit: 's',
          goal: { kind: 'max', value: 30 },
        }),
        figure({
          name: 'embedded-1m-rss',
          metric: `resident memory once current (${last.events} events)`,
          value: rss / GIB,
          unit: 'GiB',
          goal: { kind: 'max', value: 1 },
        }),
        figure({
          name: 'embedded-1m-rss',
          metric: `peak resident memory during start (${last.events} events)`,
          value: peak / GIB,
          unit: 'GiB',
          goal: { kind: 'max', value: 1 },
        }),
      ];
    } finally {
      await service.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
