import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { createTestApp, type TestApp } from '@pcp/platform';
import { requireEngine, uniqueName } from '@pcp/testing';
import { tendersContextWith } from '../tenders.context';
import {
  consultationsAsPublished,
  publishRoutedConsultation,
} from './consultations-publisher.e2e-fixtures';
import { DAY_MS, MovableClock, PEOPLE, bidBody, pcpBody } from './tenders.e2e-fixtures';

// Distributed: tenders as its own service with MongoDB read models, learning of consultations
// over Kafka only; the deadline scheduler finds the tender in the MongoDB read model.
describe('tenders as its own service, over Kafka and MongoDB', () => {
  const clock = new MovableClock();
  let consultations: TestApp;
  let tenders: TestApp;
  const databases: string[] = [];

  beforeAll(async () => {
    const brokers = requireEngine('kafka');
    const mongo = requireEngine('mongo');
    const databaseOf = (name: string) => {
      const url = new URL(mongo);
      url.pathname = `/${uniqueName(name).replace(/-/g, '_')}`;
      databases.push(url.toString());
      return url.toString();
    };
    const secret = randomBytes(32).toString('base64url');
    const shared = {
      INTEGRATION: 'kafka',
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: `${uniqueName('tend')}.`,
      READ_MODELS: 'mongo',
    };
    consultations = await createTestApp({
      contexts: [consultationsAsPublished],
      secret,
      env: { ...shared, MONGO_URL: databaseOf('consultations') },
    });
    tenders = await createTestApp({
      contexts: [tendersContextWith({ clock, consistencyWaitMs: 30_000, deadlineCheckMs: 200 })],
      secret,
      env: { ...shared, MONGO_URL: databaseOf('tenders') },
    });
  });
  afterAll(async () => {
    await tenders?.close();
    await consultations?.close();
    for (const url of databases) {
      const connection = await mongoose.createConnection(url).asPromise();
      await connection.dropDatabase();
      await connection.close();
    }
  });

  const as = async (who: keyof typeof PEOPLE) => {
    const person = PEOPLE[who];
    return tenders.token({ ...person, roles: [...person.roles] });
  };

  it('drafts on a route decided in another service, lists from MongoDB, closes at the deadline', async () => {
    const routed = await publishRoutedConsultation(consultations, PEOPLE.ana.org, 'PCP', [
      PEOPLE.sam.org,
    ]);
    const ana = await as('ana');
    const created = await tenders
      .http()
      .post('/tenders')
      .auth(ana, { type: 'bearer' })
      .send(pcpBody(clock, routed.consultationId, [3, 2], DAY_MS))
      .expect(201);
    const id = created.body.id as string;
    await tenders
      .http()
      .post(`/tenders/${id}/publish`)
      .auth(ana, { type: 'bearer' })
      .send({})
      .expect(200);
    const bid = await tenders
      .http()
      .post(`/tenders/${id}/bids`)
      .auth(await as('sam'), { type: 'bearer' })
      .send(bidBody('Sealed over Kafka'))
      .expect(201);
    expect(bid.body.innovationId).toBe(routed.innovations[PEOPLE.sam.org]);
    await tenders.settle();
    const list = await tenders
      .http()
      .get(`/tenders?status=PUBLISHED&org=${PEOPLE.ana.org}`)
      .auth(await as('tom'), { type: 'bearer' })
      .expect(200);
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([id]);

    clock.advance(2 * DAY_MS);
    let status = 'PUBLISHED';
    const until = Date.now() + 15_000;
    while (status === 'PUBLISHED' && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (
        await tenders.http().get(`/tenders/${id}`).auth(ana, { type: 'bearer' }).expect(200)
      ).body.status;
    }
    expect(status).toBe('BIDS_CLOSED');
  }, 60_000);
});
