import { randomUUID } from 'node:crypto';
import { integrationEvents } from '@pcp/contracts';
import { newPersonKey, sealWith, type EventEnvelope } from '@pcp/eventsourcing';
import { consultationDecider, type ConsultationEvent } from '../domain';
import { consultationsTranslator } from './consultations-translator';

const envelope = (event: ConsultationEvent, revision: bigint): EventEnvelope => ({
  id: randomUUID(),
  type: event.type,
  schemaVersion: 1,
  streamId: 'consultations-consultation-cons-2d81',
  revision,
  globalPosition: revision + 10n,
  occurredAt: '2025-03-10T10:00:00.000Z',
  recordedAt: '2025-03-10T10:00:00.005Z',
  actor: { userId: 'u-sam', org: 'org-medtech-sme', roles: ['supplier'] },
  reason: event.reason ?? null,
  correlationId: randomUUID(),
  causationId: null,
  data: event.data,
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
});

// A consultation's life as the decider records it, then what other contexts hear of it.
const history: ConsultationEvent[] = [];
const run = (command: Parameters<typeof consultationDecider.decide>[0]) => {
  const state = history.reduce(consultationDecider.evolve, consultationDecider.initialState());
  history.push(...consultationDecider.decide(command, state));
};
const now = new Date('2025-03-10T10:00:00Z');
run({
  type: 'OpenConsultation',
  consultationId: 'cons-2d81',
  actorOrg: 'org-sergas',
  needId: 'need-7f3a9c',
  need: { id: 'need-7f3a9c', org: 'org-sergas', region: 'ES11', status: 'VALIDATED' },
  title: 'Sepsis early warning',
  description: 'Early warning of sepsis.',
  opensAt: '2025-03-01T09:00:00+01:00',
  closesAt: '2025-04-15T17:00:00+02:00',
  questions: [],
  stateOfTheArtTrl: 5,
});
run({
  type: 'PublishPriorInformationNotice',
  actorOrg: 'org-sergas',
  now: new Date('2025-02-01T09:00:00Z'),
});
const contact = sealWith('u-sam', newPersonKey(randomUUID()), {
  name: 'Samira Quintero',
  email: 'samira@medtech.example',
});
const respond = (responseId: string, declaredTrl: number) =>
  run({
    type: 'SubmitConsultationResponse',
    actorOrg: 'org-medtech-sme',
    responseId,
    innovationId: `inno-${responseId}`,
    solutionName: 'SepsisWatch',
    summary: 'Risk score.',
    declaredTrl,
    supplier: { sme: true, country: 'ES' },
    contact,
    now,
  });
respond('resp-1', 5);
respond('resp-2', 6);
run({
  type: 'AskClarification',
  actorOrg: 'org-medtech-sme',
  questionId: 'q-1',
  text: 'EHR?',
  now,
});
run({ type: 'AnswerClarification', actorOrg: 'org-sergas', questionId: 'q-1', text: 'Yes.' });
run({ type: 'CloseConsultation', actorOrg: 'org-sergas', report: 'One supplier.' });
run({
  type: 'DecideProcurementRoute',
  actorOrg: 'org-sergas',
  route: 'PPI',
  rationale: 'Buy it.',
  justification: 'A TRL 8 version ships next year.',
});
const published = history.map((e, i) => consultationsTranslator.translate(envelope(e, BigInt(i))));

describe('what consultations publishes', () => {
  it('publishes the declared events, each valid against its schema', () => {
    expect(published.map((t) => t?.definition.type ?? null)).toEqual([
      'ConsultationOpened',
      'PriorInformationNoticePublished',
      'ConsultationResponseSubmitted',
      'ConsultationResponseSubmitted',
      null,
      'ClarificationAnswered',
      'ConsultationClosed',
      'ProcurementRouteDecided',
    ]);
    for (const t of published) {
      if (t) expect(integrationEvents.check(t.definition, t.data)).toEqual({ valid: true });
    }
  });

  it('publishes a replaced response as the supplier’s current one, with the same innovation', () => {
    expect(published[3]?.data).toEqual({
      consultationId: 'cons-2d81',
      responseId: 'resp-2',
      innovationId: 'inno-resp-1',
      supplierOrg: 'org-medtech-sme',
      needId: 'need-7f3a9c',
      buyersGroupId: null,
      solutionName: 'SepsisWatch',
      declaredTrl: 6,
    });
  });

  it('never publishes who asked a question, the response summary or the SME facts', () => {
    const text = JSON.stringify(published.map((t) => t?.data ?? null));
    expect(text).not.toContain('askedByOrg');
    expect(text).not.toContain('Risk score.');
    expect(text).not.toContain('supplierSme');
  });

  it('never publishes the contact person, not even sealed: Kafka keeps nothing erasable', () => {
    expect((history[2].data as { contact?: unknown }).contact).toEqual(contact);
    const text = JSON.stringify(published.map((t) => t?.data ?? null));
    expect(text).not.toContain('contact');
    expect(text).not.toContain(contact.ciphertext);
    expect(text).not.toContain('u-sam');
  });
});
