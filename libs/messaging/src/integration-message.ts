/**
 * One integration event as every consumer sees it, whether it came over Kafka or straight
 * from the shared event log (embedded mode), and its CloudEvents binary-mode Kafka form.
 */
import {
  CLOUDEVENTS_SPEC_VERSION,
  type ContextName,
  HEADER,
  type IntegrationEventDefinition,
  JSON_CONTENT_TYPE,
} from '@pcp/contracts';
import type { Actor, EventEnvelope } from '@pcp/eventsourcing';

export interface IntegrationMessage<T = unknown> {
  /** The source event id: the idempotency key. */
  id: string;
  type: string;
  /** `/pcp/<context>`. */
  source: string;
  context: ContextName;
  specVersion: typeof CLOUDEVENTS_SPEC_VERSION;
  /** When it happened in the domain (ISO 8601). */
  time: string;
  /** The source stream id. */
  subject: string;
  dataSchema: string;
  /** The aggregate id: Kafka key and the unit of ordering. */
  key: string;
  data: T;
  correlationId: string;
  causationId: string | null;
  streamRevision: bigint;
  globalPosition: bigint;
  /** Null when the event withholds who caused it. */
  actor: Actor | null;
  eventHash: string | null;
}

/** A Kafka record as the publisher port takes it: string key, JSON value, string headers. */
export interface OutgoingRecord {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** A received Kafka record, before it is trusted. */
export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export function integrationMessageOf<T>(
  envelope: EventEnvelope,
  definition: IntegrationEventDefinition<T>,
  data: T,
): IntegrationMessage<T> {
  const key = (data as Record<string, unknown>)[definition.key];
  return {
    id: envelope.id,
    type: definition.type,
    source: definition.source,
    context: definition.context,
    specVersion: CLOUDEVENTS_SPEC_VERSION,
    time: envelope.occurredAt,
    subject: envelope.streamId,
    dataSchema: definition.dataSchema,
    key: typeof key === 'string' ? key : '',
    data,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    streamRevision: envelope.revision,
    globalPosition: envelope.globalPosition,
    actor: definition.revealsActor ? envelope.actor : null,
    eventHash: envelope.hash,
  };
}

export function toRecord(message: IntegrationMessage, topic: string): OutgoingRecord {
  const headers: Record<string, string> = {
    [HEADER.id]: message.id,
    [HEADER.type]: message.type,
    [HEADER.source]: message.source,
    [HEADER.specVersion]: message.specVersion,
    [HEADER.time]: message.time,
    [HEADER.subject]: message.subject,
    [HEADER.dataSchema]: message.dataSchema,
    [HEADER.contentType]: JSON_CONTENT_TYPE,
    [HEADER.correlationId]: message.correlationId,
    [HEADER.streamRevision]: message.streamRevision.toString(),
    [HEADER.globalPosition]: message.globalPosition.toString(),
  };
  if (message.causationId) headers[HEADER.causationId] = message.causationId;
  if (message.actor) headers[HEADER.actor] = JSON.stringify(message.actor);
  if (message.eventHash) headers[HEADER.eventHash] = message.eventHash;
  return { topic, key: message.key, value: JSON.stringify(message.data), headers };
}

/** The record does not carry a well-formed integration message. */
export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

const DECIMAL = /^[0-9]+$/;

export function fromRecord(record: IncomingRecord): IntegrationMessage {
  const h = record.headers;
  const need = (name: string): string => {
    const value = h[name];
    if (value === undefined || value === '')
      throw new MalformedMessageError(`Missing header ${name}`);
    return value;
  };
  const specVersion = need(HEADER.specVersion);
  if (specVersion !== CLOUDEVENTS_SPEC_VERSION) {
    throw new MalformedMessageError(`Unsupported CloudEvents spec version ${specVersion}`);
  }
  const contentType = h[HEADER.contentType];
  if (contentType !== undefined && !contentType.startsWith(JSON_CONTENT_TYPE)) {
    throw new MalformedMessageError(`Unsupported content type ${contentType}`);
  }
  const source = need(HEADER.source);
  const context = /^\/pcp\/([a-z]+)$/.exec(source)?.[1];
  if (!context) throw new MalformedMessageError(`Unexpected source ${source}`);
  const revision = need(HEADER.streamRevision);
  const position = need(HEADER.globalPosition);
  if (!DECIMAL.test(revision) || !DECIMAL.test(position)) {
    throw new MalformedMessageError('streamRevision and globalPosition must be decimal');
  }
  if (record.value === null) throw new MalformedMessageError('Empty value');
  let data: unknown;
  try {
    data = JSON.parse(record.value);
  } catch {
    throw new MalformedMessageError('Value is not JSON');
  }
  let actor: Actor | null = null;
  if (h[HEADER.actor]) {
    try {
      actor = JSON.parse(h[HEADER.actor]) as Actor;
    } catch {
      throw new MalformedMessageError('Header actor is not JSON');
    }
  }
  return {
    id: need(HEADER.id),
    type: need(HEADER.type),
    source,
    context: context as ContextName,
    specVersion: CLOUDEVENTS_SPEC_VERSION,
    time: need(HEADER.time),
    subject: need(HEADER.subject),
    dataSchema: need(HEADER.dataSchema),
    key: record.key ?? '',
    data,
    correlationId: need(HEADER.correlationId),
    causationId: h[HEADER.causationId] ?? null,
    streamRevision: BigInt(revision),
    globalPosition: BigInt(position),
    actor,
    eventHash: h[HEADER.eventHash] ?? null,
  };
}
