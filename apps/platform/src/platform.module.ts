import { DynamicModule, Module } from '@nestjs/common';
import type { PlatformConfig } from '@pcp/http';
import { PlatformCoreModule, type BoundedContext } from '@pcp/platform';

/** Every bounded context of the product, in pipeline order. */
export const CONTEXTS: BoundedContext[] = [];

/** The embedded default: all contexts in one process over one event log. */
@Module({})
export class PlatformModule {
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [PlatformCoreModule.forRoot({ config, service: 'platform', contexts: CONTEXTS })],
    };
  }
}
