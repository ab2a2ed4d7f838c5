import { createTestApp, type TestApp } from '@pcp/platform';
import { tenderStream } from '../application/streams';
import { tendersContextWith } from '../tenders.context';
import {
  consultationsAsPublished,
  publishRoutedConsultation,
} from './consultations-publisher.e2e-fixtures';
import { DAY_MS, MovableClock, PEOPLE, bidBody, pcpBody } from './tenders.e2e-fixtures';

// The deadline passes while the embedded platform is down: after a restart on the same data,
// the scheduler finds the tender in the rebuilt read model and closes bidding, as the system.
describe('the deadline scheduler across a restart of the embedded platform', () => {
  const clock = new MovableClock();
  let app: TestApp | undefined;
  afterAll(() => app?.close());

  it('closes bidding after the restart, once', async () => {
    const first = await createTestApp({
      contexts: [
        consultationsAsPublished,
        tendersContextWith({ clock, consistencyWaitMs: 2000, deadlineCheckMs: 200 }),
      ],
    });
    const routed = await publishRoutedConsultation(first, PEOPLE.ana.org, 'PCP');
    const ana = await first.token({ ...PEOPLE.ana, roles: ['procurer'] });
    const sam = await first.token({ ...PEOPLE.sam, roles: ['supplier'] });
    const id = (
      await first
        .http()
        .post('/tenders')
        .auth(ana, { type: 'bearer' })
        .send(pcpBody(clock, routed.consultationId, [3, 2], DAY_MS))
        .expect(201)
    ).body.id as string;
    await first.http().post(`/tenders/${id}/publish`).auth(ana, { type: 'bearer' }).send({});
    await first
      .http()
      .post(`/tenders/${id}/bids`)
      .auth(sam, { type: 'bearer' })
      .send(bidBody('Before the restart'))
      .expect(201);
    await first.close(true);

    clock.advance(2 * DAY_MS);
    app = await createTestApp({
      contexts: [
        consultationsAsPublished,
        tendersContextWith({ clock, consistencyWaitMs: 2000, deadlineCheckMs: 200 }),
      ],
      dataDir: first.dataDir,
      secret: first.secret,
    });
    const closings = async () =>
      (await (app as TestApp).store.readStream(tenderStream(id))).filter(
        (e) => e.type === 'BiddingClosed',
      );
    const until = Date.now() + 15_000;
    while ((await closings()).length === 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [closed] = await closings();
    expect(closed?.actor.userId).toBe('system:tender-deadline');
    expect(closed?.data).toMatchObject({ count: 1 });
    // Further rounds find it closed and append nothing.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await closings()).toHaveLength(1);
  }, 60_000);
});
