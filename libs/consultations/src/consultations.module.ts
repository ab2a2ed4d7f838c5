import { Module, type DynamicModule } from '@nestjs/common';
import { ConsultationCommands } from './application/consultation-commands';
import { ConsultationQueries } from './application/consultation-queries';
import {
  CLOCK,
  CONSULTATION_SETTINGS,
  consistencyWaitFrom,
  systemClock,
  type Clock,
  type ConsultationSettings,
} from './application/settings';
import { ConsultationsController } from './http/consultations.controller';
import { KnownSubjects, NeedsEventsConsumer } from './integration/known-subjects';

export interface ConsultationsOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: CONSISTENCY_WAIT_MS from the environment, else 5000. */
  consistencyWaitMs?: number;
}

/**
 * The consultations context's HTTP side, application services and its consumer of the
 * needs context's events. It relies on the service's EVENT_STORE and DOCUMENT_STORE.
 */
@Module({})
export class ConsultationsModule {
  static forRoot(options: ConsultationsOptions = {}): DynamicModule {
    return {
      module: ConsultationsModule,
      controllers: [ConsultationsController],
      providers: [
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: CONSULTATION_SETTINGS,
          // Read when the application starts, so that a bad value stops it there.
          useFactory: (): ConsultationSettings => ({
            consistencyWaitMs: options.consistencyWaitMs ?? consistencyWaitFrom(),
            consistencyPollMs: 100,
          }),
        },
        ConsultationCommands,
        ConsultationQueries,
        KnownSubjects,
        NeedsEventsConsumer,
      ],
      exports: [NeedsEventsConsumer],
    };
  }
}
