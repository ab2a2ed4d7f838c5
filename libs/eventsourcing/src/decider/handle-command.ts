import { randomUUID } from 'node:crypto';
import {
  ANY,
  ConcurrencyError,
  NO_STREAM,
  STREAM_EXISTS,
  type Actor,
  type EventEnvelope,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadStreamOptions,
} from '../store/event-store';
import type { Decider, DomainEvent } from './decider';

/** Who asks and why; copied into every event the command produces. */
export interface CommandMetadata {
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
  /** The person's reason, where the command carries one. */
  reason?: string | null;
}

export interface HandleCommandOptions<Command, State, Event extends DomainEvent> {
  streamId: string;
  decider: Decider<Command, State, Event>;
  command: Command;
  metadata: CommandMetadata;
  /**
   * The revision the caller decided on (HTTP If-Match). When given, a stream that has moved
   * on fails at once with a ConcurrencyError carrying the current revision: the caller saw
   * a state that is gone, so retrying on their behalf would be wrong.
   */
  expectedRevision?: ExpectedRevision;
  /** Reload-and-retry rounds after a conflict when no expected revision was given. Default 5. */
  maxRetries?: number;
  /** Maps a stored envelope to the decider's event; upcasting of old schema versions goes here. */
  toEvent?: (envelope: EventEnvelope) => Event;
  /** Source of `occurredAt`; defaults to the wall clock. */
  now?: () => Date;
}

export interface CommandResult<State> {
  state: State;
  /** The stream's revision after the command; -1n when the stream still does not exist. */
  revision: bigint;
  /** The envelopes this command appended (none when the decider had nothing to record). */
  events: EventEnvelope[];
  /**
   * The stream up to `revision`: the events the command decided on, then those it appended.
   * What a read of the stream up to `revision` returns, without reading it again.
   */
  stream: EventEnvelope[];
}

export interface LoadedAggregate<State> {
  state: State;
  /** Revision of the last event folded in; null when the stream has no events. */
  revision: bigint | null;
  /** The envelopes folded in, in order. */
  events: EventEnvelope[];
}

export const DEFAULT_MAX_RETRIES = 5;
export const NO_REVISION = -1n;

/** `<context>-<aggregate>-<id>`, the stream naming every context uses. */
export function aggregateStreamId(context: string, aggregate: string, id: string): string {
  return `${context}-${aggregate}-${id}`;
}

export function envelopeToEvent<Event extends DomainEvent>(envelope: EventEnvelope): Event {
  return {
    type: envelope.type,
    data: envelope.data,
    schemaVersion: envelope.schemaVersion,
    reason: envelope.reason,
  } as Event;
}

/** Folds a stream into the decider's state (optionally as it was at `asOf`). */
export async function loadAggregate<State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<unknown, State, Event>, 'evolve' | 'initialState'>,
  options: ReadStreamOptions & { toEvent?: (envelope: EventEnvelope) => Event } = {},
): Promise<LoadedAggregate<State>> {
  const { toEvent = envelopeToEvent, ...read } = options;
  const envelopes = await store.readStream(streamId, read);
  let state = decider.initialState();
  for (const envelope of envelopes) state = decider.evolve(state, toEvent(envelope) as Event);
  const last = envelopes[envelopes.length - 1];
  return { state, revision: last ? last.revision : null, events: envelopes };
}

/**
 * Load, decide, append with the loaded revision as the expectation. Commands on one stream
 * through one store instance take turns, so writers in the same process never collide.
 * Writers elsewhere (other processes, other instances) still can: without an explicit
 * expected revision a conflict means someone else wrote first, so reload and decide again
 * against their result, a few times, with jittered backoff so that writers spread out.
 */
export async function handleCommand<Command, State, Event extends DomainEvent>(
  store: EventStore,
  options: HandleCommandOptions<Command, State, Event>,
): Promise<CommandResult<State>> {
  const maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
  const explicit = options.expectedRevision !== undefined && options.expectedRevision !== ANY;
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTurn(store, options.streamId, () => attemptCommand(store, options, explicit));
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || explicit || attempt >= maxRetries) throw error;
      await sleep(backoffMs(attempt));
    }
  }
}

