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

/** Keeps the top-level fields the schema declares; a closed schema refuses the rest anyway. */
function declaredFields(definition: IntegrationEventDefinition, data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const declared = Object.keys((definition.schema['properties'] ?? {}) as object);
  return Object.fromEntries(Object.entries(data).filter(([k]) => declared.includes(k)));
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
