import { DomainRuleError } from '@pcp/eventsourcing';

/**
 * Client clocks run a little ahead of the server's; a time "now" by the client's clock is
 * not refused as a time in the future.
 */
export const CLOCK_TOLERANCE_MS = 5 * 60 * 1000;

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** An ISO 8601 time with an offset, as an instant in ms; a calendar date that does not exist is refused. */
export function instant(field: string, value: unknown): number {
  const parts = typeof value === 'string' ? ISO_WITH_OFFSET.exec(value) : null;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = parts
    ? [1, 2, 3, 4, 5, 6, 9, 10].map((i) => Number(parts[i] ?? 0))
    : [];
  // Date.parse rolls 30 February over into March; the published schemas would refuse it.
  const realDate =
    parts !== null &&
    month >= 1 &&
    month <= 12 &&
    new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offsetHours < 24 &&
    offsetMinutes < 60;
  if (!realDate) {
    throw new DomainRuleError(
      `The ${field} must be an ISO 8601 time with an offset, such as 2027-01-10T08:00:00+01:00`,
      'INVALID_TIME',
      { field, value },
    );
  }
  return Date.parse(value as string);
}

/** Refuses a time later than `now` (beyond the clock tolerance): what is recorded has happened. */
export function notInFuture(field: string, at: number, value: string, now: Date): void {
  if (at > now.getTime() + CLOCK_TOLERANCE_MS) {
    throw new DomainRuleError(
      `The ${field} ${value} is in the future; record it once it has happened`,
      'TIME_IN_FUTURE',
      { field, value, now: now.toISOString() },
    );
  }
}
