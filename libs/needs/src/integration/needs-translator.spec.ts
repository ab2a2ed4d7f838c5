import { randomUUID } from 'node:crypto';
import { integrationEvents } from '@pcp/contracts';
import type { EventEnvelope } from '@pcp/eventsourcing';
import { needsTranslator } from './needs-translator';

const envelope = (type: string, data: object): EventEnvelope => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  streamId: 'needs-need-n1',
  revision: 0n,
  globalPosition: 1n,
  occurredAt: '2025-01-10T09:00:00.000Z',
  recordedAt: '2025-01-10T09:00:00.004Z',
  actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
  reason: null,
  correlationId: randomUUID(),
  causationId: null,
  data,
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
});

describe('what needs publishes', () => {
  it('publishes a recorded need without its description and evidence, valid against the schema', () => {
    const published = needsTranslator.translate(
      envelope('NeedRecorded', {
        needId: 'n1',
        org: 'org-sergas',
        title: 'Sepsis early warning',
        description: 'Internal detail',
        region: 'ES11',
        diseaseField: 'infectious',
        scope: ['early_detection'],
        patientPopulation: 12000,
        budgetEstimateEur: 2500000,
        barriers: [],
        evidence: [{ title: 'Audit', url: null }],
      }),
    );
    if (!published) throw new Error('NeedRecorded was not published');
    expect(published.definition.type).toBe('NeedRecorded');
    expect(published.data).not.toHaveProperty('description');
    expect(published.data).not.toHaveProperty('evidence');
    expect(integrationEvents.check(published.definition, published.data)).toEqual({ valid: true });
  });

  it('publishes a formed group without its member list, and keeps claims of needs inside', () => {
    const formed = needsTranslator.translate(
      envelope('BuyersGroupFormed', {
        buyersGroupId: 'g1',
        name: 'Atlantic',
        leadOrg: 'org-sergas',
        memberOrgs: ['org-sergas'],
        needIds: ['n1'],
        regions: ['ES11'],
      }),
    );
    if (!formed) throw new Error('BuyersGroupFormed was not published');
    expect(integrationEvents.check(formed.definition, formed.data)).toEqual({ valid: true });
    expect(formed.data).not.toHaveProperty('memberOrgs');
    expect(
      needsTranslator.translate(envelope('NeedGrouped', { needId: 'n1', buyersGroupId: 'g1' })),
    ).toBeNull();
    expect(
      needsTranslator.translate(envelope('NeedReleased', { needId: 'n1', buyersGroupId: 'g1' })),
    ).toBeNull();
  });
});
