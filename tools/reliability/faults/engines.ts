import { spawn } from 'node:child_process';
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

  down(...engines: EngineName[]): Promise<void> {
    return this.script('down', engines);
  }

  private script(command: 'up' | 'down', engines: EngineName[]): Promise<void> {
    const { ports } = this.settings;
    const env = {
      ...process.env,
      PCP_ENGINES_POSTGRES_PORT: String(ports.postgres),
      PCP_ENGINES_KAFKA_PORT: String(ports.kafka),
      PCP_ENGINES_KAFKA_CONTROLLER_PORT: String(ports.kafkaController),
      PCP_ENGINES_MONGO_PORT: String(ports.mongo),
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
