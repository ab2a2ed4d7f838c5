import { hash as digestOf } from 'node:crypto';
import { canonicalJson } from '../../integrity/canonical-json';
import type { EventEnvelope } from '../event-store';
import { type PreparedEvent, preparedJsonOf } from '../new-events';

// An object key that JavaScript orders before the others whatever the insertion order (an
// array index), written by JSON.stringify; matches inside strings are only false alarms.
const INDEX_KEY = /[{,]"(?:0|[1-9][0-9]*)":/;

/**
 * The canonical JSON of stored JSON (prepared data and actors: parsed from their canonical
 * form, so their keys are in canonical order already). JSON.stringify writes the same text
 * at native speed unless an object has an index-like key, which JavaScript moves to the front.
 */
export function storedJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  return INDEX_KEY.test(text) ? canonicalJson(value) : text;
}

/** Events placed after their stream's head, hashed, with the JSON the store writes them from. */
export interface ChainedEvents {
  envelopes: EventEnvelope[];
  /** One JSON object per event without its data and actor, in the shape finish_append_rows reads. */
  rows: string[];
  /** Each event's data as canonical JSON, in the order of `rows`. */
  data: string[];
  /** Each event's actor as canonical JSON, in the order of `rows`. */
  actors: string[];
}

/**
 * Places prepared events after `head` and chains their hashes, as chainEvents does, writing
 * each event's data and actor as JSON once for both its hash and its stored row. The hash is
 * eventHash's: SHA-256(prevHash || canonical JSON of the envelope without hash and position),
 * its members written here in canonical (sorted) order.
 */
export function chainForStorage(
  streamId: string,
  prepared: PreparedEvent[],
  head: { revision: bigint; hash: string },
  recordedAt: string,
  firstPosition: bigint,
): ChainedEvents {
  const envelopes: EventEnvelope[] = [];
  const rows: string[] = [];
  const dataTexts: string[] = [];
  const actorTexts: string[] = [];
  const stream = JSON.stringify(streamId);
  const recorded = JSON.stringify(recordedAt);
  let prevHash = head.hash;
  let prev = JSON.stringify(prevHash);
  prepared.forEach((event, index) => {
    const revision = head.revision + 1n + BigInt(index);
    const globalPosition = firstPosition + BigInt(index);
    // The text prepareEvents wrote the stored values from: the same canonical JSON.
    const written = preparedJsonOf(event);
    const actor = written?.actor ?? storedJsonText(event.actor);
    const data = written?.data ?? storedJsonText(event.data);
    const id = JSON.stringify(event.id);
    const type = JSON.stringify(event.type);
    const occurredAt = JSON.stringify(event.occurredAt);
    const reason = JSON.stringify(event.reason);
    const correlationId = JSON.stringify(event.correlationId);
    const causationId = JSON.stringify(event.causationId);
    const hashed =
      `{"actor":${actor},"causationId":${causationId},"correlationId":${correlationId},` +
      `"data":${data},"id":${id},"occurredAt":${occurredAt},"prevHash":${prev},` +
      `"reason":${reason},"recordedAt":${recorded},"revision":"${revision}",` +
      `"schemaVersion":${JSON.stringify(event.schemaVersion)},"streamId":${stream},"type":${type}}`;
    const hash = digestOf('sha256', prevHash + hashed, 'hex');
    rows.push(
      `{"p":"${globalPosition}","s":${stream},"r":"${revision}","id":${id},"type":${type},` +
        `"v":${event.schemaVersion},"o":${occurredAt},"reason":${reason},` +
        `"c":${correlationId},"k":${causationId},"ph":${prev},"h":"${hash}"}`,
    );
    dataTexts.push(data);
    actorTexts.push(actor);
    envelopes.push({
      ...event,
      streamId,
      revision,
      recordedAt,
      prevHash,
      globalPosition,
      hash,
    });
    prevHash = hash;
    prev = `"${hash}"`;
  });
  return { envelopes, rows, data: dataTexts, actors: actorTexts };
}
