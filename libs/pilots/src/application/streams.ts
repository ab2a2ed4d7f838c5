import { aggregateStreamId } from '@pcp/eventsourcing';

export const CONTEXT = 'pilots' as const;

export const pilotStream = (id: string): string => aggregateStreamId(CONTEXT, 'pilot', id);
export const testbedStream = (id: string): string => aggregateStreamId(CONTEXT, 'testbed', id);

export const PILOT_STREAM_PREFIX = pilotStream('');
export const TESTBED_STREAM_PREFIX = testbedStream('');
