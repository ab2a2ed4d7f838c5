import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type {
  NestExpressApplication,
  NestExpressBodyParserOptions,
} from '@nestjs/platform-express';
import helmet from 'helmet';
import type { PlatformConfig } from '../config/platform-config';
import { corsOrigins, corsPolicy } from './cors';

/** The JSON body limit (Nest's default); larger bodies get 413. */
export const JSON_BODY_LIMIT = '100kb';

function refuseInvalidUtf8(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) {
    throw Object.assign(new Error('The request body is not valid UTF-8'), {
      status: 400,
      expose: true,
      type: 'encoding.invalid',
    });
  }
}

export type HardeningConfig = Pick<
  PlatformConfig,
  'CORS_ORIGINS' | 'REQUEST_TIMEOUT_MS' | 'HEADERS_TIMEOUT_MS'
>;

/**
 * What must act on a request before anything else reads it, so it is registered on the
 * HTTP server before the body parser and the documentation routes: security headers,
 * cross-origin policy, and the server's own limits on slow clients. Call before `listen`.
 */
export function hardenHttp(app: INestApplication, config: HardeningConfig): void {
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // The API and /docs are often served over plain HTTP inside a network; upgrading
          // the documentation's scripts to HTTPS would break Swagger UI there.
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
  const origins = corsOrigins(config.CORS_ORIGINS);
  if (origins.length > 0) app.use(corsPolicy(origins));
  // The JSON parser Nest would add, plus a check that the bytes are UTF-8: the decoder
  // would otherwise turn broken sequences into U+FFFD and store them as if sent.
  const json: NestExpressBodyParserOptions = { limit: JSON_BODY_LIMIT, verify: refuseInvalidUtf8 };
  (app as NestExpressApplication).useBodyParser('json', json);

  const server = app.getHttpServer() as Server;
  // A client that trickles its headers or body is cut off (408) instead of holding a socket.
  server.headersTimeout = config.HEADERS_TIMEOUT_MS;
  server.requestTimeout = config.REQUEST_TIMEOUT_MS;
  // Node checks both timeouts only every connectionsCheckingInterval (30 s by default);
  // the interval is read when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.min(1_000, config.HEADERS_TIMEOUT_MS);
}
