/** The server's notion of now: response windows and publication times follow it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const CLOCK = Symbol('CONSULTATIONS_CLOCK');
export const CONSULTATION_SETTINGS = Symbol('CONSULTATION_SETTINGS');

export interface ConsultationSettings {
  /**
   * How long opening a consultation waits for the needs context's events to arrive (they
   * lag the needs context by a moment, more over Kafka) before refusing an unknown or
   * not yet validated need.
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
