/** class-validator decorators for the request fields every context shares. */
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { FREE_TEXT_LIMIT, charactersWithoutSpaces, isNutsCode } from '@pcp/contracts';

/** A code of the NUTS 2021 list (ES51 Catalonia, BE2 Flanders...). */
export function IsNutsRegion(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNutsRegion',
      validator: {
        validate: (value) => isNutsCode(value),
        defaultMessage: (args) =>
          `${args?.property} must be a NUTS 2021 region code, for example ES51 for Catalonia`,
      },
    },
    options,
  );
}

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

/** An object mapping names to whole numbers in [min, max]. */
export function IsScoreMap(
  min: number,
  max: number,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isScoreMap',
      constraints: [min, max],
      validator: {
        validate: (value) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.entries(value as object).every(
            ([name, score]) =>
              name.trim() !== '' &&
              name.length <= 100 &&
              Number.isInteger(score) &&
              (score as number) >= min &&
              (score as number) <= max,
          ),
        defaultMessage: (args) =>
          `${args?.property} must map each criterion name (at most 100 characters) to a whole number from ${min} to ${max}`,
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
