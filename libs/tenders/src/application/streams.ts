import { aggregateStreamId } from '@pcp/eventsourcing';

export const CONTEXT = 'tenders' as const;

export const tenderStream = (id: string): string => aggregateStreamId(CONTEXT, 'tender', id);
/** A sealed bid's own stream: the only place its content and bidder are written. */
export const bidStream = (id: string): string => aggregateStreamId(CONTEXT, 'bid', id);

export const TENDER_STREAM_PREFIX = tenderStream('');
export const BID_STREAM_PREFIX = bidStream('');
