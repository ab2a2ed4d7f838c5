import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@pcp/eventsourcing';
import { StoreAudit } from '@pcp/platform';
import { SealedBidStore } from './sealed-bid-store';
import { BID_SEALING_KEY } from './settings';

/**
 * Lets this service's audit show the bids of opened tenders as their bidders made them: the
 * audit withholds a bid until its tender's opening, and only this context holds the key.
 */
@Injectable()
export class SealedBidsAudit implements OnModuleInit {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(BID_SEALING_KEY) private readonly sealingKey: Buffer,
    @Optional() private readonly audit?: StoreAudit,
  ) {}

  onModuleInit(): void {
    const bids = new SealedBidStore(this.store, this.sealingKey);
    this.audit?.openSealedBidsWith({ open: bids.opened });
  }
}
