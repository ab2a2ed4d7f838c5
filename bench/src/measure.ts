/** Timing primitives shared by the scenarios. */

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
