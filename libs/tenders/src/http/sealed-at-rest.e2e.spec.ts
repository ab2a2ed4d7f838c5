import { statSync } from 'node:fs';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { Client } from 'pg';
import { createTestApp, type TestApp } from '@pcp/platform';
import { requireEngine, uniqueName } from '@pcp/testing';
import { BIDS_COLLECTION } from '../read-models/bids.projection';
import { tendersContextWith } from '../tenders.context';
import {
  consultationsAsPublished,
  publishRoutedConsultation,
} from './consultations-publisher.e2e-fixtures';
import {
  DAY_MS,
  MovableClock,
  PEOPLE,
  bidBody,
  pcpBody,
  tokensFor,
  type Person,
} from './tenders.e2e-fixtures';

const PROPOSAL = 'Capillary-refill camera for triage, codename KINGFISHER-93';
const PRICE = 731_337;

// Someone who reads the database (or a backup of it) before opening: the event store in
// PostgreSQL and the read models in MongoDB, read directly, hold no bid and no bidder.
describe('sealed bids at rest, read straight from PostgreSQL and MongoDB', () => {
  const clock = new MovableClock();
  const schema = uniqueName('tenders_at_rest').replace(/-/g, '_');
  let mongoUrl: string;
  let env: Record<string, string>;
  let app: TestApp;
  let sql: Client;
  let tokens: Record<Person, string>;
  let tenderId: string;
  let bidId: string;

  const start = (dataDir?: string, secret?: string) =>
    createTestApp({
      contexts: [
        consultationsAsPublished,
        tendersContextWith({ clock, consistencyWaitMs: 800, deadlineCheckMs: 0 }),
      ],
      env,
      dataDir,
      secret,
    });

  beforeAll(async () => {
    const postgres = requireEngine('postgres');
    const url = new URL(requireEngine('mongo'));
    url.pathname = `/${uniqueName('tenders_at_rest').replace(/-/g, '_')}`;
    mongoUrl = url.toString();
    env = {
      EVENT_STORE: 'postgres',
      DATABASE_URL: postgres,
      EVENT_STORE_SCHEMA: schema,
      READ_MODELS: 'mongo',
      MONGO_URL: mongoUrl,
    };
    app = await start();
    sql = new Client({ connectionString: postgres });
    await sql.connect();
    tokens = await tokensFor(app);
    const routed = await publishRoutedConsultation(app, PEOPLE.ana.org, 'PCP', [
      PEOPLE.sam.org,
      PEOPLE.tom.org,
    ]);
    const draft = await post('/tenders')
      .send(pcpBody(clock, routed.consultationId, [3, 2], DAY_MS))
      .expect(201);
    tenderId = draft.body.id;
    await post(`/tenders/${tenderId}/publish`).send({}).expect(200);
    const bid = await post(`/tenders/${tenderId}/bids`, 'sam')
      .send({
        ...bidBody(PROPOSAL, PRICE),
        contact: { name: 'Sam Kingfisher', email: 'sam@kf.example' },
      })
      .expect(201);
    bidId = bid.body.bidId;
    await post(`/tenders/${tenderId}/bids`, 'tom').send(bidBody('A rival design')).expect(201);
    await app.settle();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await sql?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql?.end();
    const connection = await mongoose.createConnection(mongoUrl).asPromise();
    await connection.dropDatabase();
    await connection.close();
  });

  function post(path: string, who: Person = 'ana') {
    return app.http().post(path).auth(tokens[who], { type: 'bearer' });
  }
  function get(path: string, who: Person = 'ana') {
    return app.http().get(path).auth(tokens[who], { type: 'bearer' });
  }

  const needles = [
    PROPOSAL,
    'KINGFISHER',
    String(PRICE),
    PEOPLE.sam.org,
    PEOPLE.sam.sub,
    'Sam Kingfisher',
    'sam@kf.example',
  ];
  const leaks = (text: string) => needles.filter((needle) => text.includes(needle));

  async function storedRows(): Promise<unknown[]> {
    return sql
      .query(
        `SELECT * FROM ${schema}.events WHERE stream_id LIKE 'tenders-bid-%' OR stream_id LIKE 'tenders-tender-%' ORDER BY global_position`,
      )
      .then((r) => r.rows);
  }

  async function bidDocuments(): Promise<unknown[]> {
    const connection = await mongoose.createConnection(mongoUrl).asPromise();
    try {
      const db = connection.db;
      if (!db) throw new Error('no MongoDB database');
      return await db.collection(BIDS_COLLECTION).find({}).toArray();
    } finally {
      await connection.close();
    }
  }

  it('before opening, the stored bid rows hold neither content, price, bidder nor user', async () => {
    const rows = await storedRows();
    const bidRows = rows.filter((r) =>
      String((r as { stream_id: string }).stream_id).includes(bidId),
    );
    expect(bidRows).toHaveLength(1);
    expect(bidRows[0]).toMatchObject({ type: 'SealedBidSubmitted', schema_version: 2 });
    expect(leaks(JSON.stringify(rows))).toEqual([]);
  });

  it('before opening, the bids-by-organisation documents name no bidder', async () => {
    const documents = await bidDocuments();
    const text = JSON.stringify(documents);
    expect(documents).toHaveLength(2);
    expect(text).toContain(bidId);
    expect(leaks(text)).toEqual([]);
    expect(text).not.toContain(PEOPLE.tom.org);
  });

  it('keeps the generated sealing key in DATA_DIR, readable by its owner only', () => {
    const mode = statSync(join(app.dataDir, 'bid-sealing-key')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('after a restart on the same data the bidder still reads its bid and participations', async () => {
    const { dataDir, secret } = app;
    await app.close(true);
    app = await start(dataDir, secret);
    const own = await get(`/tenders/${tenderId}/bids`, 'sam').expect(200);
    expect(own.body.items).toEqual([
      expect.objectContaining({ bidId, technicalProposal: PROPOSAL, priceEur: PRICE }),
    ]);
    expect(own.body.items[0].contact).toMatchObject({ name: 'Sam Kingfisher' });
    const mine = await get('/me/participations', 'sam').expect(200);
    expect(mine.body.items.map((i: { tenderId: string }) => i.tenderId)).toEqual([tenderId]);
    expect(mine.body.items[0].bids).toEqual([{ bidId, status: 'SEALED', priceEur: PRICE }]);
    const rival = await get(`/tenders/${tenderId}/bids`, 'tom').expect(200);
    expect(JSON.stringify(rival.body)).not.toContain(PROPOSAL);
    expect((await get(`/tenders/${tenderId}/bids`).expect(200)).body).toEqual({ count: 2 });
  }, 60_000);

  it('after opening the procurer reads the bid over HTTP as before; the store is unchanged', async () => {
    const before = JSON.stringify(await storedRows());
    clock.advance(2 * DAY_MS);
    await post(`/tenders/${tenderId}/open-bids`).send({}).expect(200);
    const all = await get(`/tenders/${tenderId}/bids`).expect(200);
    expect(all.body.items).toContainEqual(
      expect.objectContaining({
        bidId,
        supplierOrg: PEOPLE.sam.org,
        technicalProposal: PROPOSAL,
        priceEur: PRICE,
        status: 'OPENED',
      }),
    );
    // The opening adds tender events; the bid's stored rows stay ciphertext.
    const after = await storedRows();
    expect(JSON.stringify(after).startsWith(before.slice(0, -1))).toBe(true);
    const bidRows = after.filter((r) =>
      String((r as { stream_id: string }).stream_id).includes(bidId),
    );
    expect(leaks(JSON.stringify(bidRows))).toEqual([]);
  }, 60_000);
});
