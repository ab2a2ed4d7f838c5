import {
  DynamicModule,
  MiddlewareConsumer,
  Module,
  RequestMethod,
  type NestModule,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { PlatformConfig } from '../config/platform-config';
import { JsonBodyScreen } from './json-screen';
import { REQUEST_TIMEOUT_MS, RequestDeadline } from './request-deadline';
import { WriteThrottleGuard } from './write-throttle.guard';

export type SecurityConfig = Pick<
  PlatformConfig,
  'RATE_LIMIT_WRITES' | 'RATE_LIMIT_WINDOW_MS' | 'REQUEST_TIMEOUT_MS'
>;

/**
 * The per-request defences of every service: hostile JSON bodies refused, writes limited
 * per caller, requests answered 503 at the request timeout. Import once in the root module,
 * after the AuthModule (the write limit counts per verified user). Security headers, CORS
 * and the server's socket limits are set by hardenHttp.
 */
@Module({})
export class SecurityModule implements NestModule {
  static forRoot(config: SecurityConfig): DynamicModule {
    const limited = config.RATE_LIMIT_WRITES > 0;
    const providers: Provider[] = [
      { provide: REQUEST_TIMEOUT_MS, useValue: config.REQUEST_TIMEOUT_MS },
      ...(limited ? [{ provide: APP_GUARD, useClass: WriteThrottleGuard }] : []),
    ];
    return {
      module: SecurityModule,
      imports: limited
        ? [
            ThrottlerModule.forRoot({
              throttlers: [{ ttl: config.RATE_LIMIT_WINDOW_MS, limit: config.RATE_LIMIT_WRITES }],
            }),
          ]
        : [],
      providers,
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RequestDeadline, JsonBodyScreen)
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
