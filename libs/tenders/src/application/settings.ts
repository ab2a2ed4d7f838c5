/** The server's notion of now: deadlines and publication times follow it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const CLOCK = Symbol('TENDERS_CLOCK');
export const TENDER_SETTINGS = Symbol('TENDER_SETTINGS');
/** The master key sealing bids at rest (32 bytes). */
export const BID_SEALING_KEY = Symbol('BID_SEALING_KEY');

export interface TenderSettings {
  /**
   * How long drafting a tender waits for the consultations context's events to arrive (its
   * route decision lags by a moment, more over Kafka) before refusing the consultation.
   */
  consistencyWaitMs: number;
  consistencyPollMs: number;
  /** How often the deadline scheduler looks for published tenders past their deadline; 0 stops it. */
  deadlineCheckMs: number;
}

export const DEFAULT_CONSISTENCY_WAIT_MS = 5000;
export const DEFAULT_DEADLINE_CHECK_MS = 5000;

function wholeMs(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(
      `${name} must be a whole number of milliseconds from 0 to ${max}, not ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** CONSISTENCY_WAIT_MS from the environment, 0 to 60000. */
export function consistencyWaitFrom(env: NodeJS.ProcessEnv = process.env): number {
  return wholeMs(env, 'CONSISTENCY_WAIT_MS', DEFAULT_CONSISTENCY_WAIT_MS, 60_000);
}

/** TENDER_DEADLINE_CHECK_MS from the environment, 0 to 3600000. */
export function deadlineCheckFrom(env: NodeJS.ProcessEnv = process.env): number {
  return wholeMs(env, 'TENDER_DEADLINE_CHECK_MS', DEFAULT_DEADLINE_CHECK_MS, 3_600_000);
}
