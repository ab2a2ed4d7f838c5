import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigError, loadConfig, runService } from '@pcp/http';
import type { BoundedContext } from './bounded-context';
import { PlatformCoreModule } from './platform-core.module';

export interface PlatformServiceDefinition {
  /** `platform` for the embedded default, else the context's name. */
  service: string;
  contexts: BoundedContext[];
  title: string;
  description: string;
}

@Module({})
class ServiceModule {}

/**
 * The `main` of every app: validated configuration, the contexts composed on the platform,
 * HTTP with logs, OpenAPI and graceful shutdown. Exits 2 on invalid configuration.
 */
export function runPlatformService(definition: PlatformServiceDefinition): void {
  const start = async () => {
    const config = loadConfig();
    const module: DynamicModule = {
      module: ServiceModule,
      imports: [
        PlatformCoreModule.forRoot({
          config,
          service: definition.service,
          contexts: definition.contexts,
          eventStoreSchema: config.EVENT_STORE_SCHEMA,
        }),
      ],
    };
    await runService({
      module,
      config,
      title: definition.title,
      description: definition.description,
      version: '0.1.0',
    });
  };
  start().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `${definition.service} failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  });
}
