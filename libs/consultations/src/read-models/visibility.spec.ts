import type { HistoryItem } from '@pcp/http';
import { consultationViewOf, type ConsultationView, type ViewedEvent } from './consultation-view';
import {
  clarificationsFor,
  consultationFor,
  historyFor,
  isRespondent,
  type Viewer,
} from './visibility';

let revision = 0;
const event = (type: string, data: object): ViewedEvent => ({
  type,
  data: { consultationId: 'c1', ...data },
  revision: revision++,
  occurredAt: `2025-03-1${revision}T10:00:00.000Z`,
});
const response = (supplierOrg: string, responseId: string) =>
  event('ConsultationResponseSubmitted', {
    responseId,
    innovationId: `inno-${supplierOrg}`,
    supplierOrg,
    needId: 'n1',
    buyersGroupId: null,
    solutionName: 'S',
    declaredTrl: 6,
    summary: 'S',
    supplierSme: true,
    supplierCountry: 'ES',
  });
const view = consultationViewOf([
  event('ConsultationOpened', {
    org: 'org-sergas',
    needId: 'n1',
    buyersGroupId: null,
    regions: ['ES11'],
    title: 'T',
    description: 'D',
    opensAt: '2025-03-01T09:00:00Z',
    closesAt: '2025-04-01T09:00:00Z',
    questions: [],
    stateOfTheArtTrl: null,
  }),
  response('org-sme', 'r1'),
  response('org-large', 'r2'),
  event('ClarificationRequested', {
    questionId: 'q1',
    askedByOrg: 'org-sme',
    question: 'Answered?',
  }),
  event('ClarificationRequested', {
    questionId: 'q2',
    askedByOrg: 'org-sme',
    question: 'Pending?',
  }),
  event('ClarificationRequested', {
    questionId: 'q3',
    askedByOrg: 'org-large',
    question: 'Theirs?',
  }),
  event('ClarificationAnswered', { questionId: 'q1', question: 'Answered?', answer: 'Yes.' }),
]) as ConsultationView;

const organiser: Viewer = { org: 'org-sergas', roles: ['procurer'] };
const auditor: Viewer = { org: 'org-court', roles: ['auditor'] };
const sme: Viewer = { org: 'org-sme', roles: ['supplier'] };
const large: Viewer = { org: 'org-large', roles: ['supplier'] };
const outsider: Viewer = { org: 'org-other', roles: ['supplier'] };

describe('who sees what of a consultation', () => {
  it('the organisers and auditors see everything', () => {
    expect(consultationFor(view, organiser)).toBe(view);
    expect(consultationFor(view, auditor)).toBe(view);
  });

  it('a supplier sees its own responses only, and the count of all live ones', () => {
    const seen = consultationFor(view, large);
    expect(seen.responses.map((r) => r.id)).toEqual(['r2']);
    expect(seen.responseCount).toBe(2);
    expect(consultationFor(view, outsider).responses).toEqual([]);
  });

  it('answered questions go to everyone without the asker; pending ones stay with their asker', () => {
    expect(clarificationsFor(view, large).map((c) => [c.id, c.askedByOrg])).toEqual([
      ['q1', null],
      ['q3', 'org-large'],
    ]);
    expect(clarificationsFor(view, sme).map((c) => [c.id, c.askedByOrg])).toEqual([
      ['q1', 'org-sme'],
      ['q2', 'org-sme'],
    ]);
    expect(clarificationsFor(view, organiser)).toHaveLength(3);
  });

  it('respondents are the organisations that responded', () => {
    expect(isRespondent(view, 'org-sme')).toBe(true);
    expect(isRespondent(view, 'org-other')).toBe(false);
  });

  it("history withholds other suppliers' events from a supplier, keeping their place and hash", () => {
    const items = [
      {
        type: 'ConsultationOpened',
        actor: { userId: 'u1', org: 'org-sergas', roles: ['procurer'] },
        data: { consultationId: 'c1' },
        hash: 'h0',
      },
      {
        type: 'ConsultationResponseSubmitted',
        actor: { userId: 'u2', org: 'org-sme', roles: ['supplier'] },
        data: { consultationId: 'c1', summary: 'secret' },
        hash: 'h1',
      },
      {
        type: 'ClarificationRequested',
        actor: { userId: 'u3', org: 'org-large', roles: ['supplier'] },
        data: { consultationId: 'c1', question: 'Theirs?' },
        hash: 'h2',
      },
    ] as unknown as HistoryItem[];
    const seen = historyFor(view, items, sme);
    expect(seen[0]).toBe(items[0]);
    expect(seen[1]).toBe(items[1]);
    expect(seen[2]).toMatchObject({
      hash: 'h2',
      actor: { userId: 'withheld', org: null, roles: [] },
      data: { consultationId: 'c1', withheld: true },
    });
    expect(historyFor(view, items, organiser)).toBe(items);
  });
});
