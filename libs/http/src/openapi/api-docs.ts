import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
} from '@nestjs/swagger';

/** The body of every error response (API.md "Common rules"), as OpenAPI shows it. */
export class ApiErrorResponse {
  @ApiProperty({ example: 422 })
  statusCode!: number;
  @ApiProperty({ example: 'Unprocessable Entity' })
  error!: string;
  @ApiProperty({ example: 'The need is recorded; validate it before joining a buyers group' })
  message!: string;
  @ApiPropertyOptional({
    description:
      'Field errors (400), the current revision (409 after a stale If-Match), or a code and facts of the refusal.',
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: {} },
    ],
  })
  details?: unknown;
}

const ERRORS = {
  400: 'Invalid request: the listed fields, an unknown field, a malformed If-Match or asOf',
  401: 'No valid bearer token',
  403: 'Wrong role, or not the owning organisation',
  404: 'No such resource (or it did not exist yet at asOf)',
  409: 'Wrong state, or a stale If-Match (details.currentRevision)',
  422: 'A business rule refuses it, or an Idempotency-Key reused with another body',
} as const;

/** The error responses a route can give, all in the API error shape; the route needs a token. */
export function ApiErrors(...statuses: (keyof typeof ERRORS)[]): MethodDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERRORS[status], type: ApiErrorResponse }),
    ),
  );
}

export const IfMatchHeader = () =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description:
      'The revision the change is based on, e.g. "3"; a stale one is a 409 with the current revision.',
  });

export const IdempotencyKeyHeader = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Repeating a POST with the same key and body returns the first response and records nothing more.',
  });
