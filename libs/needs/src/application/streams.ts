import { aggregateStreamId } from '@pcp/eventsourcing';

export const CONTEXT = 'needs' as const;

export const needStream = (id: string): string => aggregateStreamId(CONTEXT, 'need', id);
export const buyersGroupStream = (id: string): string =>
  aggregateStreamId(CONTEXT, 'buyersGroup', id);

export const NEED_STREAM_PREFIX = needStream('');
export const BUYERS_GROUP_STREAM_PREFIX = buyersGroupStream('');
