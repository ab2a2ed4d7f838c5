import { mkdirSync } from 'node:fs';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { PlatformConfig } from '../config/platform-config';
import { setupOpenApi } from '../openapi/openapi';

export interface ServiceDefinition {
  /** Root module; built from the validated configuration. */
  module: Type<unknown> | ReturnType<typeof Object>;
  config: PlatformConfig;
  title: string;
  description: string;
  version: string;
}

/**
 * Starts an HTTP service: JSON logs, OpenAPI, graceful shutdown on SIGTERM/SIGINT
 * (stop taking requests, let subscriptions and producers finish, then exit).
 */
export async function runService(definition: ServiceDefinition): Promise<INestApplication> {
  const { config } = definition;
  mkdirSync(config.DATA_DIR, { recursive: true });
  const app = await NestFactory.create(definition.module as Type<unknown>, {
    bufferLogs: true,
    bodyParser: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  setupOpenApi(app, definition);
  await app.listen(config.PORT, config.HOST);
  const logger = app.get(Logger);
  logger.log(`listening on http://${config.HOST}:${config.PORT} (docs at /docs)`, 'Bootstrap');

  const forceExit = () => {
    setTimeout(() => {
      logger.error(`shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms; exiting`, 'Bootstrap');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
  };
  process.once('SIGTERM', forceExit);
  process.once('SIGINT', forceExit);
  return app;
}
