import { DomainRuleError } from '@pcp/eventsourcing';

/** Limits of the published schemas, so that every recorded event can be published. */
export { TITLE_LIMIT } from '@pcp/eventsourcing';
export const KPI_NAME_LIMIT = 200;
export const UNIT_LIMIT = 50;
export const CAPABILITY_LIMIT = 200;
export const EVIDENCE_LIMIT = 500;
export const SITE_LIMIT = 128;

export { optionalText, requiredText } from '@pcp/eventsourcing';

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
