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
