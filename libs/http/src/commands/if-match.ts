import { BadRequestException, ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

const REVISION = /^(?:"(\d{1,19})"|(\d{1,19}))$/;
const MAX_REVISION = 2n ** 63n - 1n;

/**
 * `If-Match: "<revision>"` (or a bare integer) as the expected stream revision; undefined
 * when the header is absent. Anything else is a 400, never silently ignored.
 */
export function parseIfMatch(header: string | string[] | undefined): bigint | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  const match = REVISION.exec(value);
  const revision = match ? BigInt(match[1] ?? match[2]) : undefined;
  if (revision === undefined || revision > MAX_REVISION) {
    throw new BadRequestException(
      `If-Match must be one revision number, quoted ("3") or bare (3); got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return revision;
}

/** Route parameter: the request's expected revision from If-Match, or undefined. */
export const IfMatch = createParamDecorator(
  (_data: unknown, context: ExecutionContext): bigint | undefined =>
    parseIfMatch(context.switchToHttp().getRequest<IncomingMessage>().headers['if-match']),
);
