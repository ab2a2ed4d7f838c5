import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CLOCK, TENDER_SETTINGS, type Clock, type TenderSettings } from './settings';
import { TenderCommands } from './tender-commands';
import { TenderQueries } from './tender-queries';

/**
 * Moves published tenders past their submission deadline to BIDS_CLOSED, with the system as
 * actor. It survives restarts because it keeps no state: each round asks the read model. Several
 * instances may run: closing is idempotent in the domain and appended with the loaded revision
 * as the expectation, so one instance wins and the others find the tender closed.
 */
@Injectable()
export class DeadlineScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineScheduler.name);
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<number> | null = null;

  constructor(
    private readonly commands: TenderCommands,
    private readonly queries: TenderQueries,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TENDER_SETTINGS) private readonly settings: TenderSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.deadlineCheckMs <= 0) return;
    this.timer = setInterval(() => void this.closeDue(), this.settings.deadlineCheckMs);
    this.timer.unref();
    void this.closeDue();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round?.catch(() => undefined);
  }

  /** One round: closes every tender found past its deadline; returns how many it closed. */
  closeDue(): Promise<number> {
    // Rounds do not overlap within one instance; a slow round simply delays the next.
    if (this.round) return this.round;
    this.round = this.runRound().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private async runRound(): Promise<number> {
    let closed = 0;
    try {
      for (const id of await this.queries.pastDeadline(this.clock.now())) {
        try {
          const outcome = await this.commands.closeBidding(id);
          if (outcome.closedNow) closed += 1;
        } catch (error) {
          this.logger.warn(`Closing bidding of tender ${id} failed: ${(error as Error).message}`);
        }
      }
    } catch (error) {
      this.logger.warn(
        `Looking for tenders past their deadline failed: ${(error as Error).message}`,
      );
    }
    return closed;
  }
}
