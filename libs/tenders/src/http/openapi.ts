import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
} from '@nestjs/swagger';

export class TendersApiError {
  @ApiProperty({ example: 422 })
  statusCode!: number;
  @ApiProperty({ example: 'Unprocessable Entity' })
  error!: string;
  @ApiProperty({ example: 'Passing over the higher-ranked bid b-2 needs a written justification' })
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

const ERRORS: Record<number, string> = {
  400: 'Invalid request: the listed fields, an unknown field, a malformed If-Match or asOf',
  401: 'No valid bearer token',
  403: 'Wrong role, or not the organisation (or assigned evaluator, or bidder) this concerns',
  404: 'No such tender, bid, contract or deliverable (or it did not exist yet at asOf)',
  409: 'Wrong state (not published, deadline passed, bids sealed, already awarded), or a stale If-Match (details.currentRevision)',
  422: 'A business rule refuses it, or an Idempotency-Key reused with another body',
};

export function ApiErrors(...statuses: (400 | 401 | 403 | 404 | 409 | 422)[]): MethodDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERRORS[status], type: TendersApiError }),
    ),
  );
}

/** Errors of a route that needs no token. */
export function PublicErrors(...statuses: (400 | 404)[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERRORS[status], type: TendersApiError }),
    ),
  );
}

/** If-Match and Idempotency-Key, accepted by every command. */
export const CommandHeaders = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'The revision the change is based on, e.g. "3"; a stale one is a 409 with the current revision.',
    }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Repeating a POST with the same key and body returns the first response and records nothing more.',
    }),
  );
