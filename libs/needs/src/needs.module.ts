import { Module } from '@nestjs/common';
import { BuyersGroupCommands } from './application/buyers-group-commands';
import { NeedCommands } from './application/need-commands';
import { NeedQueries } from './application/need-queries';
import { BuyersGroupsController } from './http/buyers-groups.controller';
import { NeedsController } from './http/needs.controller';

/**
 * The needs context's HTTP side and application services. It relies on the service's
 * EVENT_STORE and DOCUMENT_STORE, which the platform provides globally.
 */
@Module({
  controllers: [NeedsController, BuyersGroupsController],
  providers: [NeedCommands, BuyersGroupCommands, NeedQueries],
})
export class NeedsModule {}
