import { Injectable, Module } from '@nestjs/common';
import { TenderAmendedEvent, type TenderAmended } from '@pcp/contracts';
import { on, type HandlerBinding, type IntegrationConsumer } from '@pcp/messaging';
import { createTestApp, type BoundedContext, type TestApp } from '@pcp/platform';
import { tendersContextWith } from '../tenders.context';
import {
  consultationsAsPublished,
  publishRoutedConsultation,
} from './consultations-publisher.e2e-fixtures';
import { MovableClock, PEOPLE, pcpBody, tokensFor, type Person } from './tenders.e2e-fixtures';

/** Another context's view of the tenders topic: every amendment as it arrives. */
@Injectable()
class AmendmentsHeard implements IntegrationConsumer {
  readonly name = 'listener.tender-amendments';
  readonly heard: TenderAmended[] = [];
  readonly handlers: HandlerBinding[] = [
    on(TenderAmendedEvent, async (m) => {
      this.heard.push(m.data);
    }),
  ];
}

@Module({ providers: [AmendmentsHeard] })
class ListenerModule {}

const listener: BoundedContext = {
  name: 'pilots',
  module: ListenerModule,
  consumers: [AmendmentsHeard],
};

// What the platform delivers to other contexts when a PCP call is amended: the tenders
// context's own translator adds the number of phases in force, read from the stored terms.
describe('an amended PCP call, as other contexts hear of it', () => {
  const clock = new MovableClock();
  let app: TestApp;
  let tokens: Record<Person, string>;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        consultationsAsPublished,
        tendersContextWith({ clock, consistencyWaitMs: 800, deadlineCheckMs: 0 }),
        listener,
      ],
    });
    tokens = await tokensFor(app);
  });
  afterAll(() => app.close());

  it('carries phaseCount after the phases change, and only the declared fields', async () => {
    const { consultationId } = await publishRoutedConsultation(app, PEOPLE.ana.org, 'PCP', [
      PEOPLE.sam.org,
    ]);
    const body = pcpBody(clock, consultationId, [3, 2, 2]);
    const post = (path: string) => app.http().post(path).auth(tokens.ana, { type: 'bearer' });
    const id = (await post('/tenders').send(body).expect(201)).body.id as string;
    await post(`/tenders/${id}/publish`).send({}).expect(200);
    await post(`/tenders/${id}/amend`)
      .send({
        reason: 'Field testing merged into the prototype phase',
        phases: body.phases.slice(0, 2),
      })
      .expect(200);
    await app.settle();
    const heard = app.app.get(AmendmentsHeard, { strict: false }).heard;
    expect(heard.filter((a) => a.tenderId === id)).toEqual([
      {
        tenderId: id,
        org: PEOPLE.ana.org,
        changedFields: ['phases'],
        submissionDeadline: body.submissionDeadline,
        reason: 'Field testing merged into the prototype phase',
        phaseCount: 2,
      },
    ]);
  });
});
