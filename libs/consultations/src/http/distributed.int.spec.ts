import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { createTestApp, type TestApp } from '@pcp/platform';
import { requireEngine, uniqueName } from '@pcp/testing';
import { consultationsContextWith } from '../consultations.context';
import { MovableClock, consultationBody } from './consultations.e2e-fixtures';
import {
  needsAsPublished,
  publishBuyersGroup,
  publishGroupJoin,
  publishValidatedNeed,
} from './needs-publisher.e2e-fixtures';

// Distributed: consultations as its own service with MongoDB read models, learning of needs
// over Kafka only. The needs side is a service holding the needs context's log, whose relay
// publishes the needs events to `pcp.needs.events` as the needs service does; the full
// needs service talking to consultations is covered in tools/e2e.
describe('opening a consultation on a need validated in another service, over Kafka', () => {
  const clock = new MovableClock();
  let needs: TestApp;
  let consultations: TestApp;
  const databases: string[] = [];
  const ana = { userId: 'u-ana', org: 'org-sergas' };
  const bea = { userId: 'u-bea', org: 'org-navarrabiomed' };

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
      contexts: [needsAsPublished],
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

  const open = async (subject: Record<string, string>) =>
    consultations
      .http()
      .post('/consultations')
      .auth(await consultations.token({ sub: ana.userId, org: ana.org, roles: ['procurer'] }), {
        type: 'bearer',
      })
      .send(consultationBody(clock, subject));

  it('201 once the validation has come through the broker; the consultation names the need', async () => {
    const needId = await publishValidatedNeed(needs, ana, 'ES11');

    const res = await open({ needId });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ needId, regions: ['ES11'], status: 'DRAFT' });
    // Nothing of the need was stored on the consultations side's own log.
    expect(await consultations.store.readStream(`needs-need-${needId}`)).toEqual([]);
  });

  it('201 on a buyers group once its formation and the second region joining came through', async () => {
    const galicia = await publishValidatedNeed(needs, ana, 'ES11');
    const buyersGroupId = await publishBuyersGroup(needs, ana, 'Atlantic sepsis group', [
      { id: galicia, org: ana.org, region: 'ES11' },
    ]);
    const navarra = await publishValidatedNeed(needs, bea, 'ES22');
    await publishGroupJoin(needs, buyersGroupId, bea, { id: navarra, region: 'ES22' });

    const res = await open({ buyersGroupId });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ needId: null, buyersGroupId, regions: ['ES11', 'ES22'] });
  });
});
