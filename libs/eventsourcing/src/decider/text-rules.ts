/** Rules every context applies to the free texts of its commands (trimmed, bounded). */
import { DomainRuleError } from './errors';
import { FREE_TEXT_LIMIT, characterCount, charactersWithoutSpaces } from '@pcp/contracts';

/** Titles of needs, consultations, tenders, pilots. */
export const TITLE_LIMIT = 300;

/**
 * A required text, trimmed. `limit` counts every character, except where the field is
 * counted without spaces (a need's description).
 */
export function requiredText(
  field: string,
  value: unknown,
  limit: number = FREE_TEXT_LIMIT,
  counting: 'all' | 'withoutSpaces' = 'all',
): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') {
    throw new DomainRuleError(`The ${field} must not be empty`, 'TEXT_REQUIRED', { field });
  }
  const length =
    counting === 'withoutSpaces' ? charactersWithoutSpaces(text) : characterCount(text);
  if (length > limit) {
    const unit = counting === 'withoutSpaces' ? 'characters without spaces' : 'characters';
    throw new DomainRuleError(
      `The ${field} has ${length} ${unit}; shorten it to at most ${limit}`,
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
