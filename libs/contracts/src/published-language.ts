/**
 * The published language: how a bounded context declares the integration events it
 * publishes on its Kafka topic. A declaration pairs a TypeScript payload type with a JSON
 * Schema (draft-07, the dialect AsyncAPI 3.0 embeds natively) and an example that must
 * satisfy it.
 */

export const CONTEXTS = ['needs', 'consultations', 'tenders', 'pilots', 'pipeline'] as const;
export type ContextName = (typeof CONTEXTS)[number];

/** A JSON Schema object (draft-07). Kept structural so schemas stay plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** Topic carrying a context's integration events. */
export const topicOf = (context: ContextName): string => `pcp.${context}.events`;

/** Dead-letter topic paired with a topic. */
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;

/** CloudEvents `source` attribute of a context's events. */
export const sourceOf = (context: ContextName): string => `/pcp/${context}`;

/** Payload fields whose value is a string: the candidates for the ordering key. */
type StringKeys<T> = { [K in keyof T]-?: T[K] extends string ? K : never }[keyof T] & string;

export interface IntegrationEventSpec<T> {
  context: ContextName;
  /** Event name as published (`ce_type`). */
  type: string;
  /** Payload version; a breaking change is a new version, declared beside the old one. */
  version: number;
  /** The aggregate whose events this orders (need, tender...). */
  aggregate: string;
  /** Payload field holding the aggregate id: the Kafka key, so per-aggregate order holds. */
  key: StringKeys<T>;
  /**
   * Whether consumers may learn who caused the event. False where the actor itself is
   * confidential (a sealed bid's bidder before opening).
   */
  revealsActor?: boolean;
  description: string;
  schema: JsonSchema;
  example: T;
}

export interface IntegrationEventDefinition<T = unknown> extends Readonly<
  Omit<IntegrationEventSpec<T>, 'key' | 'revealsActor'>
> {
  readonly key: string;
  readonly revealsActor: boolean;
  readonly topic: string;
  readonly source: string;
  /** CloudEvents `dataschema`: names this payload schema and version. */
  readonly dataSchema: string;
  /** `<context>.<type>.v<version>`: unique across the registry. */
  readonly name: string;
}

export const dataSchemaOf = (context: ContextName, type: string, version: number): string =>
  `urn:pcp:${context}:${type}:v${version}`;

export function defineIntegrationEvent<T>(
  spec: IntegrationEventSpec<T>,
): IntegrationEventDefinition<T> {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(spec.type)) {
    throw new Error(`Integration event type "${spec.type}" must be PascalCase`);
  }
  if (!Number.isInteger(spec.version) || spec.version < 1) {
    throw new Error(`${spec.type}: version must be a positive integer`);
  }
  const properties = (spec.schema['properties'] ?? {}) as Record<string, unknown>;
  const required = (spec.schema['required'] ?? []) as string[];
  if (!(spec.key in properties) || !required.includes(spec.key)) {
    throw new Error(
      `${spec.type}: key field "${spec.key}" must be a required property of the schema`,
    );
  }
  return Object.freeze({
    ...spec,
    revealsActor: spec.revealsActor ?? true,
    topic: topicOf(spec.context),
    source: sourceOf(spec.context),
    dataSchema: dataSchemaOf(spec.context, spec.type, spec.version),
    name: `${spec.context}.${spec.type}.v${spec.version}`,
  });
}

/** The payload type of a definition. */
export type PayloadOf<D> = D extends IntegrationEventDefinition<infer T> ? T : never;
