import { createTestApp, type TestApp } from '@pcp/platform';
import { bidStream, tenderStream } from '../application/streams';
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

function found<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected to find it');
  return value;
}

const SECRET_PROPOSAL = 'Retina-scan sepsis predictor with federated learning, codename BLUEHERON';

// A PCP call from drafting to completion over HTTP, with every refusal on the way. Tenders
// learns of consultations only from the consultations context's events on the log.
describe('tenders over HTTP, from a routed consultation to a completed PCP', () => {
  const clock = new MovableClock();
  let app: TestApp;
  let tokens: Record<Person, string>;
  let consultationId: string;
  let tenderId: string;
  const bids: Record<string, string> = {};
  let phase1: Array<{ id: string; supplierOrg: string; bidId: string }>;
  let phase2: Array<{ id: string; supplierOrg: string }>;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        consultationsAsPublished,
        tendersContextWith({ clock, consistencyWaitMs: 800, deadlineCheckMs: 0 }),
      ],
    });
    tokens = await tokensFor(app);
    const routed = await publishRoutedConsultation(app, PEOPLE.ana.org, 'PCP', [
      PEOPLE.sam.org,
      PEOPLE.tom.org,
    ]);
    consultationId = routed.consultationId;
  });
  afterAll(() => app.close());

  const post = (path: string, who: Person = 'ana') =>
    app.http().post(path).auth(tokens[who], { type: 'bearer' });
  const get = (path: string, who: Person = 'ana') =>
    app.http().get(path).auth(tokens[who], { type: 'bearer' });
  const events = async () => (await app.store.readStream(tenderStream(tenderId))).length;

  describe('POST /tenders', () => {
    it('201 with a Location for a consultation routed to PCP', async () => {
      const res = await post('/tenders').send(pcpBody(clock, consultationId)).expect(201);
      tenderId = res.body.id;
      expect(res.headers['location']).toBe(`/tenders/${tenderId}`);
      expect(res.body).toMatchObject({
        status: 'DRAFT',
        procedure: 'PCP',
        consultationId,
        org: PEOPLE.ana.org,
        regions: ['ES11'],
        revision: 0,
      });
    });

    it('400 for unknown and missing fields', async () => {
      const res = await post('/tenders')
        .send({ ...pcpBody(clock, consultationId), colour: 'red', title: undefined })
        .expect(400);
      expect(JSON.stringify(res.body.details)).toMatch(/colour/);
      expect(JSON.stringify(res.body.details)).toMatch(/title/);
    });

    it('401 without a token, 403 for a supplier', async () => {
      await app.http().post('/tenders').send(pcpBody(clock, consultationId)).expect(401);
      await post('/tenders', 'sam').send(pcpBody(clock, consultationId)).expect(403);
    });

    it('403 for a procurer of another organisation than the consultation', async () => {
      await post('/tenders', 'bea').send(pcpBody(clock, consultationId)).expect(403);
    });

    it('422 for a PPI call on a consultation routed to PCP, and for an unrouted consultation', async () => {
      const ppi = await post('/tenders')
        .send({
          ...pcpBody(clock, consultationId),
          procedure: 'PPI',
          phases: undefined,
          ppiProcedure: 'OPEN',
        })
        .expect(422);
      expect(ppi.body.details.code).toBe('ROUTE_MISMATCH');
      const unrouted = await publishRoutedConsultation(app, PEOPLE.ana.org, null);
      const res = await post('/tenders').send(pcpBody(clock, unrouted.consultationId)).expect(422);
      expect(res.body.details.code).toBe('ROUTE_NOT_DECIDED');
      const unknown = await post('/tenders').send(pcpBody(clock, 'no-such')).expect(422);
      expect(unknown.body.details.code).toBe('UNKNOWN_CONSULTATION');
    });

    it('422 when the weights do not add up to 100 or the phases exceed the budget', async () => {
      await post('/tenders')
        .send(
          pcpBody(clock, consultationId, [3, 2], DAY_MS, { criteria: [{ name: 'q', weight: 70 }] }),
        )
        .expect(422);
      await post('/tenders')
        .send(pcpBody(clock, consultationId, [3, 2], DAY_MS, { budgetEur: 100_000 }))
        .expect(422);
    });
  });

  describe('reading a draft', () => {
    it('a draft is read by its organisation and auditors only; 404 for an unknown id; 400 for a bad asOf', async () => {
      const res = await get(`/tenders/${tenderId}`).expect(200);
      expect(res.body).toMatchObject({ id: tenderId, status: 'DRAFT' });
      await get(`/tenders/${tenderId}`, 'aud').expect(200);
      await get(`/tenders/${tenderId}`, 'sam').expect(404);
      await get(`/tenders/${tenderId}`, 'bea').expect(404);
      await get(`/tenders/${tenderId}/history`, 'sam').expect(404);
      await app.settle();
      expect((await get('/tenders', 'sam').expect(200)).body.items).toEqual([]);
      expect((await get('/tenders?status=DRAFT', 'bea').expect(200)).body.items).toEqual([]);
      const own = await get(`/tenders?org=${PEOPLE.ana.org}`).expect(200);
      expect(own.body.items.map((t: { id: string }) => t.id)).toEqual([tenderId]);
      await get('/tenders/no-such', 'sam').expect(404);
      await get(`/tenders/${tenderId}?asOf=yesterday`).expect(400);
      await get(`/tenders/${tenderId}?asOf=2000-01-01T00:00:00Z`).expect(404);
    });

    it('GET /tenders/{id}/ocds is 404 while the call is a draft, without a token', async () => {
      await app.http().get(`/tenders/${tenderId}/ocds`).expect(404);
    });
  });

  describe('publish and amend', () => {
    it('403 for another organisation, 409 on a stale If-Match, 200 for the owner', async () => {
      const before = await events();
      // Outside the organisation a draft does not exist yet; refusing to publish it says 403.
      await post(`/tenders/${tenderId}/publish`, 'bea').send({}).expect(403);
      const stale = await post(`/tenders/${tenderId}/publish`)
        .set('If-Match', '"7"')
        .send({})
        .expect(409);
      expect(stale.body.details.currentRevision).toBe('0');
      expect(await events()).toBe(before);
      const res = await post(`/tenders/${tenderId}/publish`)
        .set('If-Match', '"0"')
        .send({})
        .expect(200);
      expect(res.body).toMatchObject({ status: 'PUBLISHED', revision: 1 });
      await post(`/tenders/${tenderId}/publish`).send({}).expect(409);
      await post('/tenders/no-such/publish').send({}).expect(404);
    });

    it('amend: 400 without a reason, 422 when nothing changes, 200 with the new deadline', async () => {
      await post(`/tenders/${tenderId}/amend`).send({ title: 'x' }).expect(400);
      const same = await post(`/tenders/${tenderId}/amend`)
        .send({ reason: 'nothing', budgetEur: 3_000_000 })
        .expect(422);
      expect(same.body.details.code).toBe('NOTHING_CHANGED');
      const deadline = new Date(clock.now().getTime() + 12 * DAY_MS).toISOString();
      const res = await post(`/tenders/${tenderId}/amend`)
        .send({ reason: 'More time after clarification requests', submissionDeadline: deadline })
        .expect(200);
      expect(res.body.submissionDeadline).toBe(deadline);
    });

    it('GET /tenders lists it with filters and cursor pages; 400 for a bad filter', async () => {
      await app.settle();
      const res = await get(
        `/tenders?status=PUBLISHED&procedure=PCP&region=ES11&org=${PEOPLE.ana.org}`,
        'tom',
      ).expect(200);
      expect(res.body.items.map((t: { id: string }) => t.id)).toEqual([tenderId]);
      const none = await get('/tenders?procedure=PPI', 'tom').expect(200);
      expect(none.body.items).toEqual([]);
      await get('/tenders?status=OPEN', 'tom').expect(400);
      await get('/tenders?cursor=garbage', 'tom').expect(400);
      const page = await get('/tenders?limit=1', 'tom').expect(200);
      expect(page.body).toHaveProperty('nextCursor');
    });
  });

  describe('sealed bids', () => {
    it('201 for a bid; the innovation comes from the consultation', async () => {
      const res = await post(`/tenders/${tenderId}/bids`, 'sam')
        .send(bidBody(SECRET_PROPOSAL))
        .expect(201);
      bids['sam'] = res.body.id;
      expect(res.body.innovationId).toBeDefined();
      const tom = await post(`/tenders/${tenderId}/bids`, 'tom')
        .send(bidBody('Tom first version', 300_000))
        .expect(201);
      bids['tom'] = tom.body.id;
      const uli = await post(`/tenders/${tenderId}/bids`, 'uli')
        .send(bidBody('Uli genomics approach', 200_000))
        .expect(201);
      bids['uli'] = uli.body.id;
    });

    it('a second bid of the same organisation replaces the first (200, same id)', async () => {
      const res = await post(`/tenders/${tenderId}/bids`, 'tom')
        .send(bidBody('Tom second version', 280_000))
        .expect(200);
      expect(res.body).toMatchObject({ id: bids['tom'], replaced: true });
    });

    it('a material amendment asks the bidders to reconfirm: each sees its own flag, a replacement clears it', async () => {
      await app.settle();
      const fresh = await get(`/tenders/${tenderId}/bids`, 'sam').expect(200);
      expect(fresh.body.items[0].reconfirmationPending).toBe(false);
      await post(`/tenders/${tenderId}/amend`)
        .send({ reason: 'Budget raised after market feedback', budgetEur: 3_200_000 })
        .expect(200);
      await app.settle();
      for (const who of ['sam', 'tom', 'uli'] as Person[]) {
        const own = await get(`/tenders/${tenderId}/bids`, who).expect(200);
        expect(own.body.items).toEqual([
          expect.objectContaining({ supplierOrg: PEOPLE[who].org, reconfirmationPending: true }),
        ]);
      }
      // The procurer learns neither which bids are flagged nor whose they are.
      expect((await get(`/tenders/${tenderId}/bids`).expect(200)).body).toEqual({ count: 3 });
      await post(`/tenders/${tenderId}/bids`, 'tom')
        .send(bidBody('Tom second version', 280_000))
        .expect(200);
      await app.settle();
      const tom = await get(`/tenders/${tenderId}/bids`, 'tom').expect(200);
      expect(tom.body.items[0]).toMatchObject({ bidId: bids['tom'], reconfirmationPending: false });
      const sam = await get(`/tenders/${tenderId}/bids`, 'sam').expect(200);
      expect(sam.body.items).toHaveLength(1);
      expect(sam.body.items[0]).toMatchObject({ bidId: bids['sam'], reconfirmationPending: true });
      expect(JSON.stringify(sam.body)).not.toContain('Tom second version');
      expect(JSON.stringify(sam.body)).not.toContain(PEOPLE.tom.org);
    });

    it('400 for bad bids, 403 for a procurer, 404 for an unknown tender', async () => {
      await post(`/tenders/${tenderId}/bids`, 'sam').send({ priceEur: 'cheap' }).expect(400);
      await post(`/tenders/${tenderId}/bids`, 'ana').send(bidBody('x')).expect(403);
      await post('/tenders/no-such/bids', 'sam').send(bidBody('x')).expect(404);
    });

    it('withdraw: 403 for another supplier, 404 for an unknown bid', async () => {
      await post(`/tenders/${tenderId}/bids/${bids['uli']}/withdraw`, 'sam').send({}).expect(403);
      await post(`/tenders/${tenderId}/bids/no-such/withdraw`, 'uli').send({}).expect(404);
    });

    it('before opening: the procurer gets only the count, a supplier its own bid, others 403', async () => {
      await app.settle();
      const procurer = await get(`/tenders/${tenderId}/bids`).expect(200);
      expect(procurer.body).toEqual({ count: 3 });
      const own = await get(`/tenders/${tenderId}/bids`, 'sam').expect(200);
      expect(own.body.items).toHaveLength(1);
      expect(own.body.items[0]).toMatchObject({
        bidId: bids['sam'],
        technicalProposal: SECRET_PROPOSAL,
      });
      const tom = await get(`/tenders/${tenderId}/bids`, 'tom').expect(200);
      expect(tom.body.items[0].technicalProposal).toBe('Tom second version');
      await get(`/tenders/${tenderId}/bids`, 'eva').expect(403);
      await get(`/tenders/${tenderId}/bids`, 'bea').expect(403);
      // A platform admin operates the platform; a tender's bids are not theirs to count.
      await get(`/tenders/${tenderId}/bids`, 'adm').expect(403);
    });

    it('GET /tenders/{id}/bids/{bidId} (the Location of a bid): its bidder only, before opening', async () => {
      const own = await get(`/tenders/${tenderId}/bids/${bids['sam']}`, 'sam').expect(200);
      expect(own.body).toMatchObject({
        bidId: bids['sam'],
        tenderId,
        technicalProposal: SECRET_PROPOSAL,
        status: 'SEALED',
      });
      // Another bidder's bid does not exist for tom; the procurer, evaluators and admins: sealed.
      const other = await get(`/tenders/${tenderId}/bids/${bids['sam']}`, 'tom').expect(404);
      const refused = await Promise.all(
        (['ana', 'eva', 'aud', 'adm'] as const).map((who) =>
          get(`/tenders/${tenderId}/bids/${bids['sam']}`, who).expect(403),
        ),
      );
      for (const res of [other, ...refused]) {
        expect(JSON.stringify(res.body)).not.toContain(SECRET_PROPOSAL);
        expect(JSON.stringify(res.body)).not.toContain(PEOPLE.sam.org);
      }
      await get(`/tenders/${tenderId}/bids/no-such`, 'sam').expect(404);
    });

    it('nothing of a sealed bid reaches the history, the tender or the OCDS export of anyone else', async () => {
      await app.settle();
      for (const who of ['ana', 'bea', 'tom', 'eva', 'aud'] as Person[]) {
        const responses = [
          await get(`/tenders/${tenderId}/history`, who).expect(200),
          await get(`/tenders/${tenderId}`, who).expect(200),
          await get('/tenders', who).expect(200),
        ];
        for (const res of responses) {
          const text = JSON.stringify(res.body);
          expect(text).not.toContain('BLUEHERON');
          expect(text).not.toContain(PEOPLE.sam.org);
          expect(text).not.toContain(bids['sam']);
        }
      }
      const ocds = await app.http().get(`/tenders/${tenderId}/ocds`).expect(200);
      expect(JSON.stringify(ocds.body)).not.toContain(PEOPLE.sam.org);
      const history = await get(`/tenders/${tenderId}/history`, 'ana').expect(200);
      const sealed = history.body.items.filter((i: { type: string }) => i.type === 'BidSubmitted');
      expect(sealed).toHaveLength(3);
      for (const item of sealed) {
        expect(item.actor).toEqual({ userId: 'system:sealed-bid', org: null, roles: ['system'] });
      }
      const own = await get(`/tenders/${tenderId}/history`, 'sam').expect(200);
      expect(JSON.stringify(own.body)).toContain(bids['sam']);
    });

    it('there is no ranking before opening (409 for the procurer, 403 for others)', async () => {
      const res = await get(`/tenders/${tenderId}/ranking`).expect(409);
      expect(res.body.details.code).toBe('BIDS_NOT_OPENED');
      await get(`/tenders/${tenderId}/ranking`, 'sam').expect(403);
      await get(`/tenders/${tenderId}/ranking`, 'adm').expect(403);
    });

    it('open-bids before the deadline is 409 and changes nothing', async () => {
      const before = await events();
      const res = await post(`/tenders/${tenderId}/open-bids`).send({}).expect(409);
      expect(res.body.details.code).toBe('BIDDING_NOT_CLOSED');
      expect(await events()).toBe(before);
    });

    it('a uli withdrawal before the deadline is 200', async () => {
      const res = await post(`/tenders/${tenderId}/bids/${bids['uli']}/withdraw`, 'uli')
        .send({ reason: 'capacity' })
        .expect(200);
      expect(res.body.status).toBe('WITHDRAWN');
      const procurer = await get(`/tenders/${tenderId}/bids`).expect(200);
      expect(procurer.body).toEqual({ count: 2 });
    });

    it('a late bid is refused (409) and the refusal is recorded without bidder or content', async () => {
      clock.advance(13 * DAY_MS);
      const before = await events();
      const res = await post(`/tenders/${tenderId}/bids`, 'uli')
        .send(bidBody('Too late'))
        .expect(409);
      expect(res.body.details.code).toBe('BID_DEADLINE_PASSED');
      const stream = await app.store.readStream(tenderStream(tenderId));
      expect(stream).toHaveLength(before + 1);
      const refusal = stream[stream.length - 1];
      expect(refusal.type).toBe('LateBidRefused');
      expect(JSON.stringify({ ...refusal, revision: 0, globalPosition: 0 })).not.toContain(
        PEOPLE.uli.org,
      );
      await post(`/tenders/${tenderId}/amend`).send({ reason: 'late', title: 'Other' }).expect(409);
    });

    it('a late replacement and a late withdrawal are refused and recorded too; the bids stay as they were', async () => {
      const bidEvents = async (who: string) =>
        (await app.store.readStream(bidStream(bids[who]))).length;
      const [samBefore, tomBefore, before] = [
        await bidEvents('sam'),
        await bidEvents('tom'),
        await events(),
      ];
      const replaced = await post(`/tenders/${tenderId}/bids`, 'sam')
        .send(bidBody('Replaced too late', 1))
        .expect(409);
      expect(replaced.body.details.code).toBe('BID_DEADLINE_PASSED');
      const withdrawn = await post(`/tenders/${tenderId}/bids/${bids['tom']}/withdraw`, 'tom')
        .send({ reason: 'too late' })
        .expect(409);
      expect(withdrawn.body.details.code).toBe('BID_DEADLINE_PASSED');
      const stream = await app.store.readStream(tenderStream(tenderId));
      expect(
        stream.slice(before).map((e) => [e.type, (e.data as { attempt: string }).attempt]),
      ).toEqual([
        ['LateBidRefused', 'REPLACE'],
        ['LateBidRefused', 'WITHDRAW'],
      ]);
      const recorded = JSON.stringify(
        stream.slice(before).map((e) => ({ ...e, revision: 0, globalPosition: 0 })),
      );
      for (const secret of [
        PEOPLE.sam.org,
        PEOPLE.tom.org,
        bids['sam'],
        bids['tom'],
        'Replaced too late',
      ])
        expect(recorded).not.toContain(secret);
      expect([await bidEvents('sam'), await bidEvents('tom')]).toEqual([samBefore, tomBefore]);
    });
  });

  describe('opening and evaluation', () => {
    it('open-bids: 403 for another organisation; 200 closes bidding (system actor) and opens', async () => {
      await post(`/tenders/${tenderId}/open-bids`, 'bea').send({}).expect(403);
      const res = await post(`/tenders/${tenderId}/open-bids`).send({}).expect(200);
      expect(res.body).toMatchObject({ status: 'BIDS_OPENED', bidCount: 2 });
      const stream = await app.store.readStream(tenderStream(tenderId));
      const closed = stream.find((e) => e.type === 'BiddingClosed');
      expect(closed?.actor.userId).toBe('system:tender-deadline');
      const all = await get(`/tenders/${tenderId}/bids`).expect(200);
      expect(all.body.items.map((b: { supplierOrg: string }) => b.supplierOrg).sort()).toEqual(
        [PEOPLE.sam.org, PEOPLE.tom.org].sort(),
      );
      // After opening the procurer sees which bids were never reconfirmed after the amendment.
      const pending = (org: string) =>
        all.body.items.find((b: { supplierOrg: string }) => b.supplierOrg === org)
          ?.reconfirmationPending;
      expect(pending(PEOPLE.sam.org)).toBe(true);
      expect(pending(PEOPLE.tom.org)).toBe(false);
      await post(`/tenders/${tenderId}/open-bids`).send({}).expect(409);
    });

    it('after opening, one bid is read by the procurer and auditors, not by another bidder or an admin', async () => {
      for (const who of ['ana', 'aud'] as const) {
        const res = await get(`/tenders/${tenderId}/bids/${bids['sam']}`, who).expect(200);
        expect(res.body).toMatchObject({ bidId: bids['sam'], status: 'OPENED' });
      }
      await get(`/tenders/${tenderId}/bids/${bids['sam']}`, 'tom').expect(404);
      await get(`/tenders/${tenderId}/bids/${bids['uli']}`).expect(404); // withdrawn, never opened
      for (const who of ['adm', 'bea'] as const) {
        const res = await get(`/tenders/${tenderId}/bids/${bids['sam']}`, who).expect(403);
        expect(JSON.stringify(res.body)).not.toContain(SECRET_PROPOSAL);
        await get(`/tenders/${tenderId}/bids`, who).expect(403);
      }
    });

    it('scores before assignment are 403; evaluators: 400 empty, 200 assigned', async () => {
      await post(`/tenders/${tenderId}/bids/${bids['sam']}/conflict-declarations`, 'eva')
        .send({ conflict: false })
        .expect(403);
      await post(`/tenders/${tenderId}/evaluators`).send({ evaluatorIds: [] }).expect(400);
      await post(`/tenders/${tenderId}/evaluators`, 'sam')
        .send({ evaluatorIds: ['u-eva'] })
        .expect(403);
      const res = await post(`/tenders/${tenderId}/evaluators`)
        .send({ evaluatorIds: [PEOPLE.eva.sub, PEOPLE.eli.sub] })
        .expect(200);
      expect(res.body.status).toBe('EVALUATING');
    });

    it('scoring without a declaration is 422; with a declared conflict 422; unknown bid 404', async () => {
      const scores = {
        scores: [
          { criterion: 'quality', score: 80 },
          { criterion: 'price', score: 60 },
        ],
      };
      const none = await post(`/tenders/${tenderId}/bids/${bids['sam']}/scores`, 'eva')
        .send(scores)
        .expect(422);
      expect(none.body.details.code).toBe('DECLARATION_REQUIRED');
      await post(`/tenders/${tenderId}/bids/${bids['tom']}/conflict-declarations`, 'eli')
        .send({ conflict: true, note: 'former employer' })
        .expect(200);
      const conflicted = await post(`/tenders/${tenderId}/bids/${bids['tom']}/scores`, 'eli')
        .send(scores)
        .expect(422);
      expect(conflicted.body.details.code).toBe('CONFLICT_DECLARED');
      await post(`/tenders/${tenderId}/bids/no-such/conflict-declarations`, 'eva')
        .send({ conflict: false })
        .expect(404);
      await post(`/tenders/${tenderId}/bids/${bids['sam']}/scores`, 'eva')
        .send({ scores: [{ criterion: 'quality', score: 101 }] })
        .expect(400);
    });

    it('an evaluator sees neither the ranking nor others’ scores until all have scored', async () => {
      const s = (q: number, p: number) => ({
        scores: [
          { criterion: 'quality', score: q },
          { criterion: 'price', score: p },
        ],
      });
      await post(`/tenders/${tenderId}/bids/${bids['sam']}/conflict-declarations`, 'eva')
        .send({ conflict: false })
        .expect(200);
      await post(`/tenders/${tenderId}/bids/${bids['sam']}/scores`, 'eva')
        .send(s(90, 70))
        .expect(200);
      await get(`/tenders/${tenderId}/ranking`, 'eli').expect(403);
      const history = await get(`/tenders/${tenderId}/history`, 'eli').expect(200);
      const scored = history.body.items.find((i: { type: string }) => i.type === 'BidScored');
      expect(scored.data).toEqual({ tenderId, withheld: true });
      const partial = await get(`/tenders/${tenderId}/ranking`).expect(200);
      expect(partial.body.complete).toBe(false);
      await post(`/tenders/${tenderId}/awards`).send({}).expect(404);
      const early = await post(`/tenders/${tenderId}/phases/1/award`)
        .send({ bidIds: [bids['sam']], reason: 'best' })
        .expect(409);
      expect(early.body.details.code).toBe('EVALUATION_INCOMPLETE');
      await post(`/tenders/${tenderId}/bids/${bids['sam']}/conflict-declarations`, 'eli')
        .send({ conflict: false })
        .expect(200);
      await post(`/tenders/${tenderId}/bids/${bids['sam']}/scores`, 'eli')
        .send(s(80, 70))
        .expect(200);
      await post(`/tenders/${tenderId}/bids/${bids['tom']}/conflict-declarations`, 'eva')
        .send({ conflict: false })
        .expect(200);
      const last = await post(`/tenders/${tenderId}/bids/${bids['tom']}/scores`, 'eva')
        .send(s(60, 90))
        .expect(200);
      expect(last.body.evaluationComplete).toBe(true);
      const ranking = await get(`/tenders/${tenderId}/ranking`, 'eli').expect(200);
      expect(ranking.body.items.map((r: { bidId: string }) => r.bidId)).toEqual([
        bids['sam'],
        bids['tom'],
      ]);
      await get(`/tenders/${tenderId}/ranking`, 'sam').expect(403);
    });
  });

  describe('award, deliverables, phases', () => {
    it('passing over the higher-ranked bid needs a justification (422); 400 for phase "x"', async () => {
      const res = await post(`/tenders/${tenderId}/phases/1/award`)
        .send({ bidIds: [bids['tom']], reason: 'cheaper' })
        .expect(422);
      expect(res.body.details.code).toBe('JUSTIFICATION_REQUIRED');
      await post(`/tenders/${tenderId}/phases/x/award`)
        .send({ bidIds: [bids['tom']], reason: 'r' })
        .expect(400);
      await post(`/tenders/${tenderId}/phases/1/award`)
        .send({ bidIds: [bids['tom']] })
        .expect(400);
    });

    it('awards phase 1 to both bids and returns the contracts', async () => {
      const res = await post(`/tenders/${tenderId}/phases/1/award`)
        .send({ bidIds: [bids['sam'], bids['tom']], reason: 'Both above the quality threshold' })
        .expect(200);
      phase1 = res.body.contracts;
      expect(phase1).toHaveLength(2);
      expect(res.body.status).toBe('AWARDED');
      await post(`/tenders/${tenderId}/phases/1/award`)
        .send({ bidIds: [bids['sam']], reason: 'again' })
        .expect(409);
    });

    it('deliverables: 201 for the holder, 403 for another supplier, 404 for an unknown contract; accept', async () => {
      const sam = found(phase1.find((c) => c.supplierOrg === PEOPLE.sam.org));
      const tom = found(phase1.find((c) => c.supplierOrg === PEOPLE.tom.org));
      await post(`/tenders/${tenderId}/contracts/${sam.id}/deliverables`, 'tom')
        .send({ title: 'D1', description: 'Design' })
        .expect(403);
      await post(`/tenders/${tenderId}/contracts/no-such/deliverables`, 'sam')
        .send({ title: 'D1', description: 'Design' })
        .expect(404);
      const d = await post(`/tenders/${tenderId}/contracts/${sam.id}/deliverables`, 'sam')
        .send({ title: 'D1', description: 'Design' })
        .expect(201);
      await post(`/tenders/${tenderId}/contracts/${sam.id}/deliverables/${d.body.id}/accept`, 'bea')
        .send({})
        .expect(403);
      await post(`/tenders/${tenderId}/contracts/${sam.id}/deliverables/no-such/accept`)
        .send({})
        .expect(404);
      await post(`/tenders/${tenderId}/contracts/${sam.id}/deliverables/${d.body.id}/accept`)
        .send({})
        .expect(200);
      const t = await post(`/tenders/${tenderId}/contracts/${tom.id}/deliverables`, 'tom')
        .send({ title: 'D1', description: 'Design' })
        .expect(201);
      await post(`/tenders/${tenderId}/contracts/${tom.id}/deliverables/${t.body.id}/accept`)
        .send({})
        .expect(200);
    });

    it('GET a deliverable at its Location: the holder, the procurer and auditors; 403 or 404 otherwise', async () => {
      const sam = found(phase1.find((c) => c.supplierOrg === PEOPLE.sam.org));
      const created = await post(`/tenders/${tenderId}/contracts/${sam.id}/deliverables`, 'sam')
        .send({ title: 'D2', description: 'Prototype' })
        .expect(201);
      const location = created.headers['location'] as string;
      expect(location).toBe(
        `/tenders/${tenderId}/contracts/${sam.id}/deliverables/${created.body.id}`,
      );
      for (const who of ['sam', 'ana', 'aud'] as const) {
        const res = await get(location, who).expect(200);
        expect(res.body).toEqual({
          id: created.body.id,
          tenderId,
          contractId: sam.id,
          title: 'D2',
          accepted: false,
          revision: expect.any(Number),
        });
      }
      for (const who of ['tom', 'bea', 'adm'] as const) await get(location, who).expect(403);
      await get(`/tenders/${tenderId}/contracts/${sam.id}/deliverables/no-such`, 'sam').expect(404);
      await get(`/tenders/${tenderId}/contracts/no-such/deliverables/${created.body.id}`).expect(
        404,
      );
    });

    it('complete phase 1 (tom fails), down-select: a failed supplier is 422, then sam alone with a justification', async () => {
      const sam = found(phase1.find((c) => c.supplierOrg === PEOPLE.sam.org));
      const tom = found(phase1.find((c) => c.supplierOrg === PEOPLE.tom.org));
      await post(`/tenders/${tenderId}/phases/2/complete`).send({ results: [] }).expect(400);
      const done = await post(`/tenders/${tenderId}/phases/1/complete`)
        .send({
          results: [
            { contractId: sam.id, passed: true, assessedTrl: 5, reason: 'Design validated' },
            { contractId: tom.id, passed: false, assessedTrl: 4, reason: 'Design incomplete' },
          ],
        })
        .expect(200);
      expect(done.body.status).toBe('PHASE_REVIEW');
      const failed = await post(`/tenders/${tenderId}/phases/2/down-select`)
        .send({ contractIds: [tom.id], reason: 'r', justification: 'only one' })
        .expect(422);
      expect(failed.body.details.code).toBe('CONTRACT_NOT_PASSED');
      const unjustified = await post(`/tenders/${tenderId}/phases/2/down-select`)
        .send({ contractIds: [sam.id], reason: 'best' })
        .expect(422);
      expect(unjustified.body.details.code).toBe('JUSTIFICATION_REQUIRED');
      const res = await post(`/tenders/${tenderId}/phases/2/down-select`)
        .send({
          contractIds: [sam.id],
          reason: 'Only passing supplier',
          justification: 'No competition left',
        })
        .expect(200);
      phase2 = res.body.contracts;
      expect(phase2).toHaveLength(1);
      expect(res.body.status).toBe('IN_PHASE');
    });

    it('GET /me/participations shows the supplier its contracts and bids; 403 for a procurer', async () => {
      await app.settle();
      await get('/me/participations', 'ana').expect(403);
      const res = await get('/me/participations', 'sam').expect(200);
      expect(res.body.items).toHaveLength(1);
      expect(res.body.items[0]).toMatchObject({ tenderId, phase: 2, status: 'IN_PHASE' });
      expect(res.body.items[0].contracts.map((c: { phase: number }) => c.phase)).toEqual([1, 2]);
      expect(res.body.items[0].deliverablesDue).toEqual([{ contractId: phase2[0].id, phase: 2 }]);
      expect(res.body.items[0].nextDeadline).toMatchObject({
        kind: 'PHASE_END',
        phase: 2,
        durationMonths: 6,
        at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
    });

    it('completes the last phase and the tender; the OCDS export names the awarded suppliers', async () => {
      const c = phase2[0];
      const d = await post(`/tenders/${tenderId}/contracts/${c.id}/deliverables`, 'sam')
        .send({ title: 'Prototype', description: 'Field test' })
        .expect(201);
      await post(`/tenders/${tenderId}/contracts/${c.id}/deliverables/${d.body.id}/accept`)
        .send({})
        .expect(200);
      const res = await post(`/tenders/${tenderId}/phases/2/complete`)
        .send({
          results: [
            { contractId: c.id, passed: true, assessedTrl: 7, reason: 'Works in the field' },
          ],
        })
        .expect(200);
      expect(res.body.status).toBe('COMPLETED');
      const ocds = await app.http().get(`/tenders/${tenderId}/ocds`).expect(200);
      expect(ocds.body.releases.length).toBeGreaterThan(3);
      expect(JSON.stringify(ocds.body)).toContain(PEOPLE.sam.org);
      await post(`/tenders/${tenderId}/cancel`).send({ reason: 'late' }).expect(409);
      await post(`/tenders/${tenderId}/cancel`).send({}).expect(400);
    });

    it("the history after opening tells no one more of other organisations' bids than /bids and /ranking do", async () => {
      type Item = { type: string; reason: string | null; data: Record<string, unknown> };
      const history = async (who: Person) =>
        (await get(`/tenders/${tenderId}/history`, who).expect(200)).body.items as Item[];
      const one = (items: Item[], type: string) => found(items.find((e) => e.type === type));
      const openedOrgs = (items: Item[]) =>
        (one(items, 'BidsOpened').data.bids as Array<{ supplierOrg: string }>)
          .map((b) => b.supplierOrg)
          .sort();
      const rankedBids = (items: Item[]) =>
        (one(items, 'EvaluationCompleted').data.ranking as Array<{ bidId: string }>).map(
          (r) => r.bidId,
        );
      const deliverableOrgs = (items: Item[]) =>
        items
          .filter((e) => e.type === 'DeliverableSubmitted')
          .map((e) => e.data['supplierOrg'] ?? 'withheld');

      const owner = await history('ana');
      expect(one(owner, 'BiddingClosed').data['count']).toBe(2);
      expect(openedOrgs(owner)).toEqual([PEOPLE.sam.org, PEOPLE.tom.org].sort());
      expect(rankedBids(owner).sort()).toEqual([bids['sam'], bids['tom']].sort());
      expect(deliverableOrgs(owner)).not.toContain('withheld');

      const tom = await history('tom');
      expect(openedOrgs(tom)).toEqual([PEOPLE.tom.org]);
      expect(rankedBids(tom)).toEqual([bids['tom']]);
      expect(deliverableOrgs(tom)).not.toContain(PEOPLE.sam.org);
      expect(deliverableOrgs(tom)).toContain(PEOPLE.tom.org);
      const tomsView = JSON.stringify(tom);
      expect(tomsView).not.toContain('Works in the field'); // the assessment of sam's contract
      expect(tomsView).not.toContain('Field test');

      for (const who of ['tom', 'bea', 'adm', 'uli'] as const) {
        // How many bids arrived is the authority's to know, as in the tender view.
        expect(one(await history(who), 'BiddingClosed').data).not.toHaveProperty('count');
      }
      for (const who of ['bea', 'adm', 'uli'] as const) {
        const items = await history(who);
        expect(openedOrgs(items)).toEqual([]);
        expect(rankedBids(items)).toEqual([]);
        expect(deliverableOrgs(items).every((org) => org === 'withheld')).toBe(true);
        for (const trl of items.filter((e) => e.type === 'TrlAssessedInPhase')) {
          expect(trl).toMatchObject({ reason: null, data: { tenderId, withheld: true } });
        }
        // Awards stay public, as in the OCDS export.
        expect(JSON.stringify(one(items, 'PhaseContractsAwarded'))).toContain(PEOPLE.sam.org);
      }
      // The assigned evaluator reads the opened bids and the ranking, not the deliverables.
      const eva = await history('eva');
      expect(openedOrgs(eva)).toEqual([PEOPLE.sam.org, PEOPLE.tom.org].sort());
      expect(deliverableOrgs(eva).every((org) => org === 'withheld')).toBe(true);
    });

    it('GET ?asOf shows the tender as it was while published', async () => {
      const stream = await app.store.readStream(tenderStream(tenderId));
      const published = found(stream.find((e) => e.type === 'TenderPublished'));
      const res = await get(
        `/tenders/${tenderId}?asOf=${encodeURIComponent(published.occurredAt)}`,
      ).expect(200);
      expect(res.body.status).toBe('PUBLISHED');
    });
  });
});
