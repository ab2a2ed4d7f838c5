import { DelegatingEventStore } from '../store/delegating-event-store';
import type {
  EventEnvelope,
  EventHandler,
  EventStore,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../store/event-store';
import type { UpcasterRegistry } from './upcasters';

/**
 * An event store whose every read path (readStream, readAll, subscriptions) returns events
 * in their current shape. Writes and the stored form are untouched, so hashes still verify
 * against `stored`.
 */
export class UpcastingEventStore extends DelegatingEventStore {
  constructor(
    stored: EventStore,
    readonly upcasters: UpcasterRegistry,
  ) {
    super(stored);
  }

  override async readStream(
    streamId: string,
    options?: ReadStreamOptions,
  ): Promise<EventEnvelope[]> {
    return (await this.stored.readStream(streamId, options)).map((event) =>
      this.upcasters.upcast(event),
    );
  }

  override async readAll(after: bigint, batchSize: number): Promise<EventEnvelope[]> {
    return (await this.stored.readAll(after, batchSize)).map((event) =>
      this.upcasters.upcast(event),
    );
  }

  override subscribe(
    name: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Subscription {
    return this.stored.subscribe(name, (event) => handler(this.upcasters.upcast(event)), options);
  }
}
