import { ValidateBy, type ValidationOptions } from 'class-validator';
import { FREE_TEXT_LIMIT, charactersWithoutSpaces } from '@pcp/contracts';

/** Free text of at most `limit` characters once whitespace is left out. */
export function MaxCharactersWithoutSpaces(
  limit = FREE_TEXT_LIMIT,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxCharactersWithoutSpaces',
      constraints: [limit],
      validator: {
        validate: (value) => typeof value === 'string' && charactersWithoutSpaces(value) <= limit,
        defaultMessage: (args) =>
          `${args?.property} must have at most ${limit} characters without spaces`,
      },
    },
    options,
  );
}

/** Text with at least one visible character. */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotBlank',
      validator: {
        validate: (value) => typeof value === 'string' && value.trim() !== '',
        defaultMessage: (args) => `${args?.property} must not be empty`,
      },
    },
    options,
  );
}

/** Only one of two alternative fields may be given. */
export function NotTogetherWith(other: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notTogetherWith',
      constraints: [other],
      validator: {
        validate: (_value, args) =>
          (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
        defaultMessage: (args) => `give either ${other} or ${args?.property}, not both`,
      },
    },
    options,
  );
}
