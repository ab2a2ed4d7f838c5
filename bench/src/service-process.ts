import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { now, waitUntil } from './measure';

export const ROOT = resolve(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export interface ServiceProcess {
  url: string;
  pid: number;
  /** Milliseconds from spawn until `/health/ready` (or `readyPath`) answered 200. */
  readyAfterMs: number;
  /** Resident set size now, in bytes (Linux /proc). */
  rss(): number;
  /** Peak resident set size so far, in bytes. */
  peakRss(): number;
  /** CPU time the process has used so far (user and system), in seconds. */
  cpuSeconds(): number;
  /** The end of what the process wrote to stderr, for an error that says why it stopped. */
  lastWords(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 15 s). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * How to run an entry point: its build under dist/ when BENCH_USE_BUILD=1 (as `npm start`
 * runs it; scripts/bench.sh builds first), else compiled on load like scripts/run-ts.sh.
 */
function nodeArguments(entry: string): string[] {
  const built = resolve(ROOT, 'dist', entry.replace(/\.ts$/, '.js'));
  if (process.env.BENCH_USE_BUILD === '1' && existsSync(built))
    return ['--enable-source-maps', built];
  return [
    '--no-experimental-strip-types',
    '-r',
    resolve(ROOT, 'scripts/lib/swc-register.js'),
    resolve(ROOT, entry),
  ];
}

/** utime + stime of /proc/<pid>/stat, in clock ticks (100 a second on Linux). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the fields after the command name, which may hold spaces and parentheses
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Resolves once every one of `services` has used less than `share` of a core in a window of
 * `windowMs`, and has kept doing so for `quietMs` (0: one such window), or after `timeoutMs`;
 * how long it waited, in ms. One idle window says a service is done with what earlier load
 * left it (projections catching up, batches in flight). It is not done with its memory: V8's
 * memory reducer collects the old generation some seconds later (mark-compacts of 60 to
 * 140 ms were seen 4 to 10 s after a peak run), on a core the next measured run needs.
 */
export async function untilIdle(
  services: Pick<ServiceProcess, 'cpuSeconds'>[],
  { share = 0.05, quietMs = 0, windowMs = 500, timeoutMs = 120_000 } = {},
): Promise<number> {
  const started = now();
  let quietSince = started;
  while (now() - started < timeoutMs) {
    const before = services.map((service) => service.cpuSeconds());
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const busy = services.some(
      (service, i) => ((service.cpuSeconds() - before[i]) * 1000) / windowMs >= share,
    );
    if (busy) quietSince = now();
    else if (now() - quietSince >= quietMs) break;
  }
  return now() - started;
}

function statusField(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/**
 * Starts a TypeScript entry point of the workspace as its own process, the way
 * scripts/run-ts.sh does, and waits until it answers on its health route.
 */
export async function startService(
  entry: string,
  env: Record<string, string>,
  options: { readyPath?: string; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const started = now();
  const child: ChildProcess = spawn(process.execPath, nodeArguments(entry), {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => {
        if (exited) throw new Error(`${entry} exited during start: ${stderr}`);
        try {
          const response = await fetch(`${url}${options.readyPath ?? '/health/ready'}`);
          return response.status === 200;
        } catch {
          return false;
        }
      },
      options.timeoutMs ?? 180_000,
      `${entry} to be ready`,
      50,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const readyAfterMs = now() - started;
  const pid = child.pid as number;
  return {
    url,
    pid,
    readyAfterMs,
    rss: () => statusField(pid, 'VmRSS'),
    peakRss: () => statusField(pid, 'VmHWM'),
    cpuSeconds: () => cpuTicks(pid) / 100,
    lastWords: () => stderr,
    stop: async (graceMs = 15_000) => {
      if (exited) return;
      const gone = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}
