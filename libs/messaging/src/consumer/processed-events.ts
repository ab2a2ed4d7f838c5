import type { DocumentStore } from '@pcp/documents';

export type ProcessedOutcome = 'handled' | 'dead-lettered';

/** Remembers, per consumer, which event ids it has already dealt with. */
export interface ProcessedEvents {
  has(consumer: string, eventId: string): Promise<boolean>;
  /**
   * False when the id was recorded already (a concurrent duplicate won). `position` is the
   * event's place in its context's log, for `forget`.
   */
  record(
    consumer: string,
    eventId: string,
    outcome: ProcessedOutcome,
    type: string,
    position?: bigint,
  ): Promise<boolean>;
  /**
   * Drops the ids of the consumer's events at or before `upTo` in the log: a source that
   * reads the log in order and has stored its checkpoint there never hands them again.
   * Returns how many went.
   */
  forget(consumer: string, upTo: bigint): Promise<number>;
}

export const PROCESSED_EVENTS_COLLECTION = 'processed_events';

interface ProcessedDoc extends Record<string, unknown> {
  consumer: string;
  eventId: string;
  type: string;
  outcome: ProcessedOutcome;
  at: string;
  /** The event's global position in its context's log, where known. */
  position?: number;
}

/**
 * Processed ids as documents (a MongoDB collection in the distributed setup); the document
 * id is `<consumer>:<event id>`, so the primary key's uniqueness settles races.
 */
export class DocumentProcessedEvents implements ProcessedEvents {
  constructor(
    private readonly documents: DocumentStore,
    private readonly collectionName = PROCESSED_EVENTS_COLLECTION,
  ) {}

  private get collection() {
    return this.documents.collection<ProcessedDoc>(this.collectionName);
  }

  async has(consumer: string, eventId: string): Promise<boolean> {
    return (await this.collection.get(`${consumer}:${eventId}`)) !== null;
  }

  async record(
    consumer: string,
    eventId: string,
    outcome: ProcessedOutcome,
    type: string,
    position?: bigint,
  ): Promise<boolean> {
    const doc: ProcessedDoc = { consumer, eventId, type, outcome, at: new Date().toISOString() };
    if (position !== undefined) doc.position = Number(position);
    const result = await this.collection.upsert(`${consumer}:${eventId}`, doc, {
      expectedVersion: 0,
    });
    return result.written;
  }

  forget(consumer: string, upTo: bigint): Promise<number> {
    return this.collection.deleteMany({ consumer, position: { $lte: Number(upTo) } });
  }
}

/**
 * Processed ids kept in the process, for consumers whose effects are kept there too (the
 * embedded platform's in-memory read models): lost with those effects at a restart and redone
 * with them. As documents they cost a frozen copy and index entries each, and since an id
 * lives until the next stored checkpoint (about a second) every one of them outlived a
 * young-generation collection: about a quarter of what a command left in the old generation.
 */
export class InMemoryProcessedEvents implements ProcessedEvents {
  /** Per consumer, each processed id with its position in the log (null where unknown). */
  private readonly byConsumer = new Map<string, Map<string, bigint | null>>();

  async has(consumer: string, eventId: string): Promise<boolean> {
    return this.byConsumer.get(consumer)?.has(eventId) ?? false;
  }

  async record(
    consumer: string,
    eventId: string,
    _outcome: ProcessedOutcome,
    _type: string,
    position?: bigint,
  ): Promise<boolean> {
    let ids = this.byConsumer.get(consumer);
    if (!ids) {
      ids = new Map();
      this.byConsumer.set(consumer, ids);
    }
    if (ids.has(eventId)) return false;
    ids.set(eventId, position ?? null);
    return true;
  }

  async forget(consumer: string, upTo: bigint): Promise<number> {
    const ids = this.byConsumer.get(consumer);
    if (!ids) return 0;
    let forgotten = 0;
    for (const [eventId, position] of ids) {
      if (position !== null && position <= upTo) {
        ids.delete(eventId);
        forgotten += 1;
      }
    }
    return forgotten;
  }
}
