import type { DocumentStore } from '@pcp/documents';

export type ProcessedOutcome = 'handled' | 'dead-lettered';

/** Remembers, per consumer, which event ids it has already dealt with. */
export interface ProcessedEvents {
  has(consumer: string, eventId: string): Promise<boolean>;
  /** False when the id was recorded already (a concurrent duplicate won). */
  record(
    consumer: string,
    eventId: string,
    outcome: ProcessedOutcome,
    type: string,
  ): Promise<boolean>;
}

export const PROCESSED_EVENTS_COLLECTION = 'processed_events';

interface ProcessedDoc extends Record<string, unknown> {
  consumer: string;
  eventId: string;
  type: string;
  outcome: ProcessedOutcome;
  at: string;
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
  ): Promise<boolean> {
    const result = await this.collection.upsert(
      `${consumer}:${eventId}`,
      { consumer, eventId, type, outcome, at: new Date().toISOString() },
      { expectedVersion: 0 },
    );
    return result.written;
  }
}
