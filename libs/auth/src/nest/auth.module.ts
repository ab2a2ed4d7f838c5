import { DynamicModule, Global, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AuthOptions } from '../token/auth-options';
import { TokenVerifier } from '../token/token-verifier';
import { AuthGuard } from './auth.guard';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AuthModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => AuthOptions | Promise<AuthOptions>;
}

/**
 * Authentication for the whole application: registers the token verifier and the global
 * guard. Import once, in the root module.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return AuthModule.build([{ provide: AUTH_OPTIONS, useValue: options }]);
  }

  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return {
      ...AuthModule.build([
        { provide: AUTH_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
      ]),
      imports: options.imports ?? [],
    };
  }

  private static build(optionProviders: DynamicModule['providers'] & object): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        ...optionProviders,
        {
          provide: TokenVerifier,
          useFactory: (o: AuthOptions) => new TokenVerifier(o),
          inject: [AUTH_OPTIONS],
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AUTH_OPTIONS, TokenVerifier],
    };
  }
}
