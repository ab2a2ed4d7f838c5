/**
 * From domain events (what a context stores) to integration events (what it publishes).
 * By default a stored event whose type is one of the context's declared integration events
 * is published with only the fields its schema declares; anything else stays private.
 * Contexts map the events whose stored shape differs from the published one.
 */
import {
  type ContextName,
  type IntegrationEventDefinition,
  type IntegrationEventRegistry,
  integrationEvents,
} from '@pcp/contracts';
import type { EventEnvelope } from '@pcp/eventsourcing';

export interface Translation {
  definition: IntegrationEventDefinition;
  data: unknown;
}

/** Published form of one stored event type; null keeps that occurrence private. */
export type EventMapping = (
  envelope: EventEnvelope,
) => { type: string; version?: number; data: unknown } | null;

export interface IntegrationTranslator {
  readonly context: ContextName;
  /** Stored event types that may become integration events (a subscription filter). */
  readonly sourceTypes: readonly string[];
  translate(envelope: EventEnvelope): Translation | null;
}

export interface TranslatorOptions {
  registry?: IntegrationEventRegistry;
  /** Stored type to its published form; wins over the same-name default. */
  mappings?: Record<string, EventMapping>;
  /** Publish stored events named like a declared integration event; default true. */
  sameName?: boolean;
}

type Schema = Record<string, unknown>;

/**
 * Keeps only what the schema declares, at every depth (objects by their `properties`, arrays
 * by their `items`, nullable forms through `anyOf`/`oneOf`): a stored event may hold more
 * than its published form (a price inside each awarded contract), and that must stay private.
 */
export function declaredPart(schema: Schema | undefined, data: unknown): unknown {
  if (!schema || data === null || typeof data !== 'object') return data;
  const properties = schema['properties'] as Record<string, Schema> | undefined;
  const items = schema['items'] as Schema | undefined;
  if (Array.isArray(data)) {
    if (items) return data.map((item) => declaredPart(items, item));
  } else if (properties) {
    const kept: Record<string, unknown> = {};
    for (const key of Object.keys(data)) {
      // own properties only: "constructor" or "toString" in the data are not declared fields
      if (!Object.hasOwn(properties, key)) continue;
      const value = declaredPart(properties[key], (data as Record<string, unknown>)[key]);
      // an own "__proto__" stays a field, never the published object's prototype
      if (key === '__proto__')
        Object.defineProperty(kept, key, { value, enumerable: true, writable: true });
      else kept[key] = value;
    }
    return kept;
  }
  // A nullable or alternative form: the alternative that describes this shape.
  const alternatives = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  const shaped = alternatives?.find((alt) =>
    Array.isArray(data) ? alt['items'] !== undefined : alt['properties'] !== undefined,
  );
  return shaped ? declaredPart(shaped, data) : data;
}

function declaredFields(definition: IntegrationEventDefinition, data: unknown): unknown {
  return declaredPart(definition.schema as Schema, data);
}

export class UndeclaredIntegrationEventError extends Error {
  constructor(context: ContextName, type: string, version?: number) {
    super(
      `${context} maps to ${type}${version ? ` v${version}` : ''}, which its published language does not declare`,
    );
    this.name = 'UndeclaredIntegrationEventError';
  }
}

export function integrationTranslator(
  context: ContextName,
  options: TranslatorOptions = {},
): IntegrationTranslator {
  const registry = options.registry ?? integrationEvents;
  const mappings = options.mappings ?? {};
  const sameName = options.sameName ?? true;
  const declared = registry.ofContext(context);
  const sourceTypes = [
    ...new Set([...(sameName ? declared.map((d) => d.type) : []), ...Object.keys(mappings)]),
  ];

  return {
    context,
    sourceTypes,
    translate(envelope) {
      const mapping = mappings[envelope.type];
      if (mapping) {
        const published = mapping(envelope);
        if (!published) return null;
        const definition = registry.find(published.type, published.version);
        if (!definition || definition.context !== context) {
          throw new UndeclaredIntegrationEventError(context, published.type, published.version);
        }
        return { definition, data: published.data };
      }
      if (!sameName) return null;
      const definition = registry.find(envelope.type);
      if (!definition || definition.context !== context) return null;
      return { definition, data: declaredFields(definition, envelope.data) };
    },
  };
}
