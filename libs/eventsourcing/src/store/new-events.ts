import { randomUUID } from 'node:crypto';
import { toStoredJson } from '../integrity/canonical-json';
import { eventHash } from '../integrity/hash-chain';
import { type EventEnvelope, InvalidAppendError, type NewEvent } from './event-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A NewEvent checked and completed, in the exact form that is stored and hashed. */
export type PreparedEvent = Omit<
  EventEnvelope,
  'streamId' | 'revision' | 'globalPosition' | 'recordedAt' | 'prevHash' | 'hash'
>;

function isoInstant(streamId: string, value: string | undefined, field: string): string {
  if (value === undefined) return new Date().toISOString();
  const time = new Date(value);
  if (typeof value !== 'string' || Number.isNaN(time.getTime())) {
    throw new InvalidAppendError(
      streamId,
      `${field} "${String(value)}" is not an ISO 8601 instant`,
    );
  }
  return time.toISOString();
}

/** Validates an append's events before any adapter touches its engine. */
export function prepareEvents(streamId: string, events: NewEvent[]): PreparedEvent[] {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.startsWith('$')) {
    throw new InvalidAppendError(
      String(streamId),
      'a stream id must be a non-empty string not starting with $',
    );
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidAppendError(streamId, 'an append needs at least one event');
  }
  const seen = new Set<string>();
  return events.map((event, index) => {
    const id = (event.id ?? randomUUID()).toLowerCase();
    if (!UUID.test(id))
      throw new InvalidAppendError(streamId, `event ${index}: id "${event.id}" is not a UUID`);
    if (seen.has(id))
      throw new InvalidAppendError(streamId, `event id ${id} appears twice in one append`);
    seen.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.startsWith('$')) {
      throw new InvalidAppendError(
        streamId,
        `event ${index}: a type must be a non-empty string not starting with $`,
      );
    }
    const schemaVersion = event.schemaVersion ?? 1;
    if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
      throw new InvalidAppendError(
        streamId,
        `event ${index}: schemaVersion must be a positive integer`,
      );
    }
    if (
      !event.actor ||
      typeof event.actor.userId !== 'string' ||
      !Array.isArray(event.actor.roles)
    ) {
      throw new InvalidAppendError(
        streamId,
        `event ${index}: an actor with userId and roles is required`,
      );
    }
    if (typeof event.correlationId !== 'string' || event.correlationId.length === 0) {
      throw new InvalidAppendError(streamId, `event ${index}: correlationId is required`);
    }
    let data: unknown;
    try {
      data = toStoredJson(event.data === undefined ? null : event.data);
    } catch (error) {
      throw new InvalidAppendError(
        streamId,
        `event ${index}: data has no JSON form (${(error as Error).message})`,
      );
    }
    return {
      id,
      type: event.type,
      schemaVersion,
      occurredAt: isoInstant(streamId, event.occurredAt, 'occurredAt'),
      actor: toStoredJson({
        userId: event.actor.userId,
        org: event.actor.org ?? null,
        roles: event.actor.roles,
      }),
      reason: event.reason ?? null,
      correlationId: event.correlationId,
      causationId: event.causationId ?? null,
      data,
    };
  });
}

/** Places prepared events after the head of their stream and chains their hashes. */
export function chainEvents(
  streamId: string,
  prepared: PreparedEvent[],
  head: { revision: bigint; hash: string },
  recordedAt: string,
  positions: (index: number) => bigint,
): EventEnvelope[] {
  let prevHash = head.hash;
  return prepared.map((event, index) => {
    const unhashed = {
      ...event,
      streamId,
      revision: head.revision + 1n + BigInt(index),
      recordedAt,
      prevHash,
    };
    const hash = eventHash(unhashed);
    prevHash = hash;
    return { ...unhashed, globalPosition: positions(index), hash };
  });
}
