import { BadRequestException, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { rememberValidationMetadata } from './validation-metadata';

/** One refused field: its path (`evidence.0.title`) and the failed constraints. */
export interface FieldError {
  field: string;
  constraints: Record<string, string>;
}

/** A request whose fields break their declared constraints; 400 with the fields listed. */
export class RequestValidationError extends BadRequestException {
  constructor(readonly fields: FieldError[]) {
    super(
      `Invalid request: ${fields.map((f) => Object.values(f.constraints).join(', ')).join('; ')}`,
    );
    this.name = 'RequestValidationError';
  }
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldError[] =
      error.constraints && Object.keys(error.constraints).length > 0
        ? [{ field, constraints: { ...error.constraints } }]
        : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * The platform's validation: unknown fields are refused, payloads become instances of their
 * DTO classes, and a failure is a RequestValidationError (400 listing the fields).
 */
export function createValidationPipe(options: ValidationPipeOptions = {}): ValidationPipe {
  rememberValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(flattenValidationErrors(errors)),
    ...options,
  });
}
