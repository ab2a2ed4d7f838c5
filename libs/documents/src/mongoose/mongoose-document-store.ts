import mongoose, { type Connection, type Model, Schema } from 'mongoose';
import {
  type DocumentCollection,
  type DocumentData,
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

const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

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
    const events = appliedEvents(applied);
    const appliedSet: Record<string, number> = {};
    for (const event of events)
      appliedSet[`_applied.${encodeKey(event.streamId)}`] = revisionNumber(event.revision);
    try {
      if (expectedVersion === 0) {
        await this.model.collection.insertOne({
          _id: id,
          data,
          _version: 1,
          _applied: Object.fromEntries(
            events.map((event) => [encodeKey(event.streamId), revisionNumber(event.revision)]),
          ),
        } as never);
        return { written: true, version: 1 };
      }
      const filter: MongoFilter =
        expectedVersion === undefined ? { _id: id } : { _id: id, _version: expectedVersion };
      const row = await this.model.collection.findOneAndUpdate(
        filter as never,
        { $set: { data, ...appliedSet }, $inc: { _version: 1 } } as never,
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
