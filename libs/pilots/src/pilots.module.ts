import { Module, type DynamicModule } from '@nestjs/common';
import { PilotCommands } from './application/pilot-commands';
import { PilotQueries } from './application/pilot-queries';
import {
  CLOCK,
  PILOTS_SETTINGS,
  consistencyWaitFrom,
  systemClock,
  type Clock,
  type PilotsSettings,
} from './application/settings';
import { PilotsController } from './http/pilots.controller';
import { TestbedsController } from './http/testbeds.controller';
import { KnownContracts, TendersEventsConsumer } from './integration/known-contracts';

export interface PilotsOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: CONSISTENCY_WAIT_MS from the environment, else 5000. */
  consistencyWaitMs?: number;
}

/**
 * The pilots context's HTTP side, application services and its consumer of the tenders
 * context's events. It relies on the service's EVENT_STORE and DOCUMENT_STORE.
 */
@Module({})
export class PilotsModule {
  static forRoot(options: PilotsOptions = {}): DynamicModule {
    return {
      module: PilotsModule,
      controllers: [TestbedsController, PilotsController],
      providers: [
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: PILOTS_SETTINGS,
          // Read when the application starts, so that a bad value stops it there.
          useFactory: (): PilotsSettings => ({
            consistencyWaitMs: options.consistencyWaitMs ?? consistencyWaitFrom(),
            consistencyPollMs: 100,
          }),
        },
        PilotCommands,
        PilotQueries,
        KnownContracts,
        TendersEventsConsumer,
      ],
      exports: [TendersEventsConsumer],
    };
  }
}
