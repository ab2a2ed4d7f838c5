import { randomUUID } from 'node:crypto';
import { canonicalCopy } from '../integrity/canonical-json';
import { eventHash } from '../integrity/hash-chain';
import { type EventEnvelope, InvalidAppendError, type NewEvent } from './event-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A NewEvent checked and completed, in the exact form that is stored and hashed. */
export type PreparedEvent = Omit<
  EventEnvelope,
  'streamId' | 'revision' | 'globalPosition' | 'recordedAt' | 'prevHash' | 'hash'
>;

/** The canonical JSON of a prepared event's data and actor, as it was written to prepare them. */
export interface PreparedJson {
  data: string;
  actor: string;
}

function isoInstant(
  streamId: string,
  value: string | undefined,
  field: string,
  now: () => string,
): string {
  if (value === undefined) return now();
  const time = new Date(value);
  if (typeof value !== 'string' || Number.isNaN(time.getTime())) {
    throw new InvalidAppendError(
      streamId,
      `${field} "${String(value)}" is not an ISO 8601 instant`,
    );
  }
  return time.toISOString();
}

/**
 * `text`, read through once. V8 keeps a string built by concatenation as a tree of its
 * pieces until something reads it whole (randomUUID's answer is twenty pieces, about 490
 * bytes where its text takes 64), and an append's events wait in memory for their commit
 * group: there, every tree is copied by each young-generation collection it lives through.
 * Converting to a number reads the string whole and keeps it so, in place.
 */
function whole(text: string): string {
  Number(text);
  return text;
}

/** The actor as stored (user, organisation, roles) and its canonical JSON. */
function storedActor(actor: NewEvent['actor']): { json: string; value: PreparedEvent['actor'] } {
  const { userId, roles } = actor;
  const org = actor.org ?? null;
  // The usual actor, written directly: its keys in canonical order, its roles names.
  let names = typeof org === 'string' || org === null;
  for (let i = 0; names && i < roles.length; i += 1) names = typeof roles[i] === 'string';
  if (names) {
    return {
      json: whole(
        `{"org":${JSON.stringify(org)},"roles":${JSON.stringify(roles)},"userId":${JSON.stringify(userId)}}`,
      ),
      value: { org, roles: [...roles], userId },
    };
  }
  const { json, value } = canonicalCopy({ userId, org, roles });
  return { json, value: value as PreparedEvent['actor'] };
}

/** Validates an append's events before any adapter touches its engine. */
export function prepareEvents(streamId: string, events: NewEvent[]): PreparedEvent[] {
  return prepareEventsWithJson(streamId, events).events;
}

/**
 * `prepareEvents`, with the canonical JSON that each event's data and actor were written from
 * (the stored values are parsed from it), so that a store hashes and writes them without
 * writing them again.
 */
export function prepareEventsWithJson(
  streamId: string,
  events: NewEvent[],
): { events: PreparedEvent[]; json: PreparedJson[] } {
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
  // Events of one append without their own occurredAt happen at the same instant.
  let instant: string | undefined;
  const now = () => (instant ??= new Date().toISOString());
  const json: PreparedJson[] = [];
  const prepared = events.map((event, index) => {
    // toLowerCase also writes randomUUID's answer out whole (see `whole`).
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
    let data: { json: string; value: unknown };
    try {
      data = canonicalCopy(event.data === undefined ? null : event.data);
    } catch (error) {
      throw new InvalidAppendError(
        streamId,
        `event ${index}: data has no JSON form (${(error as Error).message})`,
      );
    }
    const actor = storedActor(event.actor);
    const prepared: PreparedEvent = {
      id,
      type: event.type,
      schemaVersion,
      occurredAt: isoInstant(streamId, event.occurredAt, 'occurredAt', now),
      // The stored values: plain JSON data that writes to the same canonical JSON again.
      actor: actor.value,
      reason: event.reason ?? null,
      correlationId: whole(event.correlationId),
      causationId: event.causationId == null ? null : whole(event.causationId),
      data: data.value,
    };
    json.push({ data: data.json, actor: actor.json });
    return prepared;
  });
  return { events: prepared, json };
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
