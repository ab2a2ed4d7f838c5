import { DomainRuleError } from '@pcp/eventsourcing';
import { FREE_TEXT_LIMIT } from '@pcp/contracts';

/** Limits of the published schemas, so that every recorded event can be published. */
export const TITLE_LIMIT = 300;
export const KPI_NAME_LIMIT = 200;
export const UNIT_LIMIT = 50;
export const CAPABILITY_LIMIT = 200;
export const EVIDENCE_LIMIT = 500;
export const SITE_LIMIT = 128;

/** A required text, trimmed, of at most `limit` characters. */
export function requiredText(
  field: string,
  value: unknown,
  limit: number = FREE_TEXT_LIMIT,
): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') {
    throw new DomainRuleError(`The ${field} must not be empty`, 'TEXT_REQUIRED', { field });
  }
  const length = [...text].length;
  if (length > limit) {
    throw new DomainRuleError(
      `The ${field} has ${length} characters; shorten it to at most ${limit}`,
      'TEXT_TOO_LONG',
      { field, length, limit },
    );
  }
  return text;
}

/** An optional text: absent or blank is null, otherwise the rules of a required one. */
export function optionalText(
  field: string,
  value: unknown,
  limit = FREE_TEXT_LIMIT,
): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  return requiredText(field, value, limit);
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** An id as the published schemas accept it (user ids, testbed ids). */
export function identifier(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new DomainRuleError(
      `The ${field} ${JSON.stringify(value)} is not a valid id: letters, digits, '.', '_', ':' or '-', starting with a letter or digit, at most 128 characters`,
      'INVALID_ID',
      { field, value },
    );
  }
  return value;
}
