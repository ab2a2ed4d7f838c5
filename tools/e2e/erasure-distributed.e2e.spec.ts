import { randomBytes, randomUUID } from 'node:crypto';
import { mintToken } from '@pcp/auth';
import { createKafka } from '@pcp/messaging';
import { buildApps, requireEngine } from '@pcp/testing';
import { eventually, ok } from './audit-scenario';
import { startDistributed, type DistributedSystem } from './distributed';
import { call, consultationFor, galicianNeed, type Client } from './scenario';

const SERVICES = ['needs', 'consultations', 'pipeline'];
const SAM = { name: 'Samira Quintero-Vallejo', email: 'samira.qv@sepsis-watch.example' };

/** Every message of a topic as text (key, value and headers), from the start to its end now. */
async function topicText(topic: string): Promise<string> {
  const kafka = createKafka({
    clientId: `erasure-check-${randomUUID()}`,
    brokers: requireEngine('kafka').split(','),
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > 0).map((p) => [p.partition, Number(p.high)]),
  );
  const texts: string[] = [];
  if (remaining.size === 0) return '';
  const consumer = kafka.consumer({ groupId: `erasure-check-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${topic} was not read to its end`)), 60_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        texts.push(
          `${message.key?.toString() ?? ''} ${message.value?.toString() ?? ''} ${JSON.stringify(
            Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
          )}`,
        );
        if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) {
          remaining.delete(partition);
        }
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return texts.join('\n');
}

// Distributed: the consultations service seals the contact with the shared key table on the
// PostgreSQL server; the erasure goes through the gateway to the pipeline service, and the
// consultations service reads it as erased at once. Kafka never carries it.
describe('erasure of personal data across the distributed services', () => {
  const secret = randomBytes(32).toString('base64url');
  let system: DistributedSystem;
  let client: Client;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    system = await startDistributed(buildApps('e2e-erasure-distributed'), SERVICES, {
      AUTH_JWT_SECRET: secret,
    });
    client = {
      baseUrl: system.gateway.url,
      token: (claims) =>
        mintToken({ name: claims.sub, ...claims } as Parameters<typeof mintToken>[0], { secret }),
    };
    tokens['ana'] = await client.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    tokens['sam'] = await client.token({ sub: 'u-sam', org: 'org-sw', roles: ['supplier'] });
    tokens['aud'] = await client.token({ sub: 'u-aud', org: 'org-audit', roles: ['auditor'] });
    tokens['adm'] = await client.token({ sub: 'u-adm', org: 'org-platform', roles: ['admin'] });
  }, 360_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('records the contact sealed, erases it through the gateway, and keeps it out of Kafka', async () => {
    const needId = (await ok(client, tokens['ana'], 'POST', '/needs', galicianNeed)).id as string;
    await ok(client, tokens['ana'], 'POST', `/needs/${needId}/validate`, {});
    const consultation = await eventually(
      () => call(client, tokens['ana'], 'POST', '/consultations', consultationFor(needId)),
      (res) => res.status === 201,
      60_000,
    );
    const id = consultation.body.id as string;
    await ok(client, tokens['ana'], 'POST', `/consultations/${id}/publish`, {});
    const response = await ok(client, tokens['sam'], 'POST', `/consultations/${id}/responses`, {
      solutionName: 'SepsisWatch',
      summary: 'Risk score.',
      declaredTrl: 5,
      contact: SAM,
    });
    expect(response.contact).toEqual({ personId: 'u-sam', erased: false, ...SAM });
    const before = await ok(client, tokens['ana'], 'GET', `/consultations/${id}/history`);
    expect(JSON.stringify(before)).toContain(SAM.email);

    // The pipeline hears of the response over Kafka: the message has gone through the topic.
    await eventually(
      () => call(client, tokens['aud'], 'GET', `/innovations/${response.innovationId}`),
      (res) => res.status === 200,
      90_000,
    );
    const prefix = system.envOf['consultations']['KAFKA_TOPIC_PREFIX'];
    const published = await topicText(`${prefix}pcp.consultations.events`);
    expect(published).toContain(response.innovationId);
    for (const trace of ['Samira', 'samira.qv', 'personalData']) {
      expect(published).not.toContain(trace);
    }

    const erased = await ok(client, tokens['adm'], 'POST', '/people/u-sam/erasure', {
      reason: 'Erasure request DPO-4411',
    });
    expect(erased).toMatchObject({ personId: 'u-sam', keysErased: 1 });

    const reads = [
      await ok(client, tokens['ana'], 'GET', `/consultations/${id}`),
      await ok(client, tokens['ana'], 'GET', `/consultations/${id}/history`),
      await ok(client, tokens['ana'], 'GET', `/consultations/${id}/responses`),
      await ok(client, tokens['sam'], 'GET', `/consultations/${id}/responses/${response.id}`),
      await ok(client, tokens['aud'], 'GET', `/innovations/${response.innovationId}/timeline`),
      await ok(client, tokens['aud'], 'GET', '/audit/events?limit=500'),
    ];
    for (const body of reads) {
      expect(JSON.stringify(body)).not.toContain('Samira');
      expect(JSON.stringify(body)).not.toContain('samira.qv');
    }
    expect(reads[3].contact).toEqual({ personId: 'u-sam', erased: true });
    // The consultations list comes from its MongoDB read model: erased there too.
    const list = await eventually(
      () => call(client, tokens['ana'], 'GET', '/consultations?org=org-sergas'),
      (res) => res.status === 200 && res.body.items.length === 1,
    );
    expect(list.body.items[0].responses[0].contact).toEqual({ personId: 'u-sam', erased: true });

    const verification = await ok(client, tokens['aud'], 'GET', '/audit/verify');
    expect(verification.ok).toBe(true);
  }, 300_000);
});
