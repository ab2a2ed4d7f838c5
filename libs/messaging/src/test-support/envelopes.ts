import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@pcp/eventsourcing';

/** A stored event as the store hands it out, for code that only reads envelopes. */
export function storedEvent<T>(
  type: string,
  data: T,
  over: Partial<EventEnvelope<T>> = {},
): EventEnvelope<T> {
  return {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    streamId: 'tender-91b0',
    revision: 2n,
    globalPosition: 41n,
    occurredAt: '2025-06-02T09:00:00.000Z',
    recordedAt: '2025-06-02T09:00:00.010Z',
    actor: { userId: 'user-42', org: 'org-sergas', roles: ['procurer'] },
    reason: null,
    correlationId: randomUUID(),
    causationId: null,
    data,
    prevHash: '0'.repeat(64),
    hash: 'a'.repeat(64),
    ...over,
  };
}
