import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { consultationsEvents } from './events/consultations.events';
import { needsEvents } from './events/needs.events';
import { pilotsEvents } from './events/pilots.events';
import { tendersEvents } from './events/tenders.events';
import type { ContextName, IntegrationEventDefinition } from './published-language';
import { isNutsCode } from './reference/regions';
import { NUTS_FORMAT } from './schema-fragments';

export type PayloadCheck = { valid: true } | { valid: false; errors: string[] };

const describe = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath || '(payload)'} ${e.message ?? 'is invalid'}`);

/** Every integration event the platform publishes, with compiled payload validators. */
export class IntegrationEventRegistry {
  private readonly byName = new Map<string, IntegrationEventDefinition>();
  private readonly bySchema = new Map<string, IntegrationEventDefinition>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv: Ajv;

  constructor(definitions: readonly IntegrationEventDefinition[]) {
    this.ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(this.ajv);
    this.ajv.addFormat(NUTS_FORMAT, {
      type: 'string',
      validate: (code: string) => isNutsCode(code),
    });
    for (const definition of definitions) {
      if (this.byName.has(definition.name)) {
        throw new Error(`Integration event ${definition.name} is declared twice`);
      }
      const clash = [...this.byName.values()].find(
        (d) => d.type === definition.type && d.context !== definition.context,
      );
      if (clash) {
        throw new Error(
          `Event type ${definition.type} is declared by both ${clash.context} and ${definition.context}`,
        );
      }
      this.byName.set(definition.name, definition);
      this.bySchema.set(definition.dataSchema, definition);
      this.validators.set(definition.name, this.ajv.compile(definition.schema));
    }
  }

  all(): IntegrationEventDefinition[] {
    return [...this.byName.values()];
  }

  ofContext(context: ContextName): IntegrationEventDefinition[] {
    return this.all().filter((d) => d.context === context);
  }

  contexts(): ContextName[] {
    return [...new Set(this.all().map((d) => d.context))];
  }

  /** The definition of a type: the given version, or the latest one. */
  find(type: string, version?: number): IntegrationEventDefinition | undefined {
    let found: IntegrationEventDefinition | undefined;
    for (const d of this.byName.values()) {
      if (d.type !== type) continue;
      if (version !== undefined) {
        if (d.version === version) return d;
      } else if (!found || d.version > found.version) {
        found = d;
      }
    }
    return found;
  }

  /** The definition named by a CloudEvents `dataschema`. */
  byDataSchema(dataSchema: string): IntegrationEventDefinition | undefined {
    return this.bySchema.get(dataSchema);
  }

  check(definition: IntegrationEventDefinition, payload: unknown): PayloadCheck {
    const validate = this.validators.get(definition.name);
    if (!validate) throw new Error(`Integration event ${definition.name} is not registered`);
    return validate(payload)
      ? { valid: true }
      : { valid: false, errors: describe(validate.errors) };
  }
}

export const allIntegrationEvents: readonly IntegrationEventDefinition[] = [
  ...needsEvents,
  ...consultationsEvents,
  ...tendersEvents,
  ...pilotsEvents,
] as IntegrationEventDefinition[];

/** The platform's published language. */
export const integrationEvents = new IntegrationEventRegistry(allIntegrationEvents);
