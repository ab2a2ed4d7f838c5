import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { apiError } from '../errors/api-error';
import { RETRY_AFTER_SECONDS } from '../errors/unavailable';

export const REQUEST_TIMEOUT_MS = Symbol('REQUEST_TIMEOUT_MS');

const PAST_DEADLINE = Symbol('pastDeadline');

type Response = ServerResponse & {
  status(code: number): Response;
  json(body: unknown): Response;
  [PAST_DEADLINE]?: true;
};

/** True once the deadline has answered this response: whatever the handler sends later is dropped. */
export function isPastDeadline(res: ServerResponse): boolean {
  return (res as Response)[PAST_DEADLINE] === true;
}

/**
 * A request whose handler has not answered within the limit gets a 503 instead of holding
 * the client (a store that stopped answering, a lock held too long). The work itself may
 * still finish, so the answer tells the caller to read the resource before repeating.
 *
 * A timer per request, cleared when the response closes, rather than a Nest interceptor:
 * once any interceptor applies, Nest wraps every request in an rxjs chain bound to its async
 * context, and under load that chain keeps each request's objects alive long enough to be
 * promoted to the old generation (longer young-generation pauses, in the p99).
 */
@Injectable()
export class RequestDeadline implements NestMiddleware {
  constructor(@Inject(REQUEST_TIMEOUT_MS) private readonly limitMs: number) {}

  use(_req: IncomingMessage, res: Response, next: () => void): void {
    const timer = setTimeout(answerPastDeadline, this.limitMs, res, this.limitMs);
    res.once('close', () => clearTimeout(timer));
    next();
  }
}

function answerPastDeadline(res: Response, limitMs: number): void {
  if (res.headersSent) return;
  res[PAST_DEADLINE] = true;
  res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res
    .status(503)
    .json(
      apiError(
        503,
        `The request was not answered within ${limitMs} ms. It may still take effect: ` +
          'read the resource before repeating it',
      ),
    );
}
