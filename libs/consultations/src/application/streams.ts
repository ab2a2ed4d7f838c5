import { aggregateStreamId } from '@pcp/eventsourcing';

export const CONTEXT = 'consultations' as const;

export const consultationStream = (id: string): string =>
  aggregateStreamId(CONTEXT, 'consultation', id);

export const CONSULTATION_STREAM_PREFIX = consultationStream('');
