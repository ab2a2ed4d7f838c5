import { DomainRuleError, optionalText, requiredText } from '@pcp/eventsourcing';
import { isTrlLevel } from '@pcp/contracts';

export const NAME_LIMIT = 200;
/** Reasons and justifications; the published schemas allow 10 000 characters. */
export const REASON_LIMIT = 10_000;

export { TITLE_LIMIT, optionalText, requiredText } from '@pcp/eventsourcing';

/** A mandatory written reason for a decision that affects a supplier. */
export function requiredReason(field: string, value: unknown): string {
  return requiredText(field, value, REASON_LIMIT);
}

export function optionalReason(field: string, value: unknown): string | null {
  return optionalText(field, value, REASON_LIMIT);
}

/** An amount in EUR: a finite number above zero. */
export function positiveAmount(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new DomainRuleError(
      `The ${field} must be an amount in EUR above zero, not ${JSON.stringify(value)}`,
      'INVALID_AMOUNT',
      { field, value },
    );
  }
  return value;
}

export function positiveWhole(field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new DomainRuleError(
      `The ${field} must be a whole number of at least 1, not ${JSON.stringify(value)}`,
      'INVALID_NUMBER',
      { field, value },
    );
  }
  return value as number;
}

export function trlLevel(field: string, value: unknown): number {
  if (!isTrlLevel(value)) {
    throw new DomainRuleError(
      `The ${field} must be a whole number from 1 to 9, not ${JSON.stringify(value)}`,
      'INVALID_TRL',
      { field, value },
    );
  }
  return value;
}

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** An ISO 8601 time with an offset, as an instant in ms; a calendar date that does not exist is refused. */
export function isoInstant(field: string, value: unknown): number {
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
      `The ${field} must be an ISO 8601 time with an offset, such as 2025-09-30T14:00:00+02:00`,
      'INVALID_TIME',
      { field, value },
    );
  }
  return Date.parse(value as string);
}

/** The same id twice in a list the user sent. */
export function firstDuplicate(values: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) return value;
    seen.add(value);
  }
  return null;
}

export function idList(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new DomainRuleError(`Give at least one id in ${field}`, 'IDS_REQUIRED', { field });
  }
  const ids = value.map((v) => (typeof v === 'string' ? v.trim() : ''));
  if (ids.some((v) => v === '')) {
    throw new DomainRuleError(`Every entry of ${field} must be a non-empty id`, 'INVALID_ID', {
      field,
    });
  }
  const duplicate = firstDuplicate(ids);
  if (duplicate !== null) {
    throw new DomainRuleError(`${field} names ${duplicate} twice; name each once`, 'DUPLICATE_ID', {
      field,
      id: duplicate,
    });
  }
  return ids;
}
