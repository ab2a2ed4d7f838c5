/**
 * The AsyncAPI 3.0 document of the published language, generated from the registry so it
 * cannot drift from the schemas the relay and the consumers validate against.
 */
import { stringify } from 'yaml';
import {
  CLOUDEVENTS_SPEC_VERSION,
  HEADER,
  JSON_CONTENT_TYPE,
  integrationHeadersSchema,
} from './cloudevents';
import type { ContextName, IntegrationEventDefinition, JsonSchema } from './published-language';
import { deadLetterTopicOf, topicOf } from './published-language';
import type { IntegrationEventRegistry } from './registry';

/** Version of the published language as a whole (info.version of the AsyncAPI document). */
export const PUBLISHED_LANGUAGE_VERSION = '1.0.0';

const KAFKA_BINDING_VERSION = '0.5.0';
const HEADERS_SCHEMA = 'IntegrationHeaders';
const DEAD_LETTER_HEADERS_SCHEMA = 'DeadLetterHeaders';

const camel = (context: string): string =>
  context.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const channelId = (context: ContextName): string => `${camel(context)}Events`;
const dlqChannelId = (context: ContextName): string => `${camel(context)}DeadLetters`;
const messageId = (d: IntegrationEventDefinition): string => `${d.type}V${d.version}`;
const schemaId = (d: IntegrationEventDefinition): string => `${d.type}.v${d.version}`;

function exampleHeaders(d: IntegrationEventDefinition): Record<string, string> {
  const key = (d.example as Record<string, string>)[d.key];
  const headers: Record<string, string> = {
    [HEADER.id]: '0f8a4c52-2b0e-4d55-9a4e-3c1f7d2e9b61',
    [HEADER.type]: d.type,
    [HEADER.source]: d.source,
    [HEADER.specVersion]: CLOUDEVENTS_SPEC_VERSION,
    [HEADER.time]: '2025-06-02T09:00:00.000Z',
    [HEADER.subject]: `${d.aggregate}-${key}`,
    [HEADER.dataSchema]: d.dataSchema,
    [HEADER.contentType]: JSON_CONTENT_TYPE,
    [HEADER.correlationId]: 'c6d1e0a4-88a2-4b7e-a1f3-5d2b9c0e7f14',
    [HEADER.streamRevision]: '3',
    [HEADER.globalPosition]: '1207',
  };
  if (d.revealsActor) {
    headers[HEADER.actor] = JSON.stringify({
      userId: 'user-42',
      org: 'org-sergas',
      roles: ['procurer'],
    });
  }
  return headers;
}

export interface AsyncApiOptions {
  /** Document version (info.version). */
  version: string;
  /** Broker address shown under servers. */
  brokerHost?: string;
}

