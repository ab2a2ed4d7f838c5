import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
// The platform composes contexts; so does this test, which needs the real needs service.
// Production code of consultations never imports it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { needsContext } from '@pcp/needs';
import { createTestApp, type TestApp } from '@pcp/platform';
import { requireEngine, uniqueName } from '@pcp/testing';
import { consultationsContextWith } from '../consultations.context';
import { MovableClock, consultationBody, needBody } from './consultations.e2e-fixtures';

// Distributed: needs and consultations as two services, each with its own log and MongoDB
// read models, the needs events reaching consultations over Kafka only.
describe('opening a consultation on a need validated in another service, over Kafka', () => {
  const clock = new MovableClock();
  let needs: TestApp;
  let consultations: TestApp;
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
      KAFKA_TOPIC_PREFIX: `${uniqueName('cons')}.`,
      READ_MODELS: 'mongo',
    };
    needs = await createTestApp({
      contexts: [needsContext],
      secret,
      env: { ...shared, MONGO_URL: databaseOf('needs') },
    });
    consultations = await createTestApp({
      contexts: [consultationsContextWith({ clock, consistencyWaitMs: 30_000 })],
      secret,
      env: { ...shared, MONGO_URL: databaseOf('consultations') },
    });
  });
  afterAll(async () => {
    await consultations?.close();
    await needs?.close();
    for (const url of databases) {
      const connection = await mongoose.createConnection(url).asPromise();
      await connection.dropDatabase();
      await connection.close();
    }
  });

  it('201 once the validation has come through the broker; the consultation names the need', async () => {
    const ana = await needs.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    const needId = (
      await needs
        .http()
        .post('/needs')
        .auth(ana, { type: 'bearer' })
        .send(needBody('ES11'))
        .expect(201)
    ).body.id;
    await needs
      .http()
      .post(`/needs/${needId}/validate`)
      .auth(ana, { type: 'bearer' })
      .send({})
      .expect(200);

    const res = await consultations
      .http()
      .post('/consultations')
      .auth(ana, { type: 'bearer' })
      .send(consultationBody(clock, { needId }))
      .expect(201);
    expect(res.body).toMatchObject({ needId, regions: ['ES11'], status: 'DRAFT' });
  });
});
