import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { createTestApp, type TestApp } from '@pcp/platform';
import { requireEngine, uniqueName } from '@pcp/testing';
import { pilotsContextWith } from '../pilots.context';
import { ANA, PEOPLE, daysAgo, pilotBody, testbedBody } from './pilots.e2e-fixtures';
import { lastPhaseContract, tendersAsPublished } from './tenders-publisher.e2e-fixtures';

// Distributed: pilots as its own service with MongoDB read models, learning of contracts
// and phase evaluations over Kafka only. The tenders side is a service holding the tenders
// context's log, whose relay publishes to `pcp.tenders.events` as the tenders service does.
describe('a pilot of a contract awarded in another service, over Kafka, with MongoDB read models', () => {
  let tenders: TestApp;
  let pilots: TestApp;
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
      KAFKA_TOPIC_PREFIX: `${uniqueName('pilots')}.`,
      READ_MODELS: 'mongo',
    };
    tenders = await createTestApp({
      contexts: [tendersAsPublished],
      secret,
      env: { ...shared, MONGO_URL: databaseOf('tenders') },
    });
    pilots = await createTestApp({
      contexts: [pilotsContextWith({ consistencyWaitMs: 30_000 })],
      secret,
      env: { ...shared, MONGO_URL: databaseOf('pilots') },
    });
  });
  afterAll(async () => {
    await pilots?.close();
    await tenders?.close();
    for (const url of databases) {
      const connection = await mongoose.createConnection(url).asPromise();
      await connection.dropDatabase();
      await connection.close();
    }
  });

  const as = async (who: keyof typeof PEOPLE) => {
    const person = PEOPLE[who];
    return pilots.token({ ...person, roles: [...person.roles] });
  };

  it('plans on the contract once it came through the broker, runs the pilot and decides deployment', async () => {
    const ana = await as('ana');
    const eva = await as('eva');
    const tom = await as('tom');
    const post = (path: string, token = ana) =>
      pilots.http().post(path).auth(token, { type: 'bearer' });
    const get = (path: string, token = ana) =>
      pilots.http().get(path).auth(token, { type: 'bearer' });

    const testbedId = (await post('/testbeds').send(testbedBody()).expect(201)).body.id as string;
    const { contract, tender } = await lastPhaseContract(
      tenders,
      ANA,
      { supplierOrg: PEOPLE.sam.org },
      7,
    );

    const planned = await post('/pilots').send(pilotBody(contract.contractId, testbedId));
    expect(planned.status).toBe(201);
    // The TRL of the phase evaluation came over Kafka too.
    expect(planned.body).toMatchObject({ phase: 2, trlAtPlanning: 7 });
    const id = planned.body.id as string;
    // Nothing of the tender was stored on the pilots side's own log.
    expect(await pilots.store.readStream(`tenders-tender-${tender.tenderId}`)).toEqual([]);

    await post(`/pilots/${id}/evaluators`)
      .send({ evaluatorIds: ['u-eva'] })
      .expect(200);
    await post(`/pilots/${id}/start`).send({}).expect(200);
    await post(`/pilots/${id}/measurements`)
      .send({ kpi: 'time_to_antibiotics', value: 40, at: daysAgo(1) })
      .expect(201);
    await post(`/pilots/${id}/measurements`)
      .send({ kpi: 'sensitivity', value: 91, at: daysAgo(1) })
      .expect(201);
    await post(`/pilots/${id}/trl-assessments`, eva)
      .send({ trl: 8, evidence: ['doc:validation-report'], reason: 'Proven in operation' })
      .expect(201);
    const done = await post(`/pilots/${id}/complete`).send({ reason: 'Period ended' }).expect(200);
    expect(done.body.outcome).toBe('SUCCESS');
    const decided = await post(`/pilots/${id}/deployment-decision`)
      .send({ deploy: true, reason: 'KPIs met at TRL 8', sites: ['ES11'] })
      .expect(200);
    expect(decided.body.deployment).toMatchObject({ deploy: true, assessedTrl: 8 });

    // The list and its scoping come from the MongoDB read model.
    await pilots.settle();
    const mine = await get(`/pilots?status=COMPLETED&innovationId=${contract.innovationId}`);
    expect(mine.body.items.map((p: { id: string }) => p.id)).toEqual([id]);
    const theirs = await get(`/pilots?innovationId=${contract.innovationId}`, tom);
    expect(theirs.body.items).toEqual([]);
    const testbeds = await get('/testbeds?region=ES11');
    expect(testbeds.body.items.map((t: { id: string }) => t.id)).toContain(testbedId);
  });
});