export function buildAsyncApiDocument(
  registry: IntegrationEventRegistry,
  options: AsyncApiOptions,
): JsonSchema {
  const channels: JsonSchema = {};
  const operations: JsonSchema = {};
  const messages: JsonSchema = {};
  const schemas: JsonSchema = {
    [HEADERS_SCHEMA]: integrationHeadersSchema,
    [DEAD_LETTER_HEADERS_SCHEMA]: {
      type: 'object',
      description:
        'A parked message keeps its original headers and value; these headers say why it was parked.',
      required: ['dlq_error', 'dlq_kind', 'dlq_at'],
      properties: {
        dlq_error: { type: 'string', description: 'The error that parked the message.' },
        dlq_kind: { type: 'string', enum: ['invalid', 'failed', 'unpublishable'] },
        dlq_consumer: { type: 'string', description: 'Consumer group that parked it.' },
        dlq_attempts: { type: 'string', description: 'Attempts made (decimal).' },
        dlq_topic: { type: 'string', description: 'Topic the message came from.' },
        dlq_partition: { type: 'string', description: 'Partition it came from (decimal).' },
        dlq_offset: { type: 'string', description: 'Offset it had (decimal).' },
        dlq_at: { type: 'string', format: 'date-time' },
      },
    },
  };

  for (const context of registry.contexts()) {
    const definitions = registry.ofContext(context);
    const channelMessages: JsonSchema = {};
    for (const d of definitions) {
      schemas[schemaId(d)] = d.schema;
      messages[messageId(d)] = {
        name: d.type,
        title: `${d.type} v${d.version}`,
        summary: d.description,
        contentType: JSON_CONTENT_TYPE,
        headers: { $ref: `#/components/schemas/${HEADERS_SCHEMA}` },
        payload: { $ref: `#/components/schemas/${schemaId(d)}` },
        correlationId: { location: `$message.header#/${HEADER.correlationId}` },
        bindings: {
          kafka: {
            key: {
              type: 'string',
              description: `${d.aggregate} id (payload field ${d.key}): orders the events.`,
            },
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
        examples: [{ name: `${d.type}Example`, headers: exampleHeaders(d), payload: d.example }],
        ...(d.revealsActor ? {} : { description: 'The actor header is withheld for this event.' }),
      };
      channelMessages[messageId(d)] = { $ref: `#/components/messages/${messageId(d)}` };
    }
    channels[channelId(context)] = {
      address: topicOf(context),
      title: `${context} integration events`,
      description: `Integration events of the ${context} context, keyed by aggregate id.`,
      messages: channelMessages,
      bindings: { kafka: { topic: topicOf(context), bindingVersion: KAFKA_BINDING_VERSION } },
    };
    channels[dlqChannelId(context)] = {
      address: deadLetterTopicOf(topicOf(context)),
      title: `${context} dead letters`,
      description:
        `Messages of ${topicOf(context)} that a consumer could not process, or that the relay refused ` +
        'to publish, with the error in headers.',
      messages: {
        DeadLetter: {
          name: 'DeadLetter',
          contentType: JSON_CONTENT_TYPE,
          headers: { $ref: `#/components/schemas/${DEAD_LETTER_HEADERS_SCHEMA}` },
          payload: { description: 'The original value, unchanged.' },
        },
      },
    };
    operations[`publish${channelId(context)[0].toUpperCase()}${channelId(context).slice(1)}`] = {
      action: 'send',
      title: `The ${context} relay publishes its events`,
      summary: `Relays ${context} integration events from the event log (at least once, idempotent producer).`,
      channel: { $ref: `#/channels/${channelId(context)}` },
      messages: definitions.map((d) => ({
        $ref: `#/channels/${channelId(context)}/messages/${messageId(d)}`,
      })),
    };
    operations[`park${dlqChannelId(context)[0].toUpperCase()}${dlqChannelId(context).slice(1)}`] = {
      action: 'send',
      summary: 'Consumers park poison messages here and go on.',
      channel: { $ref: `#/channels/${dlqChannelId(context)}` },
      messages: [{ $ref: `#/channels/${dlqChannelId(context)}/messages/DeadLetter` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Innovation procurement integration events',
      version: options.version,
      description:
        'The published language of the needs, consultations, tenders and pilots contexts. One topic per ' +
        'context; key = aggregate id; value = JSON payload; CloudEvents 1.0 attributes in Kafka headers ' +
        '(binary content mode). Delivery is at least once: consumers deduplicate on ce_id.',
    },
    defaultContentType: JSON_CONTENT_TYPE,
    servers: {
      kafka: {
        host: options.brokerHost ?? 'localhost:9092',
        protocol: 'kafka',
        description: 'Kafka (KRaft) broker of the distributed setup.',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}

export const ASYNCAPI_BANNER =
  '# Generated from the integration event registry (libs/contracts). Do not edit by hand:\n' +
  '# run `bash scripts/run-ts.sh libs/contracts/scripts/generate-asyncapi.ts` after changing an event.\n';

export function renderAsyncApiYaml(
  registry: IntegrationEventRegistry,
  options: AsyncApiOptions,
): string {
  return (
    ASYNCAPI_BANNER +
    stringify(buildAsyncApiDocument(registry, options), {
      lineWidth: 0,
      aliasDuplicateObjects: false,
    })
  );
}
