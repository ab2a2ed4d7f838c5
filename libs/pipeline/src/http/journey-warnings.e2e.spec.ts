import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '@pcp/platform';
import { pipelineContext } from '../pipeline.context';
import {
  OtherContextsLog,
  otherContextsAsPublished,
  recordedNeed,
  person,
  openedConsultation,
} from './contexts-as-published.e2e-fixtures';

const P = person('u-proc', 'org-sergas', 'procurer');
const A = person('u-sup-a', 'org-sme-a', 'supplier');

// DOMAIN: a prior information notice less than 30 days ahead is allowed, and shown as a
// warning on the journey.
describe("warnings on an innovation's journey", () => {
  let app: TestApp;
  let log: OtherContextsLog;
  let token: string;
  const get = (path: string) => app.http().get(path).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    app = await createTestApp({ contexts: [...otherContextsAsPublished, pipelineContext] });
    log = new OtherContextsLog(app.store);
    token = await app.token({ sub: 'u-sup-a', org: 'org-sme-a', roles: ['supplier'] });
  });
  afterAll(() => app.close());

  /** A consultation on a need of P, its notice `leadTimeDays` ahead, and A's response. */
  async function consulted(
    leadTimeDays: number,
  ): Promise<{ consultationId: string; innovationId: string }> {
    const needId = randomUUID();
    const consultationId = randomUUID();
    const innovationId = randomUUID();
    const need = log.stream('needs', 'need', needId);
    await log.emit(need, 'NeedRecorded', recordedNeed(needId, P.org), P);
    await log.emit(
      need,
      'NeedValidated',
      { needId, org: P.org, region: 'ES11', rationale: 'Board' },
      P,
    );
    const stream = log.stream('consultations', 'consultation', consultationId);
    const opensAt = new Date(
      Date.parse('2026-01-01T00:00:00.000Z') + leadTimeDays * 86_400_000,
    ).toISOString();
    await log.emit(
      stream,
      'ConsultationOpened',
      openedConsultation(consultationId, needId, P.org, {
        opensAt,
        closesAt: '2026-06-01T00:00:00.000Z',
      }),
      P,
    );
    await log.emit(
      stream,
      'PriorInformationNoticePublished',
      {
        consultationId,
        org: P.org,
        publishedAt: '2026-01-01T00:00:00.000Z',
        opensAt,
        closesAt: '2026-06-01T00:00:00.000Z',
        leadTimeDays,
        shortLeadTime: leadTimeDays < 30,
      },
      P,
    );
    await log.emit(
      stream,
      'ConsultationResponseSubmitted',
      {
        consultationId,
        responseId: randomUUID(),
        innovationId,
        supplierOrg: A.org,
        needId,
        buyersGroupId: null,
        solutionName: 'Early warning from routine data',
        declaredTrl: 5,
      },
      A,
    );
    return { consultationId, innovationId };
  }

  it('shows SHORT_LEAD_TIME on the journey, alone and in lists; none after a 30-day notice', async () => {
    const short = await consulted(10);
    const usual = await consulted(30);
    await app.settle();
    const warning = {
      code: 'SHORT_LEAD_TIME',
      consultationId: short.consultationId,
      leadTimeDays: 10,
      message: expect.stringContaining('10 day(s)'),
    };
    expect((await get(`/innovations/${short.innovationId}`).expect(200)).body.warnings).toEqual([
      warning,
    ]);
    expect((await get(`/innovations/${usual.innovationId}`).expect(200)).body.warnings).toEqual([]);
    const items = (await get('/innovations?limit=500').expect(200)).body.items as Array<{
      id: string;
      warnings: unknown[];
    }>;
    expect(items.find((i) => i.id === short.innovationId)?.warnings).toEqual([warning]);
    expect(items.find((i) => i.id === usual.innovationId)?.warnings).toEqual([]);
  });
});
