import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startService, untilReady, type RunningService } from '@pcp/testing';
import { Client } from 'pg';
import { SERVICES, type ServiceName } from './settings';

export interface SystemOptions {
  /** Where each app's built main is. */
  mainOf: (app: string) => string;
  postgresUrl: string;
  kafkaBrokers: string;
  mongoUrl: string;
  /** Names this run's database, read-model databases and topics. */
  run: string;
  /** The run's folder: service data and logs. */
  dir: string;
}

/** Where one service keeps what, so that a restart finds it again. */
export interface ServiceSetup {
  name: ServiceName;
  port: number;
  env: Record<string, string>;
  mongoUrl: string;
  schema: string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Distinct free ports: every listener stays open until all are picked. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(
    servers.map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/**
 * The five context services as processes on the run's engines, behind the gateway, as `npm
 * run distributed:up` runs them, on fixed ports so that a killed service comes back where the
 * gateway expects it.
 */
export class DistributedSystem {
  readonly secret = randomBytes(32).toString('base64url');
  readonly setups = new Map<ServiceName, ServiceSetup>();
  readonly running = new Map<string, RunningService>();
  gatewayUrl = '';
  databaseUrl = '';
  private readonly logs = new Map<string, WriteStream>();

  constructor(private readonly options: SystemOptions) {}

  async start(): Promise<void> {
    const { run, dir } = this.options;
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const admin = new Client({ connectionString: this.options.postgresUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${run}`);
    } finally {
      await admin.end();
    }
    const url = new URL(this.options.postgresUrl);
    url.pathname = `/${run}`;
    this.databaseUrl = url.toString();

    for (const name of SERVICES) {
      const mongo = new URL(this.options.mongoUrl);
      mongo.pathname = `/${run}_${name}`;
      const port = await freePort();
      const setup: ServiceSetup = {
        name,
        port,
        schema: name,
        mongoUrl: mongo.toString(),
        env: {
          PORT: String(port),
          DATA_DIR: join(dir, 'data', name),
          AUTH_JWT_SECRET: this.secret,
          LOG_LEVEL: 'info',
          // The load is the fault's background, not a test of write throttling: a heavier load
          // chosen by whoever reruns these must not turn into 429s.
          RATE_LIMIT_WRITES: process.env['PCP_FAULTS_RATE_LIMIT_WRITES'] ?? '0',
          EVENT_STORE: 'postgres',
          DATABASE_URL: this.databaseUrl,
          EVENT_STORE_SCHEMA: name,
          INTEGRATION: 'kafka',
          KAFKA_BROKERS: this.options.kafkaBrokers,
          KAFKA_TOPIC_PREFIX: `${run}.`,
          READ_MODELS: 'mongo',
          MONGO_URL: mongo.toString(),
        },
      };
      mkdirSync(setup.env['DATA_DIR'], { recursive: true });
      this.setups.set(name, setup);
      await this.startService(name);
    }
    const gatewayPort = await freePort();
    const gateway = await startService('gateway', this.options.mainOf('gateway'), {
      PORT: String(gatewayPort),
      ...Object.fromEntries(
        [...this.setups.values()].map((s) => [
          `${s.name.toUpperCase()}_URL`,
          `http://127.0.0.1:${s.port}`,
        ]),
      ),
    });
    this.track(gateway);
    this.gatewayUrl = gateway.url;
  }

  async startService(name: ServiceName): Promise<void> {
    const setup = this.setups.get(name);
    if (!setup) throw new Error(`unknown service ${name}`);
    const service = await startService(name, this.options.mainOf(name), setup.env, 120_000);
    this.track(service);
    await untilReady(service.url, 120_000);
  }

  /** SIGKILL: no shutdown hook runs, as when a machine or container dies. */
  async kill(name: ServiceName): Promise<void> {
    const service = this.running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    await service.stop('SIGKILL');
    this.running.delete(name);
  }

  async waitAllReady(timeoutMs: number): Promise<void> {
    for (const setup of this.setups.values()) {
      await untilReady(`http://127.0.0.1:${setup.port}`, timeoutMs);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map((s) => s.stop()));
    this.running.clear();
    for (const log of this.logs.values()) log.end();
  }

  /** Removes the run's database (read models are removed by the caller, which has a client). */
  async dropDatabase(): Promise<void> {
    const admin = new Client({ connectionString: this.options.postgresUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${this.options.run} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }

  private track(service: RunningService): void {
    this.running.set(service.name, service);
    let log = this.logs.get(service.name);
    if (!log) {
      log = createWriteStream(join(this.options.dir, 'logs', `${service.name}.log`), {
        flags: 'a',
      });
      this.logs.set(service.name, log);
    }
    const out = log;
    for (const line of service.logs.splice(0)) out.write(line);
    // Keep the process's output on disk rather than in memory for long runs.
    const drain = (chunk: Buffer) => out.write(chunk.toString());
    service.process.stdout?.on('data', drain);
    service.process.stderr?.on('data', drain);
  }
}
