export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

/** Exponential backoff with jitter, so many clients do not retry in step. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 200;
  const max = options.maxMs ?? 10_000;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/** A sleep that `interrupt()` ends early (used to stop promptly while waiting to retry). */
export class Pause {
  private wake: (() => void) | null = null;

  for(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  interrupt(): void {
    this.wake?.();
  }
}
