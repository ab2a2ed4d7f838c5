import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@pcp/auth';
import { HealthModule, LoggingModule, MetricsModule, PlatformConfig, resolveJwtSecret } from '@pcp/http';

@Module({})
export class PlatformModule {
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        LoggingModule.forRoot({ level: config.LOG_LEVEL, service: 'platform' }),
        AuthModule.forRoot(
          config.AUTH_JWKS_URL
            ? { jwksUrl: config.AUTH_JWKS_URL }
            : { jwtSecret: resolveJwtSecret(config.DATA_DIR, config.AUTH_JWT_SECRET) },
        ),
        HealthModule,
        MetricsModule,
      ],
    };
  }
}
