import mongoose, { type Connection, type Model, Schema } from 'mongoose';
import {
  type DocumentCollection,
  type DocumentData,
  type DocumentWrite,
  type DocumentStore,
  type FieldCondition,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Page,
  type StoredDocument,
  type WriteOptions,
  type WriteOutcome,
  DuplicateKeyError,
  assertCollectionName,
  assertFieldPath,
  assertDeleteFilter,
  assertFilter,
  decodeCursor,
  encodeCursor,
  pageSize,
  revisionNumber,
  appliedEvents,
} from '../document-store';
import { DocumentWriteQueue } from './document-write-queue';

/**
 * Stored shape: `{ _id, data, _version, _applied }`. Data sits under one field so a write
 * replaces it whole while `_applied` (revision guards) is merged key by key.
 */
interface Row {
  _id: string;
  data: DocumentData;
  _version: number;
  _applied?: Record<string, number>;
}

type MongoFilter = Record<string, unknown>;

// MongoDB field names may not contain '.' or start with '$': escape stream ids used as keys.
const encodeKey = (streamId: string): string =>
  streamId.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/\$/g, '%24');
const decodeKey = (key: string): string =>
  key.replace(/%2E/g, '.').replace(/%24/g, '$').replace(/%25/g, '%');

const dataPath = (path: string): string => `data.${path}`;

/** E11000, of a single write or of any write of a bulk. */
function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, writeErrors } = error as { code?: unknown; writeErrors?: { code?: unknown }[] };
  return (
    code === 11000 || (Array.isArray(writeErrors) && writeErrors.some((e) => e.code === 11000))
  );
}

/** A document's first row: version 1, reflecting the events it was made from. */
function newRow(id: string, data: DocumentData, applied: WriteOptions['applied']): Row {
  const reflected: Record<string, number> = {};
  for (const event of appliedEvents(applied))
    reflected[encodeKey(event.streamId)] = revisionNumber(event.revision);
  return { _id: id, data, _version: 1, _applied: reflected };
}

/** Replaces the data, bumps the version and merges the reflected events key by key. */
function rowUpdate(data: DocumentData, applied: WriteOptions['applied']) {
  const set: Record<string, unknown> = { data };
  for (const event of appliedEvents(applied))
    set[`_applied.${encodeKey(event.streamId)}`] = revisionNumber(event.revision);
  return { $set: set, $inc: { _version: 1 } };
}

function toMongoFilter(filter: Filter): MongoFilter {
  assertFilter(filter);
  const out: MongoFilter = {};
  for (const [path, condition] of Object.entries(filter)) {
    out[dataPath(path)] =
      condition !== null && typeof condition === 'object'
        ? { ...(condition as FieldCondition) }
        : condition;
  }
  return out;
}

class MongooseCollection<T extends DocumentData> implements DocumentCollection<T> {
  private readonly writes = new DocumentWriteQueue();

  constructor(
    readonly name: string,
    private readonly model: Model<Row>,
  ) {}

  async get(id: string): Promise<StoredDocument<T> | null> {
    const row = await this.model.findById(id).lean<Row>().exec();
    return row ? this.toStored(row) : null;
  }

  upsert(id: string, data: T, options: WriteOptions = {}): Promise<WriteOutcome> {
    return this.writes.run(id, () => this.write(id, data, options));
  }

  private async write(id: string, data: T, options: WriteOptions): Promise<WriteOutcome> {
    const { expectedVersion, applied } = options;
    try {
      if (expectedVersion === 0) {
        await this.model.collection.insertOne(newRow(id, data, applied) as never);
        return { written: true, version: 1 };
      }
      const filter: MongoFilter =
        expectedVersion === undefined ? { _id: id } : { _id: id, _version: expectedVersion };
      const row = await this.model.collection.findOneAndUpdate(
        filter as never,
        rowUpdate(data, applied) as never,
        // no projection: FerretDB 1.24 does not implement findAndModify's `fields`
        { upsert: expectedVersion === undefined, returnDocument: 'after' },
      );
      return row
        ? { written: true, version: (row as unknown as Row)._version }
        : { written: false, reason: 'version-conflict' };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // either the id was taken (a concurrent first write) or a unique index refused the data
      const existing = await this.model.collection.findOne({ _id: id } as never, {
        projection: { _id: 1 },
      });
      if (expectedVersion === 0 && existing) return { written: false, reason: 'version-conflict' };
      if (expectedVersion === undefined && existing) return this.write(id, data, options);
      throw new DuplicateKeyError(this.name, this.uniqueFieldsOf(error));
    }
  }

