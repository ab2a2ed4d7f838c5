import { randomBytes, randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { CommandHandler } from '@pcp/eventsourcing';
import { createTestApp, type TestApp } from '@pcp/platform';
import { SealedBidStore } from '../application/sealed-bid-store';
import { BID_SEALING_KEY } from '../application/settings';
import { bidStream, tenderStream } from '../application/streams';
import { sealedBidDecider } from '../domain';
import { tendersContextWith } from '../tenders.context';
import {
  consultationsAsPublished,
  publishRoutedConsultation,
} from './consultations-publisher.e2e-fixtures';
import {
  DAY_MS,
  MovableClock,
  PEOPLE,
  bidBody,
  pcpBody,
  tokensFor,
  type Person,
} from './tenders.e2e-fixtures';

// PPI calls, cancellation, unsuccessful tenders, idempotent bids and the OpenAPI document.
describe('tenders over HTTP: PPI, cancellation, unsuccessful calls, idempotency', () => {
  const clock = new MovableClock();
  let app: TestApp;
  let tokens: Record<Person, string>;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        consultationsAsPublished,
        tendersContextWith({ clock, consistencyWaitMs: 500, deadlineCheckMs: 0 }),
      ],
    });
    tokens = await tokensFor(app);
  });
  afterAll(() => app.close());

  const post = (path: string, who: Person = 'ana') =>
    app.http().post(path).auth(tokens[who], { type: 'bearer' });
  const get = (path: string, who: Person = 'ana') =>
    app.http().get(path).auth(tokens[who], { type: 'bearer' });
  const ppiBody = (consultationId: string, ppiProcedure = 'OPEN', changes = {}) =>
    pcpBody(clock, consultationId, [], 10 * DAY_MS, {
      procedure: 'PPI',
      phases: undefined,
      ppiProcedure,
      ...changes,
    });
  const routed = async (route: 'PCP' | 'PPI' | 'INNOVATION_PARTNERSHIP' | 'COMMERCIAL') =>
    (await publishRoutedConsultation(app, PEOPLE.ana.org, route, [PEOPLE.sam.org])).consultationId;
  /** A published open PPI call on a consultation of its own. */
  const publishedPpi = async (): Promise<string> => {
    const id = (
      await post('/tenders')
        .send(ppiBody(await routed('PPI')))
        .expect(201)
    ).body.id as string;
    await post(`/tenders/${id}/publish`).send({}).expect(200);
    return id;
  };

  it('follows the route: PPI on PPI, innovation partnership only as that PPI procedure, nothing on COMMERCIAL', async () => {
    const ppi = await routed('PPI');
    await post('/tenders').send(pcpBody(clock, ppi)).expect(422);
    await post('/tenders').send(ppiBody(ppi)).expect(201);
    const phases = await post('/tenders')
      .send(ppiBody(ppi, 'OPEN', { phases: pcpBody(clock, ppi).phases }))
      .expect(422);
    expect(phases.body.details.code).toBe('PHASES_ON_PPI');
    await post('/tenders').send(ppiBody(ppi, 'AUCTION')).expect(400);
    const partnership = await routed('INNOVATION_PARTNERSHIP');
    await post('/tenders').send(ppiBody(partnership, 'OPEN')).expect(422);
    await post('/tenders').send(ppiBody(partnership, 'INNOVATION_PARTNERSHIP')).expect(201);
    const commercial = await routed('COMMERCIAL');
    await post('/tenders').send(ppiBody(commercial)).expect(422);
  });

  it('runs a PPI call to completion with one award phase', async () => {
    const id = await publishedPpi();
    const sam = (await post(`/tenders/${id}/bids`, 'sam').send(bidBody('Ready-made')).expect(201))
      .body.id;
    const tom = (await post(`/tenders/${id}/bids`, 'tom').send(bidBody('Other')).expect(201)).body
      .id;
    clock.advance(11 * DAY_MS);
    await post(`/tenders/${id}/open-bids`).send({}).expect(200);
    await post(`/tenders/${id}/bids/${tom}/reject`)
      .send({ reason: 'Missing CE marking' })
      .expect(200);
    await post(`/tenders/${id}/evaluators`)
      .send({ evaluatorIds: [PEOPLE.eva.sub] })
      .expect(200);
    await post(`/tenders/${id}/bids/${tom}/conflict-declarations`, 'eva')
      .send({ conflict: false })
      .expect(409);
    await post(`/tenders/${id}/bids/${sam}/conflict-declarations`, 'eva')
      .send({ conflict: false })
      .expect(200);
    await post(`/tenders/${id}/bids/${sam}/scores`, 'eva')
      .send({
        scores: [
          { criterion: 'quality', score: 70 },
          { criterion: 'price', score: 80 },
        ],
      })
      .expect(200);
    const award = await post(`/tenders/${id}/phases/1/award`)
      .send({ bidIds: [sam], reason: 'Only admissible bid' })
      .expect(200);
    const [contract] = award.body.contracts;
    expect(contract).toMatchObject({ bidId: sam, supplierOrg: PEOPLE.sam.org });
    expect(contract.frameworkAgreementId).toBeNull();
    const d = await post(`/tenders/${id}/contracts/${contract.id}/deliverables`, 'sam')
      .send({ title: 'Installation', description: 'Installed in two hospitals' })
      .expect(201);
    await post(`/tenders/${id}/contracts/${contract.id}/deliverables/${d.body.id}/accept`)
      .send({})
      .expect(200);
    await post(`/tenders/${id}/phases/2/down-select`)
      .send({ contractIds: [contract.id], reason: 'x' })
      .expect(422);
    const done = await post(`/tenders/${id}/phases/1/complete`)
      .send({
        results: [{ contractId: contract.id, passed: true, assessedTrl: 8, reason: 'Deployed' }],
      })
      .expect(200);
    expect(done.body.status).toBe('COMPLETED');
  });

  it('cancel: 400 without a reason, 403 for others, 200; then bids are refused with 409', async () => {
    const id = await publishedPpi();
    await post(`/tenders/${id}/cancel`).send({}).expect(400);
    await post(`/tenders/${id}/cancel`, 'bea').send({ reason: 'x' }).expect(403);
    await post('/tenders/no-such/cancel').send({ reason: 'x' }).expect(404);
    const res = await post(`/tenders/${id}/cancel`)
      .send({ reason: 'Budget withdrawn' })
      .expect(200);
    expect(res.body.status).toBe('CANCELLED');
    await post(`/tenders/${id}/bids`, 'sam').send(bidBody('x')).expect(409);
  });

  it('a call without bids cannot be opened (422) and is declared unsuccessful with a reason', async () => {
    const id = await publishedPpi();
    await post(`/tenders/${id}/unsuccessful`).send({ reason: 'No bids' }).expect(409);
    clock.advance(11 * DAY_MS);
    const open = await post(`/tenders/${id}/open-bids`).send({}).expect(422);
    expect(open.body.details.code).toBe('NO_BIDS');
    await post(`/tenders/${id}/unsuccessful`).send({}).expect(400);
    const res = await post(`/tenders/${id}/unsuccessful`)
      .send({ reason: 'No bid arrived' })
      .expect(200);
    expect(res.body.status).toBe('UNSUCCESSFUL');
  });

  it('a bid repeated with the same Idempotency-Key is stored once; another body is 422', async () => {
    const id = await publishedPpi();
    const stale = await post(`/tenders/${id}/bids`, 'sam')
      .set('If-Match', '"0"')
      .send(bidBody('Stale'))
      .expect(409);
    expect(stale.body.details.currentRevision).toBe('1');
    const first = await post(`/tenders/${id}/bids`, 'sam')
      .set('Idempotency-Key', 'bid-1')
      .send(bidBody('Once'))
      .expect(201);
    const again = await post(`/tenders/${id}/bids`, 'sam')
      .set('Idempotency-Key', 'bid-1')
      .send(bidBody('Once'))
      .expect(201);
    expect(again.body).toEqual(first.body);
    await post(`/tenders/${id}/bids`, 'sam')
      .set('Idempotency-Key', 'bid-1')
      .send(bidBody('Other'))
      .expect(422);
    const stream = await app.store.readStream(tenderStream(id));
    expect(stream.filter((e) => e.type === 'BidSubmitted')).toHaveLength(1);
  });

  it('a replacement sealed in the bid stream but never recorded by the tender does not stand', async () => {
    const id = await publishedPpi();
    const bidId = (await post(`/tenders/${id}/bids`, 'sam').send(bidBody('Recorded', 111_000))).body
      .id as string;
    // What a replacement leaves when the service stops (or the deadline passes) between
    // sealing it in the bid's stream and recording its digest in the tender.
    const key = app.app.get<Buffer>(BID_SEALING_KEY, { strict: false });
    await new CommandHandler(new SealedBidStore(app.store, key), sealedBidDecider).handle(
      bidStream(bidId),
      {
        type: 'ResealBid',
        actorOrg: PEOPLE.sam.org,
        sealNonce: randomBytes(24).toString('base64url'),
        ...bidBody('Never recorded', 222_000),
      },
      {
        actor: { userId: PEOPLE.sam.sub, org: PEOPLE.sam.org, roles: ['supplier'] },
        correlationId: randomUUID(),
      },
    );
    const own = await get(`/tenders/${id}/bids/${bidId}`, 'sam').expect(200);
    expect(own.body).toMatchObject({ technicalProposal: 'Recorded', priceEur: 111_000 });
    clock.advance(11 * DAY_MS);
    await post(`/tenders/${id}/open-bids`).send({}).expect(200);
    const opened = await get(`/tenders/${id}/bids`).expect(200);
    expect(opened.body.items).toEqual([
      expect.objectContaining({
        bidId,
        technicalProposal: 'Recorded',
        priceEur: 111_000,
        status: 'OPENED',
      }),
    ]);
  });

  it('two bids of one organisation sent at once: one is submitted, the other replaces it', async () => {
    const id = await publishedPpi();
    const [a, b] = await Promise.all([
      post(`/tenders/${id}/bids`, 'tom').send(bidBody('First click')),
      post(`/tenders/${id}/bids`, 'tom').send(bidBody('Second click')),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect((await get(`/tenders/${id}/bids`).expect(200)).body).toEqual({ count: 1 });
  });

  it('GET /me/participations comes in pages by tender id, each tender once', async () => {
    await app.settle();
    const whole = await get('/me/participations?limit=500', 'sam').expect(200);
    const all = (whole.body.items as Array<{ tenderId: string }>).map((p) => p.tenderId);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(whole.body.nextCursor).toBeNull();
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await get(`/me/participations?limit=1${query}`, 'sam').expect(200);
      expect(page.body.items).toHaveLength(1);
      walked.push(page.body.items[0].tenderId);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(walked).toEqual(all);
    expect([...walked].sort()).toEqual(walked);
    const bad = await get('/me/participations?cursor=nope', 'sam').expect(400);
    expect(JSON.stringify(bad.body)).toContain('cursor');
    await get('/me/participations?limit=0', 'sam').expect(400);
    await get('/me/participations?limit=501', 'sam').expect(400);
    await get('/me/participations?status=OPEN', 'sam').expect(400);
  });

  it('documents every tenders route in a valid OpenAPI document', async () => {
    const document = (await app.http().get('/docs-json').expect(200)).body as {
      paths: Record<
        string,
        Record<string, { tags?: string[]; summary?: string; responses: object }>
      >;
    };
    await SwaggerParser.validate(structuredClone(document) as never);
    const expected: [string, string][] = [
      ['post', '/tenders'],
      ['get', '/tenders'],
      ['get', '/tenders/{id}'],
      ['get', '/tenders/{id}/history'],
      ['get', '/tenders/{id}/ocds'],
      ['post', '/tenders/{id}/publish'],
      ['post', '/tenders/{id}/amend'],
      ['post', '/tenders/{id}/cancel'],
      ['post', '/tenders/{id}/unsuccessful'],
      ['post', '/tenders/{id}/bids'],
      ['get', '/tenders/{id}/bids'],
      ['get', '/tenders/{id}/bids/{bidId}'],
      ['post', '/tenders/{id}/bids/{bidId}/withdraw'],
      ['post', '/tenders/{id}/bids/{bidId}/reject'],
      ['post', '/tenders/{id}/open-bids'],
      ['post', '/tenders/{id}/evaluators'],
      ['post', '/tenders/{id}/bids/{bidId}/conflict-declarations'],
      ['post', '/tenders/{id}/bids/{bidId}/scores'],
      ['get', '/tenders/{id}/ranking'],
      ['post', '/tenders/{id}/phases/{n}/award'],
      ['post', '/tenders/{id}/contracts/{contractId}/deliverables'],
      ['get', '/tenders/{id}/contracts/{contractId}/deliverables/{did}'],
      ['post', '/tenders/{id}/contracts/{contractId}/deliverables/{did}/accept'],
      ['post', '/tenders/{id}/phases/{n}/complete'],
      ['post', '/tenders/{id}/phases/{n}/down-select'],
      ['get', '/me/participations'],
    ];
    for (const [method, path] of expected) {
      const operation = document.paths[path]?.[method];
      expect({ method, path, documented: operation !== undefined }).toEqual({
        method,
        path,
        documented: true,
      });
      expect(operation.tags).toContain('tenders');
      expect(operation.summary).toEqual(expect.any(String));
      const statuses = Object.keys(operation.responses);
      expect({ path, success: statuses.some((s) => s.startsWith('2')) }).toEqual({
        path,
        success: true,
      });
      if (path !== '/tenders/{id}/ocds') expect(statuses).toContain('401');
    }
    await get('/docs-json', 'sam').expect(200);
  });
});
