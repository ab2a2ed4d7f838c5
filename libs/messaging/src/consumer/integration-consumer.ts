/**
 * What a consuming context declares: a name (its consumer group and its idempotency scope),
 * the contexts it listens to, and one handler per integration event it cares about.
 */
import type { ContextName, IntegrationEventDefinition } from '@pcp/contracts';
import type { IntegrationMessage } from '../integration-message';

export type IntegrationMessageHandler<T = unknown> = (
  message: IntegrationMessage<T>,
) => Promise<void>;

export interface HandlerBinding {
  definition: IntegrationEventDefinition;
  handle: IntegrationMessageHandler;
}

/** Binds a handler to an event; the message's payload is typed by the definition. */
export function on<T>(
  definition: IntegrationEventDefinition<T>,
  handle: IntegrationMessageHandler<T>,
): HandlerBinding {
  return {
    definition: definition as IntegrationEventDefinition,
    handle: handle as IntegrationMessageHandler,
  };
}

export interface IntegrationConsumer {
  /** Consumer group id and idempotency scope; stable across deployments. */
  name: string;
  handlers: HandlerBinding[];
}

/** The contexts whose topics a consumer must read. */
export const contextsOf = (consumer: IntegrationConsumer): ContextName[] => [
  ...new Set(consumer.handlers.map((h) => h.definition.context)),
];

/** Thrown by a handler when retrying cannot help (the message contradicts what it knows). */
export class PermanentFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentFailure';
  }
}
