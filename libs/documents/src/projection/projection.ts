/**
 * Projections turn events into read-model documents. A projection is plain code: for each
 * event it names the documents it changes and how; the revision guard and the optimistic
 * retry live here, so every projection gets them and none re-implements them.
 */
import type { DocumentData } from '../document-store';
import type { ProjectionDocuments } from './staged-documents';

/** What a projection needs of an event, whether it came from the log or from Kafka. */
export interface ProjectedEvent<T = unknown> {
  id: string;
  type: string;
  streamId: string;
  /** Revision in its stream: the revision guard compares these. */
  revision: bigint;
  occurredAt: string;
  data: T;
}

/** Returns the next data, `null` to delete the document, or `undefined` to leave it as it is. */
export type DocumentChange<T extends DocumentData> = (current: T | null) => T | null | undefined;

export type ChangeOutcome = 'applied' | 'already-applied' | 'unchanged' | 'deleted';

export interface Projection {
  readonly name: string;
  /** Collections it owns: dropped when it is rebuilt. */
  readonly collections: readonly string[];
  /** Event types it reads; the others pass by. */
  readonly eventTypes: readonly string[];
  apply(event: ProjectedEvent, view: ProjectionView): Promise<void>;
}

const MAX_WRITE_ATTEMPTS = 20;

export interface UpdateOptions {
  /**
   * The document is this event's stream's own view: no other stream writes it, so the
   * stream's first event makes it without reading it first.
   */
  streamView?: boolean;
}

/** The document operations open to a projection while it applies one event. */
export class ProjectionView {
  constructor(
    private readonly documents: ProjectionDocuments,
    private readonly event: ProjectedEvent,
  ) {}

  /**
   * Changes one document unless it already reflects this event's stream at this revision or
   * later (a redelivery, or a replay after a crash before the checkpoint). Concurrent writers
   * of the same document (events of other streams) are resolved by re-reading and retrying.
   */
  async update<T extends DocumentData>(
    collection: string,
    id: string,
    change: DocumentChange<T>,
    options: UpdateOptions = {},
  ): Promise<ChangeOutcome> {
    const docs = this.documents.collection<T>(collection);
    const { streamId, revision } = this.event;
    if (options.streamView && revision === 0n) {
      // The stream's first event: its view cannot exist yet, unless this very event made it
      // (a replay), which the write below refuses. One write instead of a read and a write.
      const next = change(null);
      if (next === undefined || next === null) return 'unchanged';
      const made = await docs.upsert(id, next, {
        expectedVersion: 0,
        applied: { streamId, revision },
      });
      if (made.written) return 'applied';
    }
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await docs.get(id);
      const seen = current?.applied[streamId];
      if (seen !== undefined && BigInt(seen) >= revision) return 'already-applied';
      const next = change(current ? current.data : null);
      if (next === undefined) return 'unchanged';
      if (next === null) {
        if (!current) return 'unchanged';
        if (await docs.delete(id, { expectedVersion: current.version })) return 'deleted';
        continue;
      }
      const outcome = await docs.upsert(id, next, {
        expectedVersion: current?.version ?? 0,
        applied: { streamId, revision },
      });
      if (outcome.written) return 'applied';
    }
    throw new Error(
      `${collection}/${id}: gave up after ${MAX_WRITE_ATTEMPTS} concurrent write conflicts`,
    );
  }

  /** Reads another document (for lookups that denormalise data). */
  async get<T extends DocumentData>(collection: string, id: string): Promise<T | null> {
    return (await this.documents.collection<T>(collection).get(id))?.data ?? null;
  }
}

/** Applies one event to a projection, if it reads that type. */
export async function applyToProjection(
  projection: Projection,
  documents: ProjectionDocuments,
  event: ProjectedEvent,
): Promise<boolean> {
  if (!projection.eventTypes.includes(event.type)) return false;
  await projection.apply(event, new ProjectionView(documents, event));
  return true;
}
