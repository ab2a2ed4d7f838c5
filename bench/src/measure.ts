/** Timing primitives shared by the scenarios. */
import { readFileSync } from 'node:fs';

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * Runs `total` tasks on `concurrency` workers, each worker taking the next index; returns
 * the elapsed milliseconds. Workers are told their own number so they can own partitions
 * of the work (e.g. streams) and never contend with each other.
 */
export async function runConcurrently(
  total: number,
  concurrency: number,
  task: (index: number, worker: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async (_, worker) => {
      for (let i = next++; i < total; i = next++) await task(i, worker);
    }),
  );
  return now() - started;
}

export const perSecond = (count: number, ms: number): number => (count * 1000) / Math.max(ms, 1e-3);

/**
 * Each side's median time over `rounds` rounds, the sides taking turns within a round (each
 * side is told its round, to name what it writes). On a shared machine a slow stretch then
 * costs one round of one side instead of a whole side.
 */
export async function medianOfRounds<Side extends string>(
  rounds: number,
  sides: Record<Side, (round: number) => Promise<number>>,
): Promise<Record<Side, number>> {
  const names = Object.keys(sides) as Side[];
  const times = new Map<Side, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names) times.get(name)?.push(await sides[name](round));
  }
  const medians = {} as Record<Side, number>;
  for (const name of names) {
    const sorted = [...(times.get(name) ?? [])].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    medians[name] =
      sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }
  return medians;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

/**
 * Resolves once `busyShare()`, sampled every `windowMs`, tells less than `share` over the last
 * window, or after `timeoutMs`; how long it waited, in ms. `busyShare` returns a function
 * that gives the share since it was made.
 */
export async function untilBelow(
  busyShare: () => () => number,
  share: number,
  windowMs: number,
  timeoutMs: number,
): Promise<number> {
  const started = now();
  while (now() - started < timeoutMs) {
    const sinceStart = busyShare();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    if (sinceStart() < share) break;
  }
  return now() - started;
}

/** Busy and total clock ticks of every CPU of the machine (/proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  // idle and iowait
  return { busy: total - ticks[3] - ticks[4], total };
}

/**
 * Resolves once the whole machine has been busy less than `share` of its CPUs over
 * `windowMs` (the engines done with what earlier scenarios left them: autovacuum,
 * checkpoints, compaction), or after `timeoutMs`; how long it waited, in ms.
 */
export function untilMachineQuiet({
  share = 0.15,
  windowMs = 1_000,
  timeoutMs = 60_000,
} = {}): Promise<number> {
  const machineShare = () => {
    const before = machineTicks();
    return () => {
      const after = machineTicks();
      return (after.busy - before.busy) / Math.max(1, after.total - before.total);
    };
  };
  return untilBelow(machineShare, share, windowMs, timeoutMs);
}

/**
 * Waits, before a measured part, until the machine is quiet (see untilMachineQuiet): each
 * side of a comparison starts without the engines' after-work of the part before it.
 */
export async function quietBefore(what: string): Promise<void> {
  const waited = await untilMachineQuiet();
  if (waited > 1_500) log(`${what}: machine quiet after ${(waited / 1000).toFixed(1)} s`);
}
