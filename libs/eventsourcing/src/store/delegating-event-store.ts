import type {
  AppendResult,
  EventEnvelope,
  EventHandler,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadStreamOptions,
  StreamHead,
  SubscribeOptions,
  Subscription,
} from './event-store';

/**
 * An event store that hands every call to the store it wraps. A wrapper that changes how
 * some events are read or written extends it and overrides only those calls; `stored` stays
 * the store as written, for readers that need the stored form (audit, integrity).
 */
export class DelegatingEventStore implements EventStore {
  constructor(readonly stored: EventStore) {}

  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.stored.append(streamId, events, expected);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<EventEnvelope[]> {
    return this.stored.readStream(streamId, options);
  }

  readAll(after: bigint, batchSize: number): Promise<EventEnvelope[]> {
    return this.stored.readAll(after, batchSize);
  }

  subscribe(name: string, handler: EventHandler, options?: SubscribeOptions): Subscription {
    return this.stored.subscribe(name, handler, options);
  }

  readCheckpoint(name: string): Promise<bigint | null> {
    return this.stored.readCheckpoint(name);
  }

  writeCheckpoint(name: string, position: bigint): Promise<void> {
    return this.stored.writeCheckpoint(name, position);
  }

  headPosition(): Promise<bigint> {
    return this.stored.headPosition();
  }

  streamHeads(): Promise<StreamHead[]> {
    return this.stored.streamHeads();
  }

  close(): Promise<void> {
    return this.stored.close();
  }
}
