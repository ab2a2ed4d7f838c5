import mongoose, { Schema, type Connection } from 'mongoose';
import { requireEngine, uniqueName } from './engines';

// FerretDB (MongoDB protocol over PostgreSQL, or SQLite) through mongoose: unique indexes must really refuse
// duplicates, as the document store's idempotent upserts rely on them.
describe('MongoDB engine (FerretDB)', () => {
  let connection: Connection;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(requireEngine('mongo'), {
        dbName: uniqueName('engines_proof'),
        serverSelectionTimeoutMS: 5000,
      })
      .asPromise();
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await connection?.close();
  });

  it('refuses a duplicate on a unique index and keeps one document', async () => {
    const Tender = connection.model(
      'Tender',
      new Schema({ reference: { type: String, required: true, unique: true }, title: String }),
      uniqueName('tenders'),
    );
    await Tender.init();
    const indexes = await Tender.collection.indexes();
    expect(indexes).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: { reference: 1 }, unique: true })]),
    );

    await Tender.create({ reference: 'PCP-2026-001', title: 'Autonomous snow clearing' });
    const duplicate = Tender.create({ reference: 'PCP-2026-001', title: 'Another title' });
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    await expect(duplicate).rejects.toThrow(/E11000 duplicate key/);

    expect(await Tender.countDocuments({ reference: 'PCP-2026-001' })).toBe(1);
    expect((await Tender.findOne({ reference: 'PCP-2026-001' }).lean())?.title).toBe(
      'Autonomous snow clearing',
    );
  });
});
