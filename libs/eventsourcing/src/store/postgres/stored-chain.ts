import { hash as digestOf } from 'node:crypto';
import type { EventEnvelope } from '../event-store';
import type { PreparedEvent, PreparedJson } from '../new-events';

/** Events placed after their stream's head, hashed, with the JSON the store writes them from. */
export interface ChainedEvents {
  envelopes: EventEnvelope[];
  /** Each event's data as canonical JSON, in the order of `envelopes`. */
  data: string[];
  /** Each event's actor as canonical JSON, in the order of `envelopes`. */
  actors: string[];
}

/**
 * Places prepared events after `head` and chains their hashes, as chainEvents does, with each
 * event's data and actor as the canonical JSON prepareEventsWithJson wrote them from (`json`,
 * in the order of `prepared`): one text for both the hash and the stored row. The hash is
 * eventHash's: SHA-256(prevHash || canonical JSON of the envelope without hash and position),
 * its members written here in canonical (sorted) order.
 */
export function chainForStorage(
  streamId: string,
  prepared: PreparedEvent[],
  head: { revision: bigint; hash: string },
  recordedAt: string,
  firstPosition: bigint,
  json: PreparedJson[],
): ChainedEvents {
  const envelopes: EventEnvelope[] = new Array(prepared.length);
  const dataTexts: string[] = new Array(prepared.length);
  const actorTexts: string[] = new Array(prepared.length);
  const stream = JSON.stringify(streamId);
  const recorded = JSON.stringify(recordedAt);
  let prevHash = head.hash;
  for (let index = 0; index < prepared.length; index += 1) {
    const event = prepared[index];
    const revision = head.revision + 1n + BigInt(index);
    const { actor, data } = json[index];
    // One string, prevHash in front: hashed as it is, without a second copy.
    const hash = digestOf(
      'sha256',
      `${prevHash}{"actor":${actor},"causationId":${JSON.stringify(event.causationId)},` +
        `"correlationId":${JSON.stringify(event.correlationId)},"data":${data},` +
        `"id":${JSON.stringify(event.id)},"occurredAt":${JSON.stringify(event.occurredAt)},` +
        `"prevHash":${JSON.stringify(prevHash)},"reason":${JSON.stringify(event.reason)},` +
        `"recordedAt":${recorded},"revision":"${revision}",` +
        `"schemaVersion":${JSON.stringify(event.schemaVersion)},"streamId":${stream},` +
        `"type":${JSON.stringify(event.type)}}`,
      'hex',
    );
    dataTexts[index] = data;
    actorTexts[index] = actor;
    // Written out rather than spread: every envelope gets the same shape.
    envelopes[index] = {
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      streamId,
      revision,
      globalPosition: firstPosition + BigInt(index),
      occurredAt: event.occurredAt,
      recordedAt,
      actor: event.actor,
      reason: event.reason,
      correlationId: event.correlationId,
      causationId: event.causationId,
      data: event.data,
      prevHash,
      hash,
    };
    prevHash = hash;
  }
  return { envelopes, data: dataTexts, actors: actorTexts };
}

const ARRAY_ESCAPED = /[\\"]/;
const ARRAY_ESCAPED_ALL = /[\\"]/g;

/** A member of a PostgreSQL array literal holding `text` as it is (quoted), or NULL. */
export function arrayMember(text: string | null): string {
  if (text === null) return 'NULL';
  return `"${ARRAY_ESCAPED.test(text) ? text.replace(ARRAY_ESCAPED_ALL, '\\$&') : text}"`;
}

/**
 * A group's events as the parameters of finish_append_columns, in its order: one array
 * literal per column, then the data and actors as canonical JSON joined by U+001E, which
 * JSON text never holds unescaped.
 */
export class StoredColumns {
  private readonly columns: string[][] = Array.from({ length: 12 }, () => []);
  private readonly data: string[] = [];
  private readonly actors: string[] = [];

  get length(): number {
    return this.data.length;
  }

  add(chained: ChainedEvents): void {
    const [positions, streams, revisions, ids, types, versions, occurred] = this.columns;
    const [reasons, correlations, causations, prevHashes, hashes] = this.columns.slice(7);
    let stream = '';
    chained.envelopes.forEach((event, index) => {
      // Digits, hex and UUIDs need no quotes; the other texts are quoted.
      positions.push(event.globalPosition.toString());
      if (index === 0) stream = arrayMember(event.streamId);
      streams.push(stream);
      revisions.push(event.revision.toString());
      ids.push(event.id);
      types.push(arrayMember(event.type));
      versions.push(String(event.schemaVersion));
      occurred.push(`"${event.occurredAt}"`);
      reasons.push(arrayMember(event.reason));
      correlations.push(arrayMember(event.correlationId));
      causations.push(arrayMember(event.causationId));
      prevHashes.push(event.prevHash);
      hashes.push(event.hash);
      this.data.push(chained.data[index]);
      this.actors.push(chained.actors[index]);
    });
  }

  parameters(): string[] {
    return [
      ...this.columns.map((column) => `{${column.join(',')}}`),
      this.data.join('\x1e'),
      this.actors.join('\x1e'),
    ];
  }
}
