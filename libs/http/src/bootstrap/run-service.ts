import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { PlatformConfig } from '../config/platform-config';
import { setupOpenApi } from '../openapi/openapi';
import { hardenHttp } from '../security/http-hardening';

export interface ServiceDefinition {
  /** Root module; built from the validated configuration. */
  module: Type<unknown> | ReturnType<typeof Object>;
  config: PlatformConfig;
  title: string;
  description: string;
  version: string;
}

/**
 * Starts an HTTP service: JSON logs, security headers and limits, OpenAPI, graceful shutdown
 * on SIGTERM/SIGINT (stop taking requests, let subscriptions and producers finish, then exit).
 */
export async function runService(definition: ServiceDefinition): Promise<INestApplication> {
  const { config } = definition;
  mkdirSync(config.DATA_DIR, { recursive: true });
  const app = await NestFactory.create(definition.module as Type<unknown>, {
    bufferLogs: true,
    bodyParser: true,
  });
  app.useLogger(app.get(Logger));
  // Before the documentation routes and the body parser, so that they are covered too.
  hardenHttp(app, config);
  setupOpenApi(app, definition);
  await app.listen(config.PORT, config.HOST);
  const logger = app.get(Logger);
  // PORT=0 picks a free port: say which one was taken.
  const address = app.getHttpServer().address() as AddressInfo;
  logger.log(`listening on http://${config.HOST}:${address.port} (docs at /docs)`, 'Bootstrap');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: finishing requests and stopping`, 'Bootstrap');
    setTimeout(() => {
      logger.error(
        `shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms; exiting`,
        'Bootstrap',
      );
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    // close() runs every module's shutdown hooks: subscriptions stop, producers flush, stores close.
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`, 'Bootstrap');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return app;
}
