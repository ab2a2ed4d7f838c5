/**
 * Kafka record headers of an integration event: CloudEvents 1.0 in binary content mode
 * (the Kafka protocol binding: attributes as `ce_<name>` headers, `content-type` for the
 * data), plus the platform's tracing and ordering headers.
 */
import type { JsonSchema } from './published-language';

export const HEADER = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  specVersion: 'ce_specversion',
  time: 'ce_time',
  subject: 'ce_subject',
  dataSchema: 'ce_dataschema',
  contentType: 'content-type',
  correlationId: 'correlationId',
  causationId: 'causationId',
  streamRevision: 'streamRevision',
  globalPosition: 'globalPosition',
  /** JSON `{userId, org, roles}`; absent when the event withholds its actor. */
  actor: 'actor',
  /** Integrity hash of the source event in its stream. */
  eventHash: 'eventHash',
} as const;

export const DEAD_LETTER_HEADER = {
  error: 'dlq_error',
  /** `invalid` (schema or envelope), `failed` (handler gave up), `unpublishable` (relay refused). */
  kind: 'dlq_kind',
  consumer: 'dlq_consumer',
  attempts: 'dlq_attempts',
  topic: 'dlq_topic',
  partition: 'dlq_partition',
  offset: 'dlq_offset',
  at: 'dlq_at',
} as const;

export const CLOUDEVENTS_SPEC_VERSION = '1.0';
export const JSON_CONTENT_TYPE = 'application/json';

const str = (description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'string',
  description,
  ...extra,
});

/** Header schema shared by every integration message (AsyncAPI `headers`). */
export const integrationHeadersSchema: JsonSchema = {
  type: 'object',
  required: [
    HEADER.id,
    HEADER.type,
    HEADER.source,
    HEADER.specVersion,
    HEADER.time,
    HEADER.subject,
    HEADER.dataSchema,
    HEADER.contentType,
    HEADER.correlationId,
    HEADER.streamRevision,
    HEADER.globalPosition,
  ],
  properties: {
    [HEADER.id]: str('CloudEvents id: the source event id, the idempotency key for consumers.'),
    [HEADER.type]: str('CloudEvents type: the integration event name.'),
    [HEADER.source]: str('CloudEvents source: /pcp/<context>.', { pattern: '^/pcp/[a-z]+$' }),
    [HEADER.specVersion]: str('CloudEvents spec version.', { const: CLOUDEVENTS_SPEC_VERSION }),
    [HEADER.time]: str('CloudEvents time: when it happened in the domain.', {
      format: 'date-time',
    }),
    [HEADER.subject]: str('CloudEvents subject: the source event stream id.'),
    [HEADER.dataSchema]: str('CloudEvents dataschema: urn:pcp:<context>:<type>:v<version>.', {
      pattern: '^urn:pcp:[a-z]+:[A-Za-z0-9]+:v[0-9]+$',
    }),
    [HEADER.contentType]: str('Content type of the value.', { const: JSON_CONTENT_TYPE }),
    [HEADER.correlationId]: str('Correlation id of the request that led to the event.'),
    [HEADER.causationId]: str('Id of the message that caused the event, when there is one.'),
    [HEADER.streamRevision]: str('Revision of the event in its stream (decimal).', {
      pattern: '^[0-9]+$',
    }),
    [HEADER.globalPosition]: str('Position of the event in the source log (decimal).', {
      pattern: '^[0-9]+$',
    }),
    [HEADER.actor]: str('JSON {userId, org, roles} of who caused the event; absent when withheld.'),
    [HEADER.eventHash]: str('SHA-256 integrity hash of the source event.', {
      pattern: '^[0-9a-f]{64}$',
    }),
  },
};
