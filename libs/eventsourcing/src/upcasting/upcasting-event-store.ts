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
} from '../store/event-store';
import type { UpcasterRegistry } from './upcasters';

/**
 * An event store whose every read path (readStream, readAll, subscriptions) returns events
 * in their current shape. Writes and the stored form are untouched, so hashes still verify
 * against `stored`.
 */
export class UpcastingEventStore implements EventStore {
  constructor(
    readonly stored: EventStore,
    readonly upcasters: UpcasterRegistry,
  ) {}

  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.stored.append(streamId, events, expected);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<EventEnvelope[]> {
    return (await this.stored.readStream(streamId, options)).map((event) =>
      this.upcasters.upcast(event),
    );
  }

  async readAll(after: bigint, batchSize: number): Promise<EventEnvelope[]> {
    return (await this.stored.readAll(after, batchSize)).map((event) =>
      this.upcasters.upcast(event),
    );
  }

  subscribe(name: string, handler: EventHandler, options?: SubscribeOptions): Subscription {
    return this.stored.subscribe(name, (event) => handler(this.upcasters.upcast(event)), options);
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
