import type { EventEnvelope } from './event-store';

/** An envelope as it leaves the process: revision and position as decimal strings. */
export type EventEnvelopeJson<T = unknown> = Omit<
  EventEnvelope<T>,
  'revision' | 'globalPosition'
> & {
  revision: string;
  globalPosition: string;
};

export function envelopeToJson<T>(event: EventEnvelope<T>): EventEnvelopeJson<T> {
  return {
    ...event,
    revision: event.revision.toString(),
    globalPosition: event.globalPosition.toString(),
  };
}

export function envelopeFromJson<T>(json: EventEnvelopeJson<T>): EventEnvelope<T> {
  return { ...json, revision: BigInt(json.revision), globalPosition: BigInt(json.globalPosition) };
}

/** JSON.stringify that writes every bigint (anywhere in the value) as a decimal string. */
export function stringifyWithBigInts(value: unknown, space?: number): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item),
    space,
  );
}
