import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { redactUrl } from '../security/redaction';

export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's correlation id: the caller's, when well-formed, or a new UUID. */
export function correlationIdOf(req: IncomingMessage): string {
  const given = req.headers[CORRELATION_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value && CORRELATION_ID.test(value) ? value : randomUUID();
}

export interface LoggingOptions {
  level: string;
  service: string;
}

/**
 * Structured JSON logs (pino). Every request gets a correlation id, echoed in the
 * response header and attached to every log line written while it is handled.
 * Tokens, cookies and request bodies never reach the logs.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            messageKey: 'msg',
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const id = correlationIdOf(req);
              res.setHeader('X-Correlation-Id', id);
              return id;
            },
            // On the request's logger, so every line written while handling it carries the id.
            customProps: (req: IncomingMessage & { id?: unknown }) => ({ correlationId: req.id }),
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'res.headers["set-cookie"]',
              ],
              censor: '[redacted]',
            },
            serializers: {
              req: (req: { method: string; url: string }) => ({
                method: req.method,
                url: redactUrl(req.url),
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            customLogLevel: (_req, res, err) =>
              err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
            autoLogging: {
              ignore: (req) => req.url === '/metrics' || (req.url ?? '').startsWith('/health'),
            },
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
