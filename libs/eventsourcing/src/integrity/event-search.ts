import type { EventEnvelope, EventStore } from '../store/event-store';
import { UpcastingEventStore } from '../upcasting/upcasting-event-store';

/** What an audit asks of a log: events in log order matching every given criterion. */
export interface EventSearchFilter {
  type?: string;
  streamId?: string;
  /** The actor's user id. */
  actor?: string;
  /** The actor's organisation. */
  org?: string;
  /** Occurred at or after. */
  from?: Date;
  /** Occurred at or before. */
  to?: Date;
  /** Only events after this global position. */
  after?: bigint;
  limit: number;
}

/** Events of a store found by their metadata, as stored (beneath any upcasting). */
export interface EventSearch {
  search(filter: EventSearchFilter): Promise<EventEnvelope[]>;
}

/** Whether a stored event meets the filter (all but `after` and `limit`). */
export function meetsSearch(event: EventEnvelope, filter: EventSearchFilter): boolean {
  if (filter.type !== undefined && event.type !== filter.type) return false;
  if (filter.streamId !== undefined && event.streamId !== filter.streamId) return false;
  if (filter.actor !== undefined && event.actor?.userId !== filter.actor) return false;
  if (filter.org !== undefined && event.actor?.org !== filter.org) return false;
  const at = Date.parse(event.occurredAt);
  if (filter.from !== undefined && at < filter.from.getTime()) return false;
  if (filter.to !== undefined && at > filter.to.getTime()) return false;
  return true;
}

const SCAN_BATCH = 500;

/**
 * A search that reads the log in order and keeps what matches: for stores that cannot filter
 * by metadata themselves (EventStoreDB). A stream filter reads that stream only.
 */
export class ScanningEventSearch implements EventSearch {
  private readonly store: EventStore;

  constructor(store: EventStore) {
    this.store = store instanceof UpcastingEventStore ? store.stored : store;
  }

  async search(filter: EventSearchFilter): Promise<EventEnvelope[]> {
    const after = filter.after ?? -1n;
    if (filter.streamId !== undefined) {
      const events = await this.store.readStream(filter.streamId);
      return events
        .filter((e) => e.globalPosition > after && meetsSearch(e, filter))
        .sort((a, b) => (a.globalPosition < b.globalPosition ? -1 : 1))
        .slice(0, filter.limit);
    }
    const found: EventEnvelope[] = [];
    let position = after;
    for (;;) {
      const batch = await this.store.readAll(position, SCAN_BATCH);
      for (const event of batch) {
        position = event.globalPosition;
        if (!meetsSearch(event, filter)) continue;
        found.push(event);
        if (found.length === filter.limit) return found;
      }
      if (batch.length < SCAN_BATCH) return found;
    }
  }
}
