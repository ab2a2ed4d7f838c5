import {
  DynamicModule,
  MiddlewareConsumer,
  Module,
  NestModule,
  RequestMethod,
  type ModuleMetadata,
  type ValidationPipeOptions,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter } from '../errors/api-exception.filter';
import { createValidationPipe } from '../errors/validation';
import { CorrelationIdMiddleware } from './correlation';
import {
  IDEMPOTENCY_OPTIONS,
  IdempotencyGuard,
  type IdempotencyOptions,
} from './idempotency/idempotency.guard';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency/idempotency-store';

export interface CommandHttpOptions {
  /** Where idempotency keys live: a store, or a factory (e.g. over the event store's SqlClient). */
  idempotencyStore:
    | IdempotencyStore
    | {
        useFactory: (...args: never[]) => IdempotencyStore | Promise<IdempotencyStore>;
        inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
      };
  imports?: ModuleMetadata['imports'];
  idempotency?: IdempotencyOptions;
  validation?: ValidationPipeOptions;
}

/**
 * The HTTP side of commands, for the whole application: correlation ids, the validation
 * pipe, the API error filter and idempotency keys. Import once, in the root module, after
 * the AuthModule: the idempotency guard reads the user the AuthGuard verified.
 */
@Module({})
export class CommandHttpModule implements NestModule {
  static forRoot(options: CommandHttpOptions): DynamicModule {
    const store = options.idempotencyStore;
    const storeProvider =
      'useFactory' in store
        ? { provide: IDEMPOTENCY_STORE, useFactory: store.useFactory, inject: store.inject ?? [] }
        : { provide: IDEMPOTENCY_STORE, useValue: store };
    return {
      module: CommandHttpModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        storeProvider,
        { provide: IDEMPOTENCY_OPTIONS, useValue: options.idempotency ?? {} },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useValue: createValidationPipe(options.validation) },
        { provide: APP_GUARD, useClass: IdempotencyGuard },
      ],
      exports: [IDEMPOTENCY_STORE],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(CorrelationIdMiddleware)
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