async function attemptCommand<Command, State, Event extends DomainEvent>(
  store: EventStore,
  options: HandleCommandOptions<Command, State, Event>,
  explicit: boolean,
): Promise<CommandResult<State>> {
  const { streamId, decider, command, metadata } = options;
  const expected = options.expectedRevision as ExpectedRevision;
  // A command that starts its stream (a fresh id) has nothing to read: it decides on the
  // initial state, and the append's NO_STREAM expectation refuses a stream that exists.
  const loaded: LoadedAggregate<State> =
    explicit && expected === NO_STREAM
      ? { state: decider.initialState(), revision: null, events: [] }
      : await loadAggregate(store, streamId, decider, { toEvent: options.toEvent });
  if (explicit && !revisionMatches(expected, loaded.revision)) {
    throw new ConcurrencyError(streamId, expected, loaded.revision);
  }

  const decided = decider.decide(command, loaded.state);
  if (decided.length === 0) {
    return {
      state: loaded.state,
      revision: loaded.revision ?? NO_REVISION,
      events: [],
      stream: loaded.events,
    };
  }

  const occurredAt = (options.now ?? (() => new Date()))().toISOString();
  const newEvents: NewEvent[] = decided.map((event) => ({
    id: randomUUID(),
    type: event.type,
    schemaVersion: event.schemaVersion ?? 1,
    data: event.data,
    occurredAt,
    actor: metadata.actor,
    reason: event.reason ?? metadata.reason ?? null,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId ?? null,
  }));

  const result = await store.append(streamId, newEvents, loaded.revision ?? NO_STREAM);
  let state = loaded.state;
  for (const event of decided) state = decider.evolve(state, event);
  return {
    state,
    revision: result.lastRevision,
    events: result.appended,
    stream: [...loaded.events, ...result.appended],
  };
}

// Per store instance and stream: the tail of the queue of commands waiting for their turn.
const turns = new WeakMap<EventStore, Map<string, Promise<void>>>();

async function inTurn<T>(store: EventStore, streamId: string, work: () => Promise<T>): Promise<T> {
  let queues = turns.get(store);
  if (!queues) {
    queues = new Map();
    turns.set(store, queues);
  }
  const previous = queues.get(streamId) ?? Promise.resolve();
  const mine = previous.then(work);
  const tail = mine.then(
    () => undefined,
    () => undefined,
  );
  queues.set(streamId, tail);
  try {
    return await mine;
  } finally {
    if (queues.get(streamId) === tail) queues.delete(streamId);
  }
}

/** A command handler bound to one store and one decider, for a context's application layer. */
export class CommandHandler<Command, State, Event extends DomainEvent> {
  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<Command, State, Event>,
    private readonly defaults: Pick<
      HandleCommandOptions<Command, State, Event>,
      'maxRetries' | 'toEvent' | 'now'
    > = {},
  ) {}

  handle(
    streamId: string,
    command: Command,
    metadata: CommandMetadata,
    expectedRevision?: ExpectedRevision,
  ): Promise<CommandResult<State>> {
    return handleCommand(this.store, {
      ...this.defaults,
      streamId,
      decider: this.decider,
      command,
      metadata,
      expectedRevision,
    });
  }

  load(streamId: string, options: ReadStreamOptions = {}): Promise<LoadedAggregate<State>> {
    return loadAggregate(this.store, streamId, this.decider, {
      ...options,
      toEvent: this.defaults.toEvent,
    });
  }
}

function revisionMatches(expected: ExpectedRevision, actual: bigint | null): boolean {
  if (expected === ANY) return true;
  if (expected === NO_STREAM) return actual === null;
  if (expected === STREAM_EXISTS) return actual !== null;
  return actual === expected;
}

/** Full jitter: a random wait up to an exponentially growing cap (10, 20, 40... at most 1 s). */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(1000, 10 * 2 ** attempt);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
