import { RequestValidationError } from '../errors/validation';

// ISO 8601 date-time with an offset or Z (API.md: times carry their offset).
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `?asOf=` as a Date, undefined when absent; 400 naming the field when malformed. */
export function parseAsOf(value: unknown): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text === 'string' && ISO_INSTANT.test(text)) {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new RequestValidationError([
    {
      field: 'asOf',
      constraints: {
        isIso8601: 'asOf must be an ISO 8601 date-time with an offset, e.g. 2026-03-01T12:00:00Z',
      },
    },
  ]);
}
