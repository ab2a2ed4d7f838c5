import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  type JSONType,
  NO_STREAM as ESDB_NO_STREAM,
  type Position,
  type ReadPosition,
  type RecordedEvent,
  START,
  streamNameFilter,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { GENESIS_HASH } from '../../integrity/hash-chain';
import {
  type Actor,
  type AppendResult,
  BEFORE_FIRST,
  ConcurrencyError,
  type EventEnvelope,
  type EventHandler,
  EventIdConflictError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadStreamOptions,
  type StreamHead,
  type SubscribeOptions,
  type Subscription,
} from '../event-store';
import { chainEvents, prepareEvents } from '../new-events';
import type { CheckpointStore } from '../polling-subscription';
import { assertExpectedRevision, meetsExpectation } from '../postgres/postgres-event-store';
import { type StreamNames, streamNames } from './stream-names';

/** What the adapter keeps in each EventStoreDB event's metadata. */
interface StoredMetadata {
  schemaVersion: number;
  occurredAt: string;
  recordedAt: string;
  actor: Actor;
  reason: string | null;
  correlationId: string;
  causationId: string | null;
  prevHash: string;
  hash: string;
  // EventStoreDB's own correlation fields, for its projections and UI.
  $correlationId: string;
  $causationId?: string;
}

/** Stream-reads report this instead of a log position. */
const NO_POSITION = 2n ** 64n - 1n;
const positionOf = (position: Position | undefined): bigint =>
  position && position.commit < NO_POSITION ? position.commit : -1n;

export interface EventStoreDbEventStoreOptions {
  /**
   * The service's part of a database other services may share (see `streamNames`); default
   * none: every user stream is the service's.
   */
  scope?: string;
  /** Close the client with the store; default true. */
  ownsClient?: boolean;
  /** Attempts of an ANY/STREAM_EXISTS append that keeps meeting concurrent writers; default 20. */
  maxAppendAttempts?: number;
}

/** The envelope of a stored event, under the domain stream id `streamId`. */
export function envelopeFromRecorded(recorded: RecordedEvent, streamId: string): EventEnvelope {
  const meta = recorded.metadata as unknown as StoredMetadata;
  return {
    id: recorded.id,
    type: recorded.type,
    schemaVersion: meta.schemaVersion,
    streamId,
    revision: recorded.revision,
    globalPosition: positionOf(recorded.position),
    occurredAt: meta.occurredAt,
    recordedAt: meta.recordedAt,
    actor: meta.actor,
    reason: meta.reason,
    correlationId: meta.correlationId,
    causationId: meta.causationId,
    data: recorded.data,
    prevHash: meta.prevHash,
    hash: meta.hash,
  };
}

function toEventData(event: EventEnvelope) {
  const metadata: StoredMetadata = {
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    actor: event.actor,
    reason: event.reason,
    correlationId: event.correlationId,
    causationId: event.causationId,
    prevHash: event.prevHash,
    hash: event.hash,
    $correlationId: event.correlationId,
    ...(event.causationId ? { $causationId: event.causationId } : {}),
  };
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data as JSONType,
    metadata: metadata as unknown as JSONType,
  });
}

/**
 * The event store on EventStoreDB/KurrentDB. Hashes are chained by this code: an append
 * reads the stream head, chains the new events onto it and appends with that exact
 * revision, retrying on a concurrent writer when the caller's expectation allows it.
 * Bookkeeping (checkpoints, anchors) lives in $pcp- streams, so the connection needs
 * rights to system streams (an admin user, or a node run insecure). With a scope, the store
 * writes and reads only its own service's streams of a shared database.
 */
export class EventStoreDbEventStore implements EventStore, CheckpointStore {
  private readonly ownsClient: boolean;
  private readonly maxAppendAttempts: number;
  readonly names: StreamNames;

  constructor(
    readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.ownsClient = options.ownsClient ?? true;
    this.maxAppendAttempts = options.maxAppendAttempts ?? 20;
    this.names = streamNames(options.scope);
  }

  /** The envelope of a stored event of this store's, or null for another's (or bookkeeping). */
  private ownEnvelope(recorded: RecordedEvent): EventEnvelope | null {
    const streamId = this.names.own(recorded.streamId);
    return streamId === null || !recorded.isJson ? null : envelopeFromRecorded(recorded, streamId);
  }

