import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Body, Controller, Get, Inject, Injectable, Module, Param, Post } from '@nestjs/common';
import { AnyRole, CurrentUser, Roles, type AuthenticatedUser } from '@pcp/auth';
import { NeedValidatedEvent } from '@pcp/contracts';
import { DOCUMENT_STORE, type DocumentStore, type Projection } from '@pcp/documents';
import {
  ANCHOR_STORE,
  EVENT_STORE,
  NO_STREAM,
  type AnchorStore,
  type EventStore,
} from '@pcp/eventsourcing';
import { createKafka, on, parseBrokers, type IntegrationConsumer } from '@pcp/messaging';
import { CuttableTcpLink, requireEngine, uniqueName } from '@pcp/testing';
import { IsString } from 'class-validator';
import type { BoundedContext } from './bounded-context';
import { ContextRuntime } from './context-runtime';
import {
  loadSnapshot,
  type ReadModelSnapshot,
  readSnapshotFile,
  saveSnapshot,
  snapshotFile,
} from './read-model-snapshot';
import { createTestApp, type TestApp } from './testing/test-app';

// A publishing context: its log holds NeedValidated events, which it publishes as they are.
class ValidateBody {
  @IsString()
  region!: string;
}

@Controller('test-needs')
class TestNeedsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Post()
  @Roles('procurer')
  async validate(@Body() body: ValidateBody, @CurrentUser() user: AuthenticatedUser) {
    const needId = randomUUID();
    await this.store.append(
      `needs-need-${needId}`,
      [
        {
          type: 'NeedValidated',
          data: { needId, org: user.org, region: body.region, rationale: null },
          actor: { userId: user.userId, org: user.org, roles: user.roles },
          correlationId: randomUUID(),
        },
      ],
      NO_STREAM,
    );
    return { id: needId };
  }
}

const needsProjection: Projection = {
  name: 'test-needs-list',
  collections: ['test_needs'],
  eventTypes: ['NeedValidated'],
  async apply(event, view) {
    const data = event.data as { needId: string; region: string };
    await view.update('test_needs', data.needId, () => ({
      region: data.region,
      status: 'VALIDATED',
    }));
  },
};

@Module({ controllers: [TestNeedsController] })
class TestNeedsModule {}

const needs: BoundedContext = {
  name: 'needs',
  module: TestNeedsModule,
  projections: [needsProjection],
};

// A consuming context: learns validated needs into its own collection.
@Injectable()
class KnownNeeds implements IntegrationConsumer {
  readonly name = 'test-consultations-known-needs';
  readonly handlers = [
    on(NeedValidatedEvent, async (message) => {
      await this.documents
        .collection('test_known_needs')
        .upsert(message.data.needId, { region: message.data.region });
    }),
  ];
  constructor(@Inject(DOCUMENT_STORE) private readonly documents: DocumentStore) {}
}

@Controller('test-known-needs')
class KnownNeedsController {
  constructor(@Inject(DOCUMENT_STORE) private readonly documents: DocumentStore) {}

  @Get(':id')
  @AnyRole()
  async get(@Param('id') id: string) {
    return (await this.documents.collection('test_known_needs').get(id))?.data ?? null;
  }
}

@Module({ controllers: [KnownNeedsController], providers: [KnownNeeds] })
class TestConsultationsModule {}

const consultations: BoundedContext = {
  name: 'consultations',
  module: TestConsultationsModule,
  consumers: [KnownNeeds],
};