  /** One bulkWrite, in order: a round trip for the lot instead of one per document. */
  writeMany(writes: DocumentWrite<T>[]): Promise<boolean> {
    if (writes.length === 0) return Promise.resolve(true);
    return this.writes.runAll([...new Set(writes.map((w) => w.id))], () => this.bulk(writes));
  }

  private async bulk(writes: DocumentWrite<T>[]): Promise<boolean> {
    const expected = { inserted: 0, matched: 0, deleted: 0 };
    const operations = writes.map((write) => {
      const filter = { _id: write.id, _version: write.expectedVersion };
      if (write.kind === 'delete') {
        expected.deleted += 1;
        return { deleteOne: { filter } };
      }
      if (write.expectedVersion === 0) {
        expected.inserted += 1;
        return { insertOne: { document: newRow(write.id, write.data, write.applied) } };
      }
      expected.matched += 1;
      return { updateOne: { filter, update: rowUpdate(write.data, write.applied) } };
    });
    try {
      const result = await this.model.collection.bulkWrite(operations as never, { ordered: true });
      return (
        result.insertedCount === expected.inserted &&
        result.matchedCount === expected.matched &&
        result.deletedCount === expected.deleted
      );
    } catch (error) {
      // a document made meanwhile, or a unique index: the caller writes one at a time
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  delete(id: string, options: { expectedVersion?: number } = {}): Promise<boolean> {
    const filter: MongoFilter =
      options.expectedVersion === undefined
        ? { _id: id }
        : { _id: id, _version: options.expectedVersion };
    return this.writes.run(id, async () => {
      const result = await this.model.collection.deleteOne(filter as never);
      return result.deletedCount === 1;
    });
  }

  async find(options: FindOptions = {}): Promise<Page<T>> {
    const limit = pageSize(options.limit);
    const clauses: MongoFilter[] = [toMongoFilter(options.filter ?? {})];
    const sort = options.sort;
    const direction = sort?.direction === 'desc' ? -1 : 1;
    const beyond = direction === 1 ? '$gt' : '$lt';
    let order: Record<string, 1 | -1>;
    if (sort) {
      assertFieldPath(sort.field);
      const field = dataPath(sort.field);
      clauses.push({ [field]: { $type: ['string', 'number'] } });
      order = { [field]: direction, _id: direction };
      if (options.cursor) {
        const after = decodeCursor(options.cursor, true);
        clauses.push({
          $or: [
            { [field]: { [beyond]: after.v } },
            { [field]: after.v, _id: { [beyond]: after.id } },
          ],
        });
      }
    } else {
      order = { _id: direction };
      if (options.cursor)
        clauses.push({ _id: { [beyond]: decodeCursor(options.cursor, false).id } });
    }
    const filter = clauses.length === 1 ? clauses[0] : { $and: clauses };
    const rows = await this.model.collection
      .find(filter as never)
      .sort(order)
      .limit(limit + 1)
      .toArray();
    const items = (rows as unknown as Row[]).slice(0, limit).map((r) => this.toStored(r));
    const last = items[items.length - 1];
    let nextCursor: string | null = null;
    if (rows.length > limit && last) {
      nextCursor = sort
        ? encodeCursor({ v: valueAt(last.data, sort.field) as string | number, id: last.id })
        : encodeCursor({ id: last.id });
    }
    return { items, nextCursor };
  }

  async count(filter: Filter = {}): Promise<number> {
    return this.model.collection.countDocuments(toMongoFilter(filter) as never);
  }

  async deleteMany(filter: Filter): Promise<number> {
    assertDeleteFilter(filter);
    const result = await this.model.collection.deleteMany(toMongoFilter(filter) as never);
    return result.deletedCount;
  }

  async ensureIndexes(indexes: IndexSpec[]): Promise<void> {
    for (const index of indexes) {
      index.fields.forEach(assertFieldPath);
      const keys = Object.fromEntries(index.fields.map((f) => [dataPath(f), 1 as const]));
      await this.model.collection.createIndex(keys, {
        unique: index.unique ?? false,
        name: `${index.unique ? 'u' : 'i'}_${index.fields.join('_').replace(/\./g, '_')}`,
      });
    }
  }

  async drop(): Promise<void> {
    try {
      await this.model.collection.drop();
    } catch (error) {
      // dropping what does not exist is the goal already reached
      const code = (error as { code?: unknown }).code;
      if (code !== 26 && !/ns not found/i.test(String((error as Error).message))) throw error;
    }
  }

  private uniqueFieldsOf(error: unknown): string[] {
    const pattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern;
    return pattern ? Object.keys(pattern).map((k) => k.replace(/^data\./, '')) : ['(unique index)'];
  }

  private toStored(row: Row): StoredDocument<T> {
    const applied: Record<string, number> = {};
    for (const [key, revision] of Object.entries(row._applied ?? {}))
      applied[decodeKey(key)] = Number(revision);
    return { id: row._id, data: (row.data ?? {}) as T, version: row._version, applied };
  }
}

function valueAt(data: DocumentData, path: string): unknown {
  let current: unknown = data;
  for (const segment of path.split('.'))
    current = (current as Record<string, unknown> | undefined)?.[segment];
  return current;
}

const rowSchema = (collection: string) =>
  new Schema<Row>(
    {
      _id: { type: String, required: true },
      data: { type: Schema.Types.Mixed, default: {} },
      _version: { type: Number, required: true },
      _applied: { type: Schema.Types.Mixed, default: {} },
    },
    {
      collection,
      versionKey: false,
      minimize: false,
      autoIndex: false,
      autoCreate: false,
      strict: true,
    },
  );

export interface MongooseDocumentStoreOptions {
  /** Database name; defaults to the one in the URL. */
  dbName?: string;
  /** Milliseconds to find a server before an operation fails; default 5 000. */
  serverSelectionTimeoutMS?: number;
}

/** Read models in MongoDB (or any server speaking its wire protocol) through mongoose. */
export class MongooseDocumentStore implements DocumentStore {
  private readonly collections = new Map<string, MongooseCollection<DocumentData>>();

  private constructor(readonly connection: Connection) {}

  static async connect(
    url: string,
    options: MongooseDocumentStoreOptions = {},
  ): Promise<MongooseDocumentStore> {
    const connection = mongoose.createConnection(url, {
      dbName: options.dbName,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
      // Polled heartbeats rather than the streaming protocol: after a server restart, a
      // FerretDB-backed service otherwise kept losing every new connection.
      serverMonitoringMode: 'poll',
      autoIndex: false,
      autoCreate: false,
    });
    // While the server is away, queued operations give up as soon as selection would.
    // (Connection.set would store it where mongoose does not look for it.)
    (connection.config as { bufferTimeoutMS?: number }).bufferTimeoutMS =
      options.serverSelectionTimeoutMS ?? 5_000;
    await connection.asPromise();
    return new MongooseDocumentStore(connection);
  }

  collection<T extends DocumentData = DocumentData>(name: string): DocumentCollection<T> {
    assertCollectionName(name);
    let collection = this.collections.get(name);
    if (!collection) {
      const model =
        this.connection.models[name] ?? this.connection.model<Row>(name, rowSchema(name));
      collection = new MongooseCollection(name, model as Model<Row>);
      this.collections.set(name, collection);
    }
    return collection as unknown as DocumentCollection<T>;
  }

  /** Drops the whole database: for throwaway test databases. */
  async dropDatabase(): Promise<void> {
    await this.connection.dropDatabase();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
