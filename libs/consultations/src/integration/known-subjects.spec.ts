import { randomUUID } from 'node:crypto';
import { InMemoryDocumentStore } from '@pcp/documents';
import type { IntegrationMessage } from '@pcp/messaging';
import { consistencyWaitFrom } from '../application/settings';
import { KnownSubjects, NeedsEventsConsumer } from './known-subjects';

const message = (
  type: string,
  streamId: string,
  revision: bigint,
  data: object,
): IntegrationMessage => ({
  id: randomUUID(),
  type,
  source: '/pcp/needs',
  context: 'needs',
  specVersion: '1.0',
  time: '2025-01-10T09:00:00.000Z',
  subject: streamId,
  dataSchema: `urn:pcp:needs:${type}:1`,
  key: streamId,
  data,
  correlationId: randomUUID(),
  causationId: null,
  streamRevision: revision,
  globalPosition: revision,
  actor: null,
  eventHash: null,
});

const recorded = message('NeedRecorded', 'needs-need-n1', 0n, {
  needId: 'n1',
  org: 'org-sergas',
  title: 'Sepsis',
  region: 'ES11',
  diseaseField: 'infectious',
  scope: ['early_detection'],
  patientPopulation: 1,
  budgetEstimateEur: 1,
  barriers: [],
});
const validated = message('NeedValidated', 'needs-need-n1', 1n, {
  needId: 'n1',
  org: 'org-sergas',
  region: 'ES11',
  rationale: null,
});
const withdrawn = message('NeedWithdrawn', 'needs-need-n1', 2n, {
  needId: 'n1',
  org: 'org-sergas',
  reason: 'x',
});
const formed = message('BuyersGroupFormed', 'needs-buyersGroup-g1', 0n, {
  buyersGroupId: 'g1',
  name: 'Atlantic',
  leadOrg: 'org-sergas',
  needIds: ['n1'],
  regions: ['ES11'],
});
const joined = message('BuyersGroupJoined', 'needs-buyersGroup-g1', 1n, {
  buyersGroupId: 'g1',
  needId: 'n2',
  org: 'org-navarrabiomed',
  region: 'ES22',
});

describe('what consultations learns of needs and buyers groups', () => {
  const setup = (consistencyWaitMs = 0) => {
    const documents = new InMemoryDocumentStore();
    const consumer = new NeedsEventsConsumer(documents);
    const known = new KnownSubjects(documents, { consistencyWaitMs, consistencyPollMs: 10 });
    const deliver = (m: IntegrationMessage) =>
      consumer.handlers.find((h) => h.definition.type === m.type)?.handle(m) ??
      Promise.reject(new Error(m.type));
    return { known, deliver };
  };

  it('follows a need through its life, and ignores a redelivered older event', async () => {
    const { known, deliver } = setup();
    await deliver(recorded);
    expect(await known.need('n1')).toEqual({
      id: 'n1',
      org: 'org-sergas',
      region: 'ES11',
      status: 'RECORDED',
    });
    await deliver(validated);
    await deliver(recorded);
    expect((await known.need('n1'))?.status).toBe('VALIDATED');
    await deliver(withdrawn);
    await deliver(validated);
    expect(await known.need('n1')).toEqual({
      id: 'n1',
      org: 'org-sergas',
      region: 'ES11',
      status: 'WITHDRAWN',
    });
  });

  it('knows a validated need even when its recording was never heard of', async () => {
    const { known, deliver } = setup();
    await deliver(validated);
    expect((await known.need('n1'))?.status).toBe('VALIDATED');
    expect(await known.need('n-unknown')).toBeUndefined();
  });

  it('grows a buyers group by joins, once each', async () => {
    const { known, deliver } = setup();
    await deliver(formed);
    expect(await known.buyersGroup('g1')).toEqual({
      id: 'g1',
      leadOrg: 'org-sergas',
      regions: ['ES11'],
    });
    await deliver(joined);
    await deliver(joined);
    expect(await known.buyersGroup('g1')).toEqual({
      id: 'g1',
      leadOrg: 'org-sergas',
      regions: ['ES11', 'ES22'],
    });
  });

  it('waits for a validation that is on its way, up to the consistency wait', async () => {
    const { known, deliver } = setup(2000);
    await deliver(recorded);
    setTimeout(() => void deliver(validated), 100);
    const started = Date.now();
    expect((await known.need('n1'))?.status).toBe('VALIDATED');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('gives up after the consistency wait and answers with what it knows', async () => {
    const { known, deliver } = setup(150);
    await deliver(recorded);
    const started = Date.now();
    expect((await known.need('n1'))?.status).toBe('RECORDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('CONSISTENCY_WAIT_MS', () => {
  it('defaults to 5000 and takes whole milliseconds up to a minute', () => {
    expect(consistencyWaitFrom({})).toBe(5000);
    expect(consistencyWaitFrom({ CONSISTENCY_WAIT_MS: '250' })).toBe(250);
    expect(consistencyWaitFrom({ CONSISTENCY_WAIT_MS: '0' })).toBe(0);
    for (const bad of ['-1', '1.5', 'soon', '600000']) {
      expect(() => consistencyWaitFrom({ CONSISTENCY_WAIT_MS: bad })).toThrow(
        /CONSISTENCY_WAIT_MS/,
      );
    }
  });
});