/** Validates a need per region through the API, as a procurer; their ids. */
async function validateNeeds(app: TestApp, regions: string[]): Promise<string[]> {
  const token = await app.token({ sub: 'ana', org: 'sergas', roles: ['procurer'] });
  const ids: string[] = [];
  for (const region of regions) {
    const res = await app
      .http()
      .post('/test-needs')
      .set('Authorization', `Bearer ${token}`)
      .send({ region });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}

describe('platform runtime (embedded: PGlite log, in-memory read models, log-fed consumers)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ contexts: [needs, consultations] });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('feeds projections and other contexts consumers from the log', async () => {
    const token = await app.token({ sub: 'ana', org: 'sergas', roles: ['procurer'] });
    const created = await app
      .http()
      .post('/test-needs')
      .set('Authorization', `Bearer ${token}`)
      .send({ region: 'ES11' });
    expect(created.status).toBe(201);
    await app.settle();
    const projected = await app.documents.collection('test_needs').get(created.body.id);
    expect(projected?.data).toEqual({ region: 'ES11', status: 'VALIDATED' });
    const known = await app
      .http()
      .get(`/test-known-needs/${created.body.id}`)
      .set('Authorization', `Bearer ${token}`);
    expect(known.status).toBe(200);
    expect(known.body).toEqual({ region: 'ES11' });
  });

  it('refuses a request without a token and a body with unknown fields', async () => {
    expect((await app.http().post('/test-needs').send({ region: 'ES11' })).status).toBe(401);
    const token = await app.token({ sub: 'ana', org: 'sergas', roles: ['procurer'] });
    const refused = await app
      .http()
      .post('/test-needs')
      .set('Authorization', `Bearer ${token}`)
      .send({ region: 'ES11', extra: 1 });
    expect(refused.status).toBe(400);
    const wrongRole = await app.token({ sub: 'sam', org: 'acme', roles: ['supplier'] });
    expect(
      (
        await app
          .http()
          .post('/test-needs')
          .set('Authorization', `Bearer ${wrongRole}`)
          .send({ region: 'ES11' })
      ).status,
    ).toBe(403);
  });

  it('rebuilds in-memory read models and consumer effects from the log after a restart', async () => {
    const ids = await validateNeeds(app, ['ES51', 'BE2', 'ITH5']);
    await app.settle();
    const before = await app.documents.collection('test_needs').count();
    const { dataDir, secret } = app;
    await app.close(true);

    app = await createTestApp({ contexts: [needs, consultations], dataDir, secret });
    await app.settle();
    expect(await app.documents.collection('test_needs').count()).toBe(before);
    for (const id of ids) {
      expect((await app.documents.collection('test_known_needs').get(id))?.data).toBeDefined();
    }
    // The consumer handled each event once more, not twice: one document per need.
    expect(await app.documents.collection('test_known_needs').count()).toBe(before);
  });

  it('feeds a consumer the events of a context that this process does not run', async () => {
    const alone = await createTestApp({ contexts: [consultations] });
    try {
      const needId = randomUUID();
      await alone.store.append(
        `needs-need-${needId}`,
        [
          {
            type: 'NeedValidated',
            data: { needId, org: 'sergas', region: 'ES51', rationale: null },
            actor: { userId: 'ana', org: 'sergas', roles: ['procurer'] },
            correlationId: randomUUID(),
          },
        ],
        NO_STREAM,
      );
      await alone.settle();
      expect((await alone.documents.collection('test_known_needs').get(needId))?.data).toEqual({
        region: 'ES51',
      });
    } finally {
      await alone.close();
    }
  });

  it('records integrity anchors on the configured schedule', async () => {
    const anchored = await createTestApp({ contexts: [needs], env: { ANCHOR_INTERVAL_MS: '100' } });
    try {
      const token = await anchored.token({ sub: 'ana', org: 'sergas', roles: ['procurer'] });
      await anchored
        .http()
        .post('/test-needs')
        .set('Authorization', `Bearer ${token}`)
        .send({ region: 'ES51' });
      const anchors = anchored.app.get<AnchorStore>(ANCHOR_STORE);
      const deadline = Date.now() + 10_000;
      let latest = await anchors.latestAnchor();
      while ((!latest || latest.streamCount < 1) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        latest = await anchors.latestAnchor();
      }
      expect(latest?.streamCount).toBe(1);
      expect(latest?.root).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await anchored.close();
    }
  });
});

// A distributed service: its own topics and read-model database on the shared engines.
const kafkaEnv = (brokers: string) => {
  const mongo = new URL(requireEngine('mongo'));
  mongo.pathname = `/${uniqueName('ready').replace(/-/g, '_')}`;
  return {
    INTEGRATION: 'kafka',
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: `${uniqueName('ready')}.`,
    READ_MODELS: 'mongo',
    MONGO_URL: mongo.toString(),
  };
};

describe('platform runtime readiness (distributed: consumers in Kafka groups)', () => {
  // Nothing is published to these topics, so the read-model database stays empty.

  it('is ready once its consumers have joined their groups', async () => {
    const app = await createTestApp({
      contexts: [consultations],
      env: kafkaEnv(requireEngine('kafka')),
    });
    try {
      const res = await app.http().get('/health/ready');
      expect(res.status).toBe(200);
      expect(res.body.details.kafkaConsumers).toEqual({ status: 'up' });
    } finally {
      await app.close();
    }
  });

  it('is not ready while a consumer cannot join, and names it', async () => {
    // a port nothing listens on: the broker is unreachable, the service still starts
    const app = await createTestApp({
      contexts: [consultations],
      env: kafkaEnv('127.0.0.1:1'),
      waitForConsumers: false,
    });
    try {
      const res = await app.http().get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.details.kafkaConsumers).toEqual({
        status: 'down',
        message: 'consumers not yet in their groups: test-consultations-known-needs',
      });
      expect(res.body.details.eventStore).toEqual({ status: 'up' });
    } finally {
      await app.close();
    }
  });
});