  /** Connects with an `esdb://` (or `kurrentdb://`) connection string. */
  static connect(
    connectionString: string,
    options?: EventStoreDbEventStoreOptions,
  ): EventStoreDbEventStore {
    return new EventStoreDbEventStore(
      EventStoreDBClient.connectionString(connectionString),
      options,
    );
  }

  async append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const prepared = prepareEvents(streamId, events);
    assertExpectedRevision(streamId, expected);
    const ids = new Set(prepared.map((event) => event.id));
    let actual: bigint | null = null;
    for (let attempt = 0; attempt < this.maxAppendAttempts; attempt += 1) {
      // Domain streams are short; reading the whole stream is how repeats are recognised.
      const stored = await this.readRecorded(streamId);
      const last = stored[stored.length - 1];
      actual = last ? last.revision : null;
      const repeated = stored.filter((event) => ids.has(event.id));
      if (repeated.length === ids.size) {
        const lastRepeated = envelopeFromRecorded(repeated[repeated.length - 1], streamId);
        return {
          lastRevision: lastRepeated.revision,
          lastPosition: lastRepeated.globalPosition,
          appended: [],
        };
      }
      if (repeated.length > 0)
        throw new EventIdConflictError(
          streamId,
          repeated.map((event) => event.id),
        );
      if (!meetsExpectation(expected, actual))
        throw new ConcurrencyError(streamId, expected, actual);

      const head = last ? envelopeFromRecorded(last, streamId) : null;
      const appended = chainEvents(
        streamId,
        prepared,
        { revision: head?.revision ?? -1n, hash: head?.hash ?? GENESIS_HASH },
        new Date().toISOString(),
        () => -1n,
      );
      try {
        const result = await this.client.appendToStream(
          this.names.stored(streamId),
          appended.map(toEventData),
          {
            expectedRevision: actual === null ? ESDB_NO_STREAM : actual,
          },
        );
        const lastPosition = positionOf(result.position);
        await this.fillPositions(appended, lastPosition);
        return { lastRevision: result.nextExpectedRevision, lastPosition, appended };
      } catch (error) {
        // Someone appended since the read: look again; the expectation decides.
        if (error instanceof WrongExpectedVersionError) continue;
        throw error;
      }
    }
    throw new ConcurrencyError(streamId, expected, actual);
  }

  /** The log positions of just-appended events, found by reading $all back from the last. */
  private async fillPositions(appended: EventEnvelope[], lastPosition: bigint): Promise<void> {
    if (lastPosition < 0n || appended.length === 0) return;
    appended[appended.length - 1].globalPosition = lastPosition;
    if (appended.length === 1) return;
    const byId = new Map(appended.map((event) => [event.id, event]));
    const stored = this.names.stored(appended[0].streamId);
    const reading = this.client.readAll({
      fromPosition: { commit: lastPosition, prepare: lastPosition },
      direction: BACKWARDS,
      maxCount: appended.length * 2 + 16,
    });
    for await (const resolved of reading) {
      const event = resolved.event;
      if (event && event.streamId === stored) {
        const match = byId.get(event.id);
        if (match && match.globalPosition < 0n) match.globalPosition = event.position.commit;
      }
    }
  }

  private async readRecorded(
    streamId: string,
    from: bigint | null = null,
    maxCount?: bigint,
  ): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    try {
      const reading = this.client.readStream(this.names.stored(streamId), {
        direction: FORWARDS,
        fromRevision: from ?? START,
        ...(maxCount !== undefined ? { maxCount } : {}),
      });
      for await (const resolved of reading) if (resolved.event) out.push(resolved.event);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<EventEnvelope[]> {
    const from = options.from ?? 0n;
    if (options.to !== undefined && options.to < from) return [];
    const maxCount = options.to !== undefined ? options.to - from + 1n : undefined;
    let events = (await this.readRecorded(streamId, from, maxCount)).map((recorded) =>
      envelopeFromRecorded(recorded, streamId),
    );
    if (options.asOf !== undefined) {
      const asOf = new Date(options.asOf).getTime();
      if (Number.isNaN(asOf))
        throw new RangeError(`asOf "${String(options.asOf)}" is not an instant`);
      events = events.filter((event) => Date.parse(event.recordedAt) <= asOf);
    }
    return events;
  }

  async readAll(after: bigint, batchSize: number): Promise<EventEnvelope[]> {
    const out: EventEnvelope[] = [];
    let from: ReadPosition = after < 0n ? START : { commit: after, prepare: after };
    let skipUpTo = after;
    for (;;) {
      let read = 0;
      let lastSeen: Position | null = null;
      const reading = this.client.readAll({
        fromPosition: from,
        direction: FORWARDS,
        maxCount: batchSize,
      });
      for await (const resolved of reading) {
        read += 1;
        const event = resolved.event;
        if (!event) continue;
        lastSeen = event.position;
        if (event.position.commit <= skipUpTo) continue;
        const envelope = this.ownEnvelope(event);
        if (envelope === null) continue;
        out.push(envelope);
        if (out.length >= batchSize) return out;
      }
      // A short page means the end of the log; otherwise page on past others' events.
      if (read < batchSize || !lastSeen) return out;
      from = lastSeen;
      skipUpTo = lastSeen.commit;
    }
  }

  subscribe(name: string, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    const batchSize = options.batchSize ?? 500;
    const types = options.eventTypes ? new Set(options.eventTypes) : null;
    let stopping = false;
    let stream: ReturnType<EventStoreDBClient['subscribeToAll']> | null = null;

    const run = async (): Promise<void> => {
      const checkpoint = await this.readCheckpoint(name);
      let position = checkpoint ?? -1n;
      let stored = position;
      let handled = 0;
      if (stopping) return;
      stream = this.client.subscribeToAll({
        fromPosition: checkpoint === null ? START : { commit: checkpoint, prepare: checkpoint },
        // Skips, on the server, the database's streams, the bookkeeping and other services'.
        filter:
          this.names.scope === null
            ? streamNameFilter({ regex: '^[^$]' })
            : streamNameFilter({ prefixes: [this.names.stored('')] }),
      });
      const subscription = stream;
      try {
        for await (const resolved of subscription) {
          if (stopping) break;
          const event = resolved.event;
          if (!event || event.position.commit <= position) continue;
          const envelope = this.ownEnvelope(event);
          if (envelope === null) continue;
          if (!types || types.has(event.type)) await handler(envelope);
          position = event.position.commit;
          handled += 1;
          // Store after a batch, or whenever the subscriber has caught up with what arrived.
          if (handled >= batchSize || subscription.readableLength === 0) {
            await this.writeCheckpoint(name, position);
            stored = position;
            handled = 0;
          }
        }
      } catch (error) {
        if (position !== stored) await this.writeCheckpoint(name, position).catch(() => undefined);
        throw error;
      } finally {
        await subscription.unsubscribe().catch(() => undefined);
      }
      if (position !== stored) await this.writeCheckpoint(name, position);
    };

    const done = run();
    done.catch(() => undefined);
    return {
      name,
      done,
      async stop() {
        stopping = true;
        // Ending the stream lets the loop finish after the event in hand.
        await stream?.unsubscribe().catch(() => undefined);
        await done.catch(() => undefined);
      },
    };
  }

  async readCheckpoint(name: string): Promise<bigint | null> {
    try {
      const reading = this.client.readStream<{
        type: 'CheckpointStored';
        data: { position: string };
      }>(this.names.checkpoint(name), { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
      for await (const resolved of reading) {
        if (resolved.event) return BigInt(resolved.event.data.position);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
    return null;
  }

  async writeCheckpoint(name: string, position: bigint): Promise<void> {
    await this.client.appendToStream(
      this.names.checkpoint(name),
      jsonEvent({
        id: randomUUID(),
        type: 'CheckpointStored',
        data: { position: position.toString() },
      }),
    );
  }

  /** The commit position of this store's newest event (others' and system events skipped). */
  async headPosition(): Promise<bigint> {
    for await (const resolved of this.client.readAll({
      fromPosition: END,
      direction: BACKWARDS,
    })) {
      const event = resolved.event;
      if (event && event.position && this.ownEnvelope(event) !== null) return event.position.commit;
    }
    return BEFORE_FIRST;
  }

  /** Scans the log: EventStoreDB keeps no table of stream heads. */
  async streamHeads(): Promise<StreamHead[]> {
    const heads = new Map<string, StreamHead>();
    for await (const resolved of this.client.readAll({
      fromPosition: START,
      direction: FORWARDS,
    })) {
      const envelope = resolved.event ? this.ownEnvelope(resolved.event) : null;
      if (envelope === null) continue;
      heads.set(envelope.streamId, {
        streamId: envelope.streamId,
        revision: envelope.revision,
        hash: envelope.hash,
      });
    }
    return [...heads.values()].sort((a, b) =>
      a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0,
    );
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.dispose();
  }
}
