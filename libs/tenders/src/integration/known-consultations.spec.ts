import { randomUUID } from 'node:crypto';
import {
  ConsultationOpenedEvent,
  ConsultationResponseSubmittedEvent,
  ProcurementRouteDecidedEvent,
  type IntegrationEventDefinition,
} from '@pcp/contracts';
import { InMemoryDocumentStore } from '@pcp/documents';
import type { EventEnvelope } from '@pcp/eventsourcing';
import { integrationMessageOf, type IntegrationMessage } from '@pcp/messaging';
import type { TenderSettings } from '../application/settings';
import { ConsultationsEventsConsumer, KnownConsultations } from './known-consultations';

const settings: TenderSettings = {
  consistencyWaitMs: 0,
  consistencyPollMs: 10,
  deadlineCheckMs: 0,
};
const consultationId = 'cons-2d81';
const streamId = `consultations-consultation-${consultationId}`;

function message<T>(
  definition: IntegrationEventDefinition<T>,
  revision: bigint,
  data: T,
): IntegrationMessage<T> {
  const envelope = {
    id: randomUUID(),
    streamId,
    revision,
    globalPosition: revision,
    occurredAt: '2026-02-20T17:00:00.000Z',
    correlationId: randomUUID(),
    causationId: null,
    actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
    hash: 'f'.repeat(64),
  } as unknown as EventEnvelope;
  return integrationMessageOf(envelope, definition, data);
}

const opened = message(ConsultationOpenedEvent, 0n, {
  consultationId,
  org: 'org-sergas',
  needId: 'need-1',
  buyersGroupId: null,
  regions: ['ES11'],
  title: 'Sepsis',
  opensAt: '2026-01-10T09:00:00+01:00',
  closesAt: '2026-02-20T17:00:00+01:00',
  questions: [],
  stateOfTheArtTrl: 5,
});
const response = (revision: bigint, innovationId: string) =>
  message(ConsultationResponseSubmittedEvent, revision, {
    consultationId,
    responseId: randomUUID(),
    innovationId,
    supplierOrg: 'org-medtech-sme',
    needId: 'need-1',
    buyersGroupId: null,
    solutionName: 'SepsisWatch',
    declaredTrl: 5,
  });
const routed = message(ProcurementRouteDecidedEvent, 3n, {
  consultationId,
  org: 'org-sergas',
  needId: 'need-1',
  buyersGroupId: null,
  route: 'PCP',
  rationale: 'TRL 5',
  justification: null,
  stateOfTheArtTrl: 5,
  againstTrlRule: false,
});

describe('what tenders learns of consultations', () => {
  let documents: InMemoryDocumentStore;
  let consumer: ConsultationsEventsConsumer;
  let known: KnownConsultations;
  const deliver = async (m: IntegrationMessage) => {
    const binding = consumer.handlers.find((h) => h.definition.type === m.type);
    if (!binding) throw new Error(`no handler for ${m.type}`);
    await binding.handle(m);
  };

  beforeEach(() => {
    documents = new InMemoryDocumentStore();
    consumer = new ConsultationsEventsConsumer(documents);
    known = new KnownConsultations(documents, settings);
  });

  it('knows nothing of a consultation it has not heard of', async () => {
    expect(await known.routed(consultationId)).toBeNull();
  });

  it('knows an opened consultation without a route, then its route', async () => {
    await deliver(opened);
    expect(await known.routed(consultationId)).toEqual({
      consultationId,
      org: 'org-sergas',
      regions: ['ES11'],
      route: null,
    });
    await deliver(routed);
    expect((await known.routed(consultationId))?.route).toBe('PCP');
  });

  it("keeps each supplier's latest innovation, and ignores a redelivered older event", async () => {
    await deliver(opened);
    await deliver(response(1n, 'inn-1'));
    await deliver(response(2n, 'inn-2'));
    await deliver(response(1n, 'inn-1'));
    expect(await known.innovations(consultationId)).toEqual([
      { innovationId: 'inn-2', supplierOrg: 'org-medtech-sme' },
    ]);
  });

  it('waits for a route decision that arrives within the consistency wait', async () => {
    const patient = new KnownConsultations(documents, { ...settings, consistencyWaitMs: 2000 });
    await deliver(opened);
    setTimeout(() => void deliver(routed), 100);
    expect((await patient.routed(consultationId))?.route).toBe('PCP');
  });
});
