import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultSettings } from './settings';

const ROOT = join(__dirname, '..', '..', '..');

export type EngineName = 'postgres' | 'kafka' | 'ferretdb';

/**
 * A set of engines of the fault runs' own, on their own ports and data folder, driven by the
 * same scripts/engines.sh as the shared ones: the script keeps its data beside the checkout it
 * is started from, so it is started from a folder of links to this checkout's scripts and
 * packages. Stopping or restarting these never touches the engines other tests use.
 */
export class FaultEngines {
  readonly root: string;

  constructor(private readonly settings: FaultSettings) {
    this.root = join(settings.dir, 'checkout');
  }

  get postgresUrl(): string {
    return `postgres://pcp:pcp@127.0.0.1:${this.settings.ports.postgres}/pcp_test`;
  }
  get kafkaBrokers(): string {
    return `127.0.0.1:${this.settings.ports.kafka}`;
  }
  get mongoUrl(): string {
    return `mongodb://127.0.0.1:${this.settings.ports.mongo}/pcp_test`;
  }

  private prepare(): void {
    mkdirSync(this.root, { recursive: true });
    for (const entry of ['scripts', 'node_modules', 'package.json', 'package-lock.json']) {
      const link = join(this.root, entry);
      if (!existsSync(link)) symlinkSync(join(ROOT, entry), link);
    }
    // The broker's jars are the same for every set: reuse the checkout's when it has them.
    const jars = join(ROOT, '.engines', 'kafka', 'libs');
    const ownJars = join(this.root, '.engines', 'kafka', 'libs');
    if (existsSync(jars) && !existsSync(ownJars)) {
      mkdirSync(join(this.root, '.engines', 'kafka'), { recursive: true });
      symlinkSync(jars, ownJars);
    }
  }

  /** Starts what is stopped (all three, or the ones named) and waits until they answer. */
  up(...engines: EngineName[]): Promise<void> {
    this.prepare();
    return this.script('up', engines);
  }

  /**
   * Stops them (all, or the ones named). engines.sh exits non-zero when, afterwards, none of
   * its engines answers any more (its summary finds nothing to list): what counts here is that
   * the named engines' ports are closed.
   */
  async down(...engines: EngineName[]): Promise<void> {
    try {
      await this.script('down', engines);
    } catch (error) {
      const { ports } = this.settings;
      const named: EngineName[] = engines.length > 0 ? engines : ['postgres', 'kafka', 'ferretdb'];
      const portOf = { postgres: ports.postgres, kafka: ports.kafka, ferretdb: ports.mongo };
      const open = await Promise.all(named.map((e) => isOpen(portOf[e])));
      if (open.some(Boolean)) throw error;
    }
  }

  private script(command: 'up' | 'down', engines: EngineName[]): Promise<void> {
    const { ports } = this.settings;
    const env = {
      ...process.env,
      PCP_ENGINES_POSTGRES_PORT: String(ports.postgres),
      PCP_ENGINES_KAFKA_PORT: String(ports.kafka),
      PCP_ENGINES_KAFKA_CONTROLLER_PORT: String(ports.kafkaController),
      PCP_ENGINES_MONGO_PORT: String(ports.mongo),
      // Each engine stops on its own: FerretDB over PostgreSQL would go down with it.
      PCP_ENGINES_FERRETDB_BACKEND: 'sqlite',
      ...(engines.length > 0 ? { PCP_ENGINES: engines.join(' ') } : {}),
    };
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [join(this.root, 'scripts', 'engines.sh'), command], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
      child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
      child.on('exit', (code) =>
        code === 0
          ? resolve()
          : reject(
              new Error(`engines.sh ${command} ${engines.join(' ')} failed:\n${output.join('')}`),
            ),
      );
    });
  }
}

function isOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
