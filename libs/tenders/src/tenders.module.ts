import { Module, type DynamicModule } from '@nestjs/common';
import { PLATFORM_CONFIG, resolveBidSealingKey, type PlatformConfig } from '@pcp/http';
import { DeadlineScheduler } from './application/deadline-scheduler';
import {
  BID_SEALING_KEY,
  CLOCK,
  TENDER_SETTINGS,
  consistencyWaitFrom,
  deadlineCheckFrom,
  systemClock,
  type Clock,
  type TenderSettings,
} from './application/settings';
import { SealedBidsAudit } from './application/sealed-bids-audit';
import { TenderCommands } from './application/tender-commands';
import { TenderQueries } from './application/tender-queries';
import { ParticipationsController, TendersController } from './http/tenders.controller';
import { ConsultationsEventsConsumer, KnownConsultations } from './integration/known-consultations';

export interface TendersOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: CONSISTENCY_WAIT_MS from the environment, else 5000. */
  consistencyWaitMs?: number;
  /** Default: TENDER_DEADLINE_CHECK_MS from the environment, else 5000; 0 turns the scheduler off. */
  deadlineCheckMs?: number;
}

/**
 * The tenders context's HTTP side, application services, deadline scheduler and its consumer
 * of the consultations context's events. It relies on the service's EVENT_STORE and DOCUMENT_STORE.
 */
@Module({})
export class TendersModule {
  static forRoot(options: TendersOptions = {}): DynamicModule {
    return {
      module: TendersModule,
      controllers: [TendersController, ParticipationsController],
      providers: [
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: TENDER_SETTINGS,
          // Read when the application starts, so that a bad value stops it there.
          useFactory: (): TenderSettings => ({
            consistencyWaitMs: options.consistencyWaitMs ?? consistencyWaitFrom(),
            consistencyPollMs: 100,
            deadlineCheckMs: options.deadlineCheckMs ?? deadlineCheckFrom(),
          }),
        },
        {
          provide: BID_SEALING_KEY,
          // BID_SEALING_KEY, else the key generated once into DATA_DIR.
          useFactory: (config: PlatformConfig): Buffer =>
            resolveBidSealingKey(config.DATA_DIR, config.BID_SEALING_KEY),
          inject: [PLATFORM_CONFIG],
        },
        SealedBidsAudit,
        TenderCommands,
        TenderQueries,
        DeadlineScheduler,
        KnownConsultations,
        ConsultationsEventsConsumer,
      ],
      exports: [ConsultationsEventsConsumer, DeadlineScheduler, TenderCommands],
    };
  }
}
