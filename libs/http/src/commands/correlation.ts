import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { CORRELATION_HEADER, correlationIdOf } from '../logging/logging.module';

export const CAUSATION_HEADER = 'x-causation-id';
const CORRELATION_KEY = 'correlationId';
const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type Request = IncomingMessage & { id?: unknown; [CORRELATION_KEY]?: string };

/**
 * The request's correlation id, decided once: the request logger's id when it already chose
 * one, else the caller's X-Correlation-Id when well-formed, else a new UUID. Echoed in the
 * response header and written back into the request headers so every reader agrees.
 */
export function ensureCorrelationId(req: Request, res: ServerResponse): string {
  const decided = req[CORRELATION_KEY];
  if (decided) return decided;
  const echoed = res.getHeader(CORRELATION_HEADER);
  const id = typeof req.id === 'string' && echoed === req.id ? req.id : correlationIdOf(req);
  req[CORRELATION_KEY] = id;
  req.headers[CORRELATION_HEADER] = id;
  if (!res.headersSent) res.setHeader('X-Correlation-Id', id);
  return id;
}

/** The event that caused this request, when the caller names one. */
export function causationIdOf(req: IncomingMessage): string | null {
  const given = req.headers[CAUSATION_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value && WELL_FORMED_ID.test(value) ? value : null;
}

@Injectable()
export class CorrelationIdMiddleware implements NestMiddleware {
  use(req: Request, res: ServerResponse, next: () => void): void {
    ensureCorrelationId(req, res);
    next();
  }
}
