import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');

/**
 * Compiles every app and library the way the build does (swc, tree kept) into
 * `tmp/<folder>`, once per test file, and returns where the apps' mains are.
 */
export function buildApps(folder = 'e2e-build'): (app: string) => string {
  const out = join(root, 'tmp', folder);
  const swc = join(root, 'node_modules/@swc/cli/bin/swc.js');
  const result = spawnSync(
    process.execPath,
    [swc, 'apps', 'libs', '-d', out, '--config-file', '.swcrc', '--quiet'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
  return (app) => {
    const main = join(out, 'apps', app, 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`no app ${app} in ${out}`);
    return main;
  };
}

export interface RunningService {
  name: string;
  process: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Everything the process wrote, stdout and stderr. */
  logs: string[];
  /** SIGTERM (or the given signal) and the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a built app as its own process on a free loopback port (PORT=0) and resolves once
 * it says where it listens. The environment is only what is passed (plus PATH).
 */
export function startService(
  name: string,
  main: string,
  env: Record<string, string>,
  // under the 90 s set-up hooks, so that a slow start fails with the process's own logs
  timeoutMs = 80_000,
): Promise<RunningService> {
  const child = spawn(process.execPath, ['--enable-source-maps', main], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.removeAllListeners('exit');
      child.on('exit', (code) => resolve(code));
      child.kill(signal);
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${logs.join('')}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      logs.push(chunk.toString());
      const match = /listening on (http:\/\/[^\s"]+)/.exec(logs.join(''));
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.stdout.on('data', (c: Buffer) => logs.push(c.toString()));
        child.stderr.on('data', (c: Buffer) => logs.push(c.toString()));
        resolve({ name, process: child, url: match[1], logs, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${logs.join('')}`));
    });
  });
}

/**
 * Resolves once `<url>/health/ready` answers 200, as a load balancer waits before sending a
 * service traffic; rejects with the last answer after the timeout.
 */
export async function untilReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3_000) });
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
