import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  requireEngine,
  startService,
  uniqueName,
  untilReady,
  type RunningService,
} from '@pcp/testing';

export interface DistributedSystem {
  gateway: RunningService;
  services: Record<string, RunningService>;
  /** The environment each service was started with (its database, schema, topics, read models). */
  envOf: Record<string, Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * The given context services as separate processes on the engines, as `npm run
 * distributed:up` runs them (one event-store schema and one read-model database each, Kafka
 * topics of their own for this run), behind the gateway.
 */
export async function startDistributed(
  mainOf: (app: string) => string,
  names: string[],
  env: Record<string, string>,
): Promise<DistributedSystem> {
  const brokers = requireEngine('kafka');
  const mongo = requireEngine('mongo');
  const database = await createTestDatabase();
  const run = uniqueName('e2e');
  const started: RunningService[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
    await database.drop();
    // What each process said, for when a test of this run failed: tmp/e2e-logs/<run>/<service>.log
    const folder = join(__dirname, '..', '..', 'tmp', 'e2e-logs', run);
    mkdirSync(folder, { recursive: true });
    for (const s of started) writeFileSync(join(folder, `${s.name}.log`), s.logs.join(''));
  };
  try {
    const services: Record<string, RunningService> = {};
    const envOf: Record<string, Record<string, string>> = {};
    // The pipeline reads every other service's audit, so it starts last, knowing their URLs.
    const order = [
      ...names.filter((n) => n !== 'pipeline'),
      ...names.filter((n) => n === 'pipeline'),
    ];
    for (const name of order) {
      const mongoUrl = new URL(mongo);
      mongoUrl.pathname = `/${run.replace(/[^a-z0-9]/gi, '_')}_${name}`;
      envOf[name] = {
        // Relays poll and the broker delivers late on a busy machine: allow more than the 5 s
        // default (and less than the 30 s request timeout, or the wait itself becomes a 503).
        CONSISTENCY_WAIT_MS: '20000',
        ...env,
        EVENT_STORE: 'postgres',
        DATABASE_URL: database.url,
        EVENT_STORE_SCHEMA: name,
        INTEGRATION: 'kafka',
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: `${run}.`,
        READ_MODELS: 'mongo',
        MONGO_URL: mongoUrl.toString(),
        DATA_DIR: mkdtempSync(join(tmpdir(), `pcp-e2e-${name}-`)),
        ...(name === 'pipeline' ? { AUDIT_SERVICES: auditServicesOf(services) } : {}),
      };
      services[name] = await startService(name, mainOf(name), envOf[name]);
      started.push(services[name]);
      // ready = its consumers are in their groups: only then can it hear the others' events
      await untilReady(services[name].url).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${services[name].logs.join('')}`);
      });
    }
    const gateway = await startService(
      'gateway',
      mainOf('gateway'),
      Object.fromEntries(names.map((n) => [`${n.toUpperCase()}_URL`, services[n].url])),
    );
    started.push(gateway);
    await untilReady(gateway.url);
    return { gateway, services, envOf, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** AUDIT_SERVICES for the pipeline: every service started so far, as `<context>=<url>`. */
function auditServicesOf(services: Record<string, RunningService>): string {
  return Object.entries(services)
    .map(([name, service]) => `${name}=${service.url}`)
    .join(',');
}
