/**
 * The documents a batch of events changes, held until the batch ends and then written once
 * each: a document that ten events of a batch touch is read once and written once, not ten
 * times. Used by the ProjectionRunner when it replays or tails the log; the revision guard
 * sees the staged state, so it skips within the batch as it would in the store.
 */
import {
  type AppliedEvent,
  appliedEvents,
  type DocumentCollection,
  type DocumentData,
  type DocumentStore,
  type DocumentWrite,
  type StoredDocument,
  type WriteOptions,
  type WriteOutcome,
} from '../document-store';

/** What a projection may do with documents while it applies an event. */
export type ProjectionCollection<T extends DocumentData = DocumentData> = Pick<
  DocumentCollection<T>,
  'get' | 'upsert' | 'delete'
>;

export interface ProjectionDocuments {
  collection<T extends DocumentData = DocumentData>(name: string): ProjectionCollection<T>;
}

/**
 * Another writer changed a staged document in the store while the batch was applied; `id` is
 * null when the batch was written in one call, which does not say which document it was.
 */
export class StagedWriteConflict extends Error {
  constructor(
    readonly collection: string,
    readonly id: string | null,
  ) {
    super(
      `${id === null ? `a document of ${collection}` : `${collection}/${id}`} was written by another writer during the batch`,
    );
    this.name = 'StagedWriteConflict';
  }
}

interface Staged {
  /** The document in the store when first read; null when there was none. */
  base: StoredDocument | null;
  /** The document as the batch left it; null when deleted. */
  current: StoredDocument | null;
  /** The batch deleted the stored document (it may have made a new one since). */
  deletesBase: boolean;
  /** The events written to the current document since it was read or made anew. */
  applied: AppliedEvent[];
  written: boolean;
}

class StagedCollection<T extends DocumentData> implements ProjectionCollection<T> {
  private readonly staged = new Map<string, Staged>();

  constructor(
    readonly name: string,
    private readonly store: DocumentCollection<T>,
  ) {}

  async get(id: string): Promise<StoredDocument<T> | null> {
    return (await this.entry(id)).current as StoredDocument<T> | null;
  }

  async upsert(id: string, data: T, options: WriteOptions = {}): Promise<WriteOutcome> {
    // A document that must not exist yet is not read: the flush's write, guarded by version 0,
    // finds out (and the batch is applied again event by event if it was there after all).
    const entry =
      options.expectedVersion === 0 && !this.staged.has(id)
        ? this.absent(id)
        : await this.entry(id);
    const version = entry.current?.version ?? 0;
    if (options.expectedVersion !== undefined && options.expectedVersion !== version)
      return { written: false, reason: 'version-conflict' };
    const applied = { ...(entry.current?.applied ?? {}) };
    for (const event of appliedEvents(options.applied)) {
      applied[event.streamId] = Number(event.revision);
      entry.applied.push(event);
    }
    entry.current = { id, data, version: version + 1, applied };
    entry.written = true;
    return { written: true, version: version + 1 };
  }

  async delete(id: string, options: { expectedVersion?: number } = {}): Promise<boolean> {
    const entry = await this.entry(id);
    if (!entry.current) return false;
    if (options.expectedVersion !== undefined && options.expectedVersion !== entry.current.version)
      return false;
    entry.current = null;
    entry.applied = [];
    entry.written = true;
    if (entry.base) entry.deletesBase = true;
    return true;
  }

  /**
   * Writes each changed document once, guarded by the version first read: all in one round
   * trip where the store can (`writeMany`), else one after another.
   */
  async flush(): Promise<void> {
    const writes: DocumentWrite<T>[] = [];
    for (const [id, entry] of this.staged) {
      if (!entry.written) continue;
      let expectedVersion = entry.base?.version ?? 0;
      if (entry.deletesBase && entry.base) {
        writes.push({ kind: 'delete', id, expectedVersion });
        expectedVersion = 0;
      }
      if (entry.current)
        writes.push({
          kind: 'upsert',
          id,
          data: entry.current.data as T,
          expectedVersion,
          applied: entry.applied,
        });
    }
    this.staged.clear();
    if (writes.length > 1 && this.store.writeMany) {
      if (!(await this.store.writeMany(writes))) throw new StagedWriteConflict(this.name, null);
      return;
    }
    for (const write of writes) {
      const { id, expectedVersion } = write;
      const written =
        write.kind === 'delete'
          ? await this.store.delete(id, { expectedVersion })
          : (await this.store.upsert(id, write.data, { expectedVersion, applied: write.applied }))
              .written;
      if (!written) throw new StagedWriteConflict(this.name, id);
    }
  }

  private absent(id: string): Staged {
    const entry: Staged = {
      base: null,
      current: null,
      deletesBase: false,
      applied: [],
      written: false,
    };
    this.staged.set(id, entry);
    return entry;
  }

  private async entry(id: string): Promise<Staged> {
    let entry = this.staged.get(id);
    if (!entry) {
      const base = (await this.store.get(id)) as StoredDocument | null;
      entry = { base, current: base, deletesBase: false, applied: [], written: false };
      this.staged.set(id, entry);
    }
    return entry;
  }
}

export class StagedDocuments implements ProjectionDocuments {
  private readonly collections = new Map<string, StagedCollection<DocumentData>>();

  constructor(private readonly store: DocumentStore) {}

  collection<T extends DocumentData = DocumentData>(name: string): ProjectionCollection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new StagedCollection(name, this.store.collection(name));
      this.collections.set(name, collection);
    }
    return collection as unknown as ProjectionCollection<T>;
  }

  /** Writes what the batch changed, collection by collection in the order first touched. */
  async flush(): Promise<void> {
    for (const collection of this.collections.values()) await collection.flush();
    this.collections.clear();
  }
}
