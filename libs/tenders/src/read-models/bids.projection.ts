import type { Projection } from '@pcp/documents';
import type { SealedBidEvent } from '../domain';
import { BID_STREAM_PREFIX } from '../application/streams';
import { isSealedBidData } from '../application/sealed-bid-store';

/** Which organisation bid where: read only for that organisation's own participations. */
export const BIDS_COLLECTION = 'tenders_bids_by_org';

export type BidDocument = {
  bidId: string;
  tenderId: string;
  /** The bidder's keyed digest (bids sealed at rest): names no organisation without the key. */
  bidderKey?: string;
  /** Bids stored plain before sealing at rest: the bidder, as their events already said. */
  supplierOrg?: string;
  lotId?: string | null;
  status: 'SEALED' | 'WITHDRAWN';
  submittedAt: string;
};

export const bidsProjection: Projection = {
  name: 'tenders-bids',
  collections: [BIDS_COLLECTION],
  eventTypes: ['SealedBidSubmitted', 'SealedBidWithdrawn'],
  async apply(event, view) {
    if (!event.streamId.startsWith(BID_STREAM_PREFIX)) return;
    const id = event.streamId.slice(BID_STREAM_PREFIX.length);
    const submitted = event.type === 'SealedBidSubmitted';
    await view.update<BidDocument>(
      BIDS_COLLECTION,
      id,
      (current) => {
        if (submitted && isSealedBidData(event.data)) {
          const { bidId, tenderId, bidderKey } = event.data;
          return { bidId, tenderId, bidderKey, status: 'SEALED', submittedAt: event.occurredAt };
        }
        const e = { type: event.type, data: event.data } as SealedBidEvent;
        if (e.type === 'SealedBidSubmitted') {
          return {
            bidId: e.data.bidId,
            tenderId: e.data.tenderId,
            supplierOrg: e.data.supplierOrg,
            lotId: e.data.lotId,
            status: 'SEALED',
            submittedAt: event.occurredAt,
          };
        }
        if (e.type === 'SealedBidWithdrawn' && current) return { ...current, status: 'WITHDRAWN' };
        return undefined;
      },
      { streamView: true },
    );
  },
};
