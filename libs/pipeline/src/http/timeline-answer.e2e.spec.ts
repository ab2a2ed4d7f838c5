import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '@pcp/platform';
import { newJourney, type Journey } from '../domain/journey';
import { INNOVATIONS, TIMELINE_EVENTS, type TimelineEntry } from '../integration/collections';
import { pipelineContext } from '../pipeline.context';

describe('the timeline answer, reused while its entries stay the same', () => {
  let app: TestApp;
  let auditor: string;
  const innovationId = randomUUID();
  const needId = randomUUID();

  const entry = (minute: number, type: string, over: Partial<TimelineEntry> = {}) =>
    ({
      eventId: randomUUID(),
      type,
      context: 'needs',
      streamId: `needs-need-${needId}`,
      revision: minute,
      globalPosition: minute,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 9, minute)).toISOString(),
      actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
      reason: null,
      hash: `h${minute}`,
      needIds: [needId],
      buyersGroupId: null,
      consultationId: null,
      tenderId: null,
      bidId: null,
      pilotId: null,
      innovationIds: [],
      ...over,
    }) as TimelineEntry;

  const timeline = () =>
    app
      .http()
      .get(`/innovations/${innovationId}/timeline`)
      .set('Authorization', `Bearer ${auditor}`);

  beforeAll(async () => {
    app = await createTestApp({ contexts: [pipelineContext] });
    auditor = await app.token({ sub: 'u-aud', org: 'org-audit', roles: ['auditor'] });
    await app.documents.collection(INNOVATIONS).upsert(innovationId, {
      ...newJourney(innovationId),
      supplierOrg: 'org-medtech',
      needId,
      needIds: [needId],
      procurerOrgs: ['org-sergas'],
    });
    const entries = app.documents.collection<TimelineEntry>(TIMELINE_EVENTS);
    for (const e of [entry(2, 'NeedValidated'), entry(1, 'NeedRecorded')])
      await entries.upsert(e.eventId, e);
  });
  afterAll(() => app?.close());

  it('answers JSON in order with every field, the same bytes and tag until an entry comes', async () => {
    const first = await timeline()
      .expect(200)
      .expect('Content-Type', /application\/json/);
    expect(first.body.items.map((i: { type: string }) => i.type)).toEqual([
      'NeedRecorded',
      'NeedValidated',
    ]);
    expect(Object.keys(first.body.items[0])).toEqual([
      'eventId',
      'type',
      'context',
      'streamId',
      'revision',
      'occurredAt',
      'actor',
      'reason',
      'hash',
    ]);
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^W\/"/);
    const again = await timeline().expect(200);
    expect(again.headers.etag).toBe(tag);
    expect(again.text).toBe(first.text);
    await timeline().set('If-None-Match', tag).expect(304);

    const later = entry(3, 'NeedPrioritised', { reason: 'urgent' });
    await app.documents.collection<TimelineEntry>(TIMELINE_EVENTS).upsert(later.eventId, later);
    const after = await timeline().set('If-None-Match', tag).expect(200);
    expect(after.headers.etag).not.toBe(tag);
    expect(after.body.items.map((i: { type: string; reason: string | null }) => i.reason)).toEqual([
      null,
      null,
      'urgent',
    ]);
  });

  it('shows a sealed bid once the journey ties it to the innovation, entries unchanged', async () => {
    const bid = entry(4, 'BidSubmitted', { bidId: 'bid-1', context: 'tenders' });
    await app.documents.collection<TimelineEntry>(TIMELINE_EVENTS).upsert(bid.eventId, bid);
    const before = await timeline().expect(200);
    expect(before.body.items.map((i: { type: string }) => i.type)).not.toContain('BidSubmitted');
    const journeys = app.documents.collection<Journey>(INNOVATIONS);
    const journey = await journeys.get(innovationId);
    await journeys.upsert(innovationId, { ...(journey?.data as Journey), bidIds: ['bid-1'] });
    const after = await timeline().expect(200);
    expect(after.body.items.map((i: { type: string }) => i.type)).toContain('BidSubmitted');
  });

  it('leaves out an entry removed from the timeline collection', async () => {
    const extra = entry(5, 'NeedAmended');
    const entries = app.documents.collection<TimelineEntry>(TIMELINE_EVENTS);
    await entries.upsert(extra.eventId, extra);
    const types = async () =>
      (await timeline().expect(200)).body.items.map((i: { type: string }) => i.type);
    expect(await types()).toContain('NeedAmended');
    expect(await types()).toContain('NeedAmended');
    await entries.delete(extra.eventId);
    expect(await types()).not.toContain('NeedAmended');
  });

  it('still refuses those outside the innovation', async () => {
    const stranger = await app.token({ sub: 'u-x', org: 'org-other', roles: ['supplier'] });
    await app
      .http()
      .get(`/innovations/${innovationId}/timeline`)
      .set('Authorization', `Bearer ${stranger}`)
      .expect(403);
  });
});
