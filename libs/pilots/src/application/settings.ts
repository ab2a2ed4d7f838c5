/** The server's notion of now: measurement, roll-out and assessment times follow it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const CLOCK = Symbol('PILOTS_CLOCK');
export const PILOTS_SETTINGS = Symbol('PILOTS_SETTINGS');

export interface PilotsSettings {
  /**
   * How long planning a pilot waits for the tenders context's events to arrive (they lag
   * the tenders context by a moment, more over Kafka) before refusing an unknown contract.
   */
  consistencyWaitMs: number;
  /** How often it looks again meanwhile. */
  consistencyPollMs: number;
}

export const DEFAULT_CONSISTENCY_WAIT_MS = 5000;

/** CONSISTENCY_WAIT_MS from the environment: a whole number of milliseconds, 0 to 60000. */
export function consistencyWaitFrom(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['CONSISTENCY_WAIT_MS'];
  if (raw === undefined || raw.trim() === '') return DEFAULT_CONSISTENCY_WAIT_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 60_000) {
    throw new Error(
      `CONSISTENCY_WAIT_MS must be a whole number of milliseconds from 0 to 60000, not ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
