/**
 * The consuming side's rules, the same for Kafka and for the embedded event-log source:
 * a malformed or schema-breaking message is parked at once; a message already processed is
 * skipped (ids recorded per consumer); a failing handler is retried with exponential backoff
 * a bounded number of times, then the message is parked and the consumer goes on.
 */
import { type IntegrationEventRegistry, integrationEvents } from '@pcp/contracts';
import {
  type IncomingRecord,
  type IntegrationMessage,
  MalformedMessageError,
  fromRecord,
} from '../integration-message';
import type { DeadLetterKind, DeadLetterSink } from './dead-letters';
import {
  type HandlerBinding,
  type IntegrationConsumer,
  PermanentFailure,
} from './integration-consumer';
import type { ProcessedEvents } from './processed-events';

export interface RetryPolicy {
  /** Handler attempts before parking; default 5. */
  attempts?: number;
  initialMs?: number;
  maxMs?: number;
}

export type ProcessOutcome =
  | { kind: 'handled'; message: IntegrationMessage; attempts: number }
  | { kind: 'duplicate'; message: IntegrationMessage }
  | { kind: 'ignored'; message: IntegrationMessage }
  | {
      kind: 'dead-lettered';
      deadLetter: DeadLetterKind;
      error: string;
      message: IntegrationMessage | null;
    };

export interface MessageProcessorOptions {
  consumer: IntegrationConsumer;
  processed: ProcessedEvents;
  deadLetters: DeadLetterSink;
  registry?: IntegrationEventRegistry;
  retry?: RetryPolicy;
  /** Waits between handler attempts; sources pass one that keeps group membership alive. */
  wait?: (ms: number) => Promise<void>;
  onOutcome?: (outcome: ProcessOutcome, record: IncomingRecord) => void;
}

class InvalidMessage extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const errorText = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export class MessageProcessor {
  private readonly registry: IntegrationEventRegistry;
  private readonly byType = new Map<string, HandlerBinding[]>();
  private readonly attempts: number;

  constructor(private readonly options: MessageProcessorOptions) {
    this.registry = options.registry ?? integrationEvents;
    for (const binding of options.consumer.handlers) {
      const list = this.byType.get(binding.definition.type) ?? [];
      if (list.some((b) => b.definition.version === binding.definition.version)) {
        throw new Error(`${options.consumer.name} binds ${binding.definition.name} twice`);
      }
      this.byType.set(binding.definition.type, [...list, binding]);
    }
    this.attempts = Math.max(1, options.retry?.attempts ?? 5);
  }

  get consumerName(): string {
    return this.options.consumer.name;
  }

  /**
   * The source will not hand again the events up to this position of the log (it stored its
   * checkpoint there): their processed ids have done their work.
   */
  forgetUpTo(position: bigint): Promise<number> {
    return this.options.processed.forget(this.options.consumer.name, position);
  }

  /**
   * Deals with one record. Rejects only when the processed-ids store or the dead-letter
   * sink fails: the source must then retry the same record and must not move past it.
   */
  async process(
    record: IncomingRecord,
    wait?: (ms: number) => Promise<void>,
  ): Promise<ProcessOutcome> {
    const outcome = await this.decide(record, wait ?? this.options.wait ?? sleep);
    this.options.onOutcome?.(outcome, record);
    return outcome;
  }

  private async decide(
    record: IncomingRecord,
    wait: (ms: number) => Promise<void>,
  ): Promise<ProcessOutcome> {
    const consumer = this.options.consumer.name;
    let message: IntegrationMessage;
    try {
      message = fromRecord(record);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) throw error;
      return this.park(record, null, 'invalid', error.message, 0);
    }

    const bindings = this.byType.get(message.type);
    if (!bindings) return { kind: 'ignored', message };
    if (await this.options.processed.has(consumer, message.id))
      return { kind: 'duplicate', message };

    let binding: HandlerBinding;
    try {
      binding = this.validate(message, bindings);
    } catch (error) {
      if (!(error instanceof InvalidMessage)) throw error;
      return this.park(record, message, 'invalid', error.message, 0);
    }

    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        await binding.handle(message);
        await this.options.processed.record(
          consumer,
          message.id,
          'handled',
          message.type,
          message.globalPosition,
        );
        return { kind: 'handled', message, attempts: attempt };
      } catch (error) {
        lastError = errorText(error);
        if (error instanceof PermanentFailure)
          return this.park(record, message, 'failed', lastError, attempt);
        if (attempt < this.attempts) {
          const { initialMs = 100, maxMs = 5000 } = this.options.retry ?? {};
          await wait(Math.min(maxMs, initialMs * 2 ** (attempt - 1)));
        }
      }
    }
    return this.park(record, message, 'failed', lastError, this.attempts);
  }

  private validate(message: IntegrationMessage, bindings: HandlerBinding[]): HandlerBinding {
    const definition = this.registry.byDataSchema(message.dataSchema);
    if (!definition || definition.type !== message.type) {
      throw new InvalidMessage(`Unknown dataschema ${message.dataSchema} for ${message.type}`);
    }
    const binding = bindings.find((b) => b.definition.version === definition.version);
    if (!binding) throw new InvalidMessage(`No handler for ${definition.name}`);
    if (message.context !== definition.context) {
      throw new InvalidMessage(`${definition.name} does not come from ${message.source}`);
    }
    const check = this.registry.check(definition, message.data);
    if (!check.valid)
      throw new InvalidMessage(`${definition.name} breaks its schema: ${check.errors.join('; ')}`);
    const key = (message.data as Record<string, unknown>)[definition.key];
    if (message.key !== key) {
      throw new InvalidMessage(`Key ${message.key} differs from ${definition.key} ${String(key)}`);
    }
    return binding;
  }

  private async park(
    record: IncomingRecord,
    message: IntegrationMessage | null,
    kind: DeadLetterKind,
    error: string,
    attempts: number,
  ): Promise<ProcessOutcome> {
    const consumer = this.options.consumer.name;
    await this.options.deadLetters.park({ record, consumer, kind, error, attempts });
    if (message)
      await this.options.processed.record(
        consumer,
        message.id,
        'dead-lettered',
        message.type,
        message.globalPosition,
      );
    return { kind: 'dead-lettered', deadLetter: kind, error, message };
  }
}
