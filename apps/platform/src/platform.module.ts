import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, LoggingModule, MetricsModule, PlatformConfig } from '@pcp/http';

@Module({})
export class PlatformModule {
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        LoggingModule.forRoot({ level: config.LOG_LEVEL, service: 'platform' }),
        HealthModule,
        MetricsModule,
      ],
    };
  }
}