/** A loopback port with nothing listening on it (a stopped broker's address). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('platform runtime while Kafka is stopped (distributed)', () => {
  it('takes a command without waiting for Kafka, and publishes its event once Kafka is back', async () => {
    const port = await unusedPort();
    const env = kafkaEnv(`127.0.0.1:${port}`);
    const app = await createTestApp({ contexts: [needs], env });
    let kafkaBack: CuttableTcpLink | null = null;
    const kafka = createKafka({
      brokers: parseBrokers(requireEngine('kafka')),
      clientId: uniqueName('reader'),
    });
    const reader = kafka.consumer({ groupId: uniqueName('reader') });
    try {
      const token = await app.token({ sub: 'ana', org: 'sergas', roles: ['procurer'] });
      const started = Date.now();
      const created = await app
        .http()
        .post('/test-needs')
        .set('Authorization', `Bearer ${token}`)
        .send({ region: 'ES11' });
      expect(created.status).toBe(201);
      // answered from the log alone: no wait on a broker timeout
      expect(Date.now() - started).toBeLessThan(3000);
      const stored = await app.store.readStream(`needs-need-${created.body.id}`);
      expect(stored.map((e) => e.type)).toEqual(['NeedValidated']);
      expect((await app.http().get('/health/ready')).status).toBe(200);

      const topic = `${env.KAFKA_TOPIC_PREFIX}pcp.needs.events`;
      const admin = kafka.admin();
      await admin.connect();
      try {
        // the relay keeps trying meanwhile; nothing reaches the broker
        await new Promise((r) => setTimeout(r, 1500));
        expect(await admin.listTopics()).not.toContain(topic);

        const [host, brokerPort] = parseBrokers(requireEngine('kafka'))[0].split(':');
        // Kafka started again at that address: the port now forwards to the real broker
        kafkaBack = new CuttableTcpLink({ host, port: Number(brokerPort) }, port);
        await kafkaBack.open();
        const deadline = Date.now() + 45_000;
        // a topic just created may not have its partition leaders yet: asked again, not failed
        const published = async () =>
          (await admin.listTopics()).includes(topic) &&
          (await admin.fetchTopicOffsets(topic).then(
            (offsets) => offsets.some((p) => Number(p.high) > 0),
            () => false,
          ));
        while (!(await published())) {
          if (Date.now() > deadline) throw new Error(`nothing was published to ${topic}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        await admin.disconnect();
      }
      await reader.connect();
      await reader.subscribe({ topics: [topic], fromBeginning: true });
      const received = await new Promise<{ key: string; type: string }>((resolve) => {
        void reader.run({
          eachMessage: async ({ message }) =>
            resolve({
              key: message.key?.toString() ?? '',
              type: message.headers?.['ce_type']?.toString() ?? '',
            }),
        });
      });
      expect(received).toEqual({ key: created.body.id, type: 'NeedValidated' });
    } finally {
      await reader.disconnect();
      await app.close();
      await kafkaBack?.cut();
    }
  });
});

describe('read-model snapshots (embedded: saved at stop, taken back at start)', () => {
  const snapshotOn = { READ_MODEL_SNAPSHOT: 'on' };
  const runtimeOf = (app: TestApp) => app.app.get(ContextRuntime);
  /** The same platform started again on the data of a first run, snapshots on. */
  const restart = (run: { dataDir: string; secret: string }) =>
    createTestApp({ contexts: [needs, consultations], ...run, env: snapshotOn });
  const keptSnapshot = async (file: string): Promise<ReadModelSnapshot> => {
    const { snapshot, problem } = await readSnapshotFile(file);
    if (!snapshot) throw new Error(`the snapshot is ${problem}`);
    return snapshot;
  };

  /** An app with two needs handled, and a document no event explains (found only in a snapshot). */
  async function firstRun(): Promise<{ dataDir: string; secret: string; ids: string[] }> {
    const app = await createTestApp({ contexts: [needs, consultations], env: snapshotOn });
    const ids = await validateNeeds(app, ['ES51', 'BE2']);
    await app.settle();
    await app.documents.collection('test_needs').upsert('marker', { region: 'none' });
    expect(runtimeOf(app).readModelsFromSnapshot).toBe(false);
    const { dataDir, secret } = app;
    await app.close(true);
    return { dataDir, secret, ids };
  }

  it('takes the read models back as they were at stop, then follows the log from there', async () => {
    const { dataDir, secret, ids } = await firstRun();
    const file = snapshotFile(dataDir, 'test');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const app = await restart({ dataDir, secret });
    try {
      expect(runtimeOf(app).readModelsFromSnapshot).toBe(true);
      // nothing in the log explains the marker: it can only come from the snapshot
      expect((await app.documents.collection('test_needs').get('marker'))?.data).toEqual({
        region: 'none',
      });
      const [third] = await validateNeeds(app, ['ITH5']);
      await app.settle();
      // the consumer went on after what it had handled: the earlier needs once each (version 1)
      for (const id of ids)
        expect((await app.documents.collection('test_known_needs').get(id))?.version).toBe(1);
      expect((await app.documents.collection('test_known_needs').get(third))?.data).toEqual({
        region: 'ITH5',
      });
      expect(await app.documents.collection('test_needs').count()).toBe(4);
    } finally {
      await app.close();
    }
  });

  it('sets aside a snapshot made by other code, or unreadable, and rebuilds from the log', async () => {
    for (const spoil of ['other code', 'unreadable', 'cut short'] as const) {
      const { dataDir, secret, ids } = await firstRun();
      const file = snapshotFile(dataDir, 'test');
      if (spoil === 'unreadable') writeFileSync(file, 'not a snapshot');
      else if (spoil === 'cut short') {
        const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
        writeFileSync(file, `${lines.slice(0, -2).join('\n')}\n`);
      } else {
        const kept = await keptSnapshot(file);
        await saveSnapshot(file, { ...kept, fingerprint: 'f'.repeat(64) });
      }
      const app = await restart({ dataDir, secret });
      try {
        expect(runtimeOf(app).readModelsFromSnapshot).toBe(false);
        expect(existsSync(`${file}.unused`)).toBe(true);
        await app.settle();
        expect(await app.documents.collection('test_needs').get('marker')).toBeNull();
        for (const id of ids)
          expect(await app.documents.collection('test_known_needs').get(id)).not.toBeNull();
      } finally {
        await app.close();
      }
    }
  });

  it('keeps what JSON cannot carry (dates) and refuses nothing it wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcp-snapshot-'));
    try {
      const file = snapshotFile(dir, 'x');
      const at = new Date('2026-11-23T09:00:00.000Z');
      await saveSnapshot(file, {
        fingerprint: 'f',
        head: null,
        consumers: { 'consumer:a': '7' },
        collections: [
          {
            name: 'plain',
            documents: [{ id: 'p', version: 3, applied: { s: 2 }, data: { n: 1, tags: ['x'] } }],
          },
          { name: 'empty', documents: [] },
          {
            name: 'dated',
            documents: [{ id: 'd', version: 1, applied: {}, data: { at }, exotic: true }],
          },
        ],
      });
      const { snapshot } = await readSnapshotFile(file);
      expect(snapshot?.consumers).toEqual({ 'consumer:a': '7' });
      expect(snapshot?.collections.map((c) => [c.name, c.documents.length])).toEqual([
        ['plain', 1],
        ['empty', 0],
        ['dated', 1],
      ]);
      expect(snapshot?.collections[0].documents[0]).toEqual({
        id: 'p',
        version: 3,
        applied: { s: 2 },
        data: { n: 1, tags: ['x'] },
      });
      const dated = snapshot?.collections[2].documents[0].data.at;
      expect(new Date(dated as Date).toISOString()).toBe(at.toISOString());
      expect(Object.prototype.toString.call(dated)).toBe('[object Date]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a snapshot made from another log', async () => {
    const { dataDir, secret } = await firstRun();
    const file = snapshotFile(dataDir, 'test');
    const kept = await keptSnapshot(file);
    expect(kept.head).not.toBeNull();
    const app = await createTestApp({ contexts: [needs], dataDir, secret });
    try {
      expect((await loadSnapshot(file, kept.fingerprint, app.store)).snapshot?.savedAt).toBe(
        kept.savedAt,
      );
      await saveSnapshot(file, {
        ...kept,
        head: { position: kept.head?.position ?? '0', eventId: randomUUID() },
      });
      expect(await loadSnapshot(file, kept.fingerprint, app.store)).toEqual({
        snapshot: null,
        problem: 'made from another event log',
      });
      await saveSnapshot(file, { ...kept, head: { position: '1000000', eventId: randomUUID() } });
      expect((await loadSnapshot(file, kept.fingerprint, app.store)).problem).toBe(
        'made from another event log',
      );
    } finally {
      await app.close();
    }
  });
});
