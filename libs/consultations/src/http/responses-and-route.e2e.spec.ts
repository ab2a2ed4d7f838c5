import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '@pcp/platform';
import { consultationStream } from '../application/streams';
import { consultationsContextWith } from '../consultations.context';
import {
  DAY_MS,
  MovableClock,
  consultationBody,
  PEOPLE,
  fieldsOf,
  tokensFor,
  type Person,
} from './consultations.e2e-fixtures';
import { needsAsPublished, publishValidatedNeed } from './needs-publisher.e2e-fixtures';

describe('consultation responses, clarifications, closing and the route decision over HTTP', () => {
  const clock = new MovableClock();
  let app: TestApp;
  let tokens: Record<Person, string>;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [needsAsPublished, consultationsContextWith({ clock, consistencyWaitMs: 3000 })],
    });
    tokens = await tokensFor(app);
  });
  afterAll(() => app.close());
  afterEach(() => clock.reset());

  const post = (path: string, who: Person = 'ana') =>
    app.http().post(path).auth(tokens[who], { type: 'bearer' });
  const get = (path: string, who: Person = 'ana') =>
    app.http().get(path).auth(tokens[who], { type: 'bearer' });
  const opened = async (changes: Record<string, unknown> = {}) => {
    const needId = await publishValidatedNeed(app, { userId: PEOPLE.ana.sub, org: PEOPLE.ana.org });
    return (
      await post('/consultations')
        .send(consultationBody(clock, { needId }, changes))
        .expect(201)
    ).body.id as string;
  };
  const published = async (changes: Record<string, unknown> = {}) => {
    const id = await opened(changes);
    await post(`/consultations/${id}/publish`).send({}).expect(200);
    return id;
  };
  const respond = (id: string, who: Person, declaredTrl = 6, solutionName = 'SepsisWatch') =>
    post(`/consultations/${id}/responses`, who).send({
      solutionName,
      summary: 'Continuous sepsis risk score from vital signs and lab values.',
      declaredTrl,
    });
  const ask = (id: string, who: Person, text = 'Is integration with the regional EHR mandatory?') =>
    post(`/consultations/${id}/questions`, who).send({ text });
  const closed = async (trls: Record<string, number>, stateOfTheArtTrl = 4) => {
    const id = await published({ stateOfTheArtTrl });
    for (const [who, trl] of Object.entries(trls))
      await respond(id, who as Person, trl).expect(201);
    await post(`/consultations/${id}/close`).send({ report: 'Responses reviewed.' }).expect(200);
    return id;
  };

  describe('POST /consultations/{id}/responses', () => {
    it('201: the innovation id is born; SME and country come from the token', async () => {
      const id = await published();
      const res = await respond(id, 'sam').expect(201);
      expect(res.headers['location']).toBe(`/consultations/${id}/responses/${res.body.id}`);
      expect(res.body).toMatchObject({
        consultationId: id,
        id: expect.any(String),
        innovationId: expect.any(String),
        supplierOrg: 'org-medtech-sme',
        solutionName: 'SepsisWatch',
        declaredTrl: 6,
        supplierSme: true,
        supplierCountry: 'ES',
        status: 'LIVE',
        revision: 2,
      });
      const noClaims = await respond(id, 'uli', 3).expect(201);
      expect(noClaims.body).toMatchObject({ supplierSme: null, supplierCountry: 'DE' });
    });

    it('a new response replaces the live one and keeps the innovation id; published as a submission', async () => {
      const id = await published();
      const first = (await respond(id, 'sam', 5).expect(201)).body;
      const second = (await respond(id, 'sam', 6, 'SepsisWatch 2').expect(201)).body;
      expect(second).toMatchObject({
        innovationId: first.innovationId,
        replacesResponseId: first.id,
        declaredTrl: 6,
      });
      expect(second.id).not.toBe(first.id);
      const all = await get(`/consultations/${id}/responses`).expect(200);
      expect(all.body.items.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
        [first.id, 'REPLACED'],
        [second.id, 'LIVE'],
      ]);
      expect(all.body.nextCursor).toBeNull();
      expect((await get(`/consultations/${id}`).expect(200)).body.responseCount).toBe(1);
      const types = (await app.store.readStream(consultationStream(id))).map((e) => e.type);
      expect(types.slice(-2)).toEqual([
        'ConsultationResponseSubmitted',
        'ConsultationResponseReplaced',
      ]);
    });

    it("a supplier answering another consultation on the same need keeps that need's innovation", async () => {
      const needId = await publishValidatedNeed(app, {
        userId: PEOPLE.ana.sub,
        org: PEOPLE.ana.org,
      });
      const consultationOn = async () => {
        const id = (
          await post('/consultations').send(consultationBody(clock, { needId })).expect(201)
        ).body.id as string;
        await post(`/consultations/${id}/publish`).send({}).expect(200);
        return id;
      };
      const first = await consultationOn();
      const sams = (await respond(first, 'sam').expect(201)).body;
      await app.settle();
      const second = await consultationOn();
      const samsAgain = (await respond(second, 'sam', 7).expect(201)).body;
      const ulis = (await respond(second, 'uli').expect(201)).body;
      expect(samsAgain.innovationId).toBe(sams.innovationId);
      expect(ulis.innovationId).not.toBe(sams.innovationId);
      // another need is another innovation, even for the same supplier
      const elsewhere = (await respond(await published(), 'sam').expect(201)).body;
      expect(elsewhere.innovationId).not.toBe(sams.innovationId);
    });

    it('each supplier reads its own response; the organisers read all', async () => {
      const id = await published();
      const sams = (await respond(id, 'sam').expect(201)).body;
      const toms = (await respond(id, 'tom', 8).expect(201)).body;
      const asSam = await get(`/consultations/${id}`, 'sam').expect(200);
      expect(asSam.body.responses.map((r: { id: string }) => r.id)).toEqual([sams.id]);
      expect(asSam.body.responseCount).toBe(2);
      expect(
        (await get(`/consultations/${id}/responses`, 'tom').expect(200)).body.items,
      ).toHaveLength(1);
      expect((await get(`/consultations/${id}/responses`).expect(200)).body.items).toHaveLength(2);
      await get(`/consultations/${id}/responses/${toms.id}`, 'tom').expect(200);
      await get(`/consultations/${id}/responses/${toms.id}`, 'sam').expect(403);
      await get(`/consultations/${id}/responses/${randomUUID()}`).expect(404);
      // Auditors read them all; a platform admin reads what any other organisation reads.
      expect(
        (await get(`/consultations/${id}/responses`, 'aud').expect(200)).body.items,
      ).toHaveLength(2);
      const asAdmin = await get(`/consultations/${id}`, 'adm').expect(200);
      expect(asAdmin.body.responses).toEqual([]);
      expect((await get(`/consultations/${id}/responses`, 'adm').expect(200)).body.items).toEqual(
        [],
      );
      await get(`/consultations/${id}/responses/${toms.id}`, 'adm').expect(403);
    });

    it('reading responses: 404 for an unknown consultation, 401 without a token', async () => {
      const unknown = randomUUID();
      const res = await get(`/consultations/${unknown}/responses`).expect(404);
      expect(res.body.items).toBeUndefined();
      await get(`/consultations/${unknown}/responses`, 'sam').expect(404);
      await app
        .http()
        .get(`/consultations/${await published()}/responses`)
        .expect(401);
    });

    it('400 for a TRL outside 1-9, a missing summary or unknown fields; 401', async () => {
      const id = await published();
      const res = await post(`/consultations/${id}/responses`, 'sam')
        .send({ solutionName: 'X', declaredTrl: 10, price: 5 })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['declaredTrl', 'price', 'summary']);
      await app.http().post(`/consultations/${id}/responses`).send({}).expect(401);
    });

    it('403 for a procurer; 404 for an unknown consultation', async () => {
      const id = await published();
      await respond(id, 'ana').expect(403);
      await respond(randomUUID(), 'sam').expect(404);
    });

    it('409 before publication, after closesAt by the server clock, and once closed', async () => {
      const draft = await opened();
      expect((await respond(draft, 'sam').expect(409)).body.message).toMatch(
        /once the prior information notice is published/,
      );
      const id = await published();
      clock.advance(81 * DAY_MS);
      expect((await respond(id, 'sam').expect(409)).body.message).toMatch(/Responses closed at/);
      clock.reset();
      await post(`/consultations/${id}/close`).send({ report: 'Closed early.' }).expect(200);
      await respond(id, 'sam').expect(409);
    });

    it('422 for a supplier of the organising organisation', async () => {
      const id = await published();
      const res = await respond(id, 'sol').expect(422);
      expect(res.body.message).toMatch(/runs this consultation/);
    });

    it('replays a repeated response with the same Idempotency-Key: one response, one innovation', async () => {
      const id = await published();
      const body = { solutionName: 'SepsisWatch', summary: 'Risk score.', declaredTrl: 6 };
      const first = await post(`/consultations/${id}/responses`, 'sam')
        .set('Idempotency-Key', `resp-${id}`)
        .send(body)
        .expect(201);
      const again = await post(`/consultations/${id}/responses`, 'sam')
        .set('Idempotency-Key', `resp-${id}`)
        .send(body)
        .expect(201);
      expect(again.body).toEqual(first.body);
      expect((await get(`/consultations/${id}/responses`).expect(200)).body.items).toHaveLength(1);
    });
  });

  describe('POST /consultations/{id}/questions and GET .../questions', () => {
    it('201 with the question id; the organisers read every question', async () => {
      const id = await published();
      const res = await ask(id, 'sam').expect(201);
      expect(res.headers['location']).toBe(`/consultations/${id}/questions/${res.body.id}`);
      expect(res.body).toMatchObject({
        consultationId: id,
        question: 'Is integration with the regional EHR mandatory?',
        askedByOrg: 'org-medtech-sme',
        answer: null,
        revision: 2,
      });
      const all = await get(`/consultations/${id}/questions`).expect(200);
      expect(all.body.items).toMatchObject([{ id: res.body.id, askedByOrg: 'org-medtech-sme' }]);
    });

    it('answers go to every respondent, without naming the asker; pending questions stay private', async () => {
      const id = await published();
      await respond(id, 'sam').expect(201);
      await respond(id, 'tom').expect(201);
      const q1 = (await ask(id, 'sam').expect(201)).body.id;
      const q2 = (await ask(id, 'sam', 'Can the pilot start in 2026?').expect(201)).body.id;
      await post(`/consultations/${id}/questions/${q1}/answer`)
        .send({ text: 'Yes, through the HL7 FHIR gateway.' })
        .expect(200);

      const asTom = await get(`/consultations/${id}/questions`, 'tom').expect(200);
      expect(asTom.body).toEqual({
        items: [
          expect.objectContaining({
            id: q1,
            askedByOrg: null,
            answer: 'Yes, through the HL7 FHIR gateway.',
          }),
        ],
        nextCursor: null,
      });
      const asSam = await get(`/consultations/${id}/questions`, 'sam').expect(200);
      expect(asSam.body.items.map((q: { id: string }) => q.id)).toEqual([q1, q2]);
      await get(`/consultations/${id}/questions/${q1}`, 'tom').expect(200);
      await get(`/consultations/${id}/questions/${q2}`, 'tom').expect(403);
    });

    it('403 for suppliers that did not respond and for other organisations; 401; 404', async () => {
      const id = await published();
      await respond(id, 'sam').expect(201);
      const res = await get(`/consultations/${id}/questions`, 'uli').expect(403);
      expect(res.body.message).toMatch(/suppliers that responded/);
      await get(`/consultations/${id}/questions`, 'bea').expect(403);
      await get(`/consultations/${id}/questions`, 'aud').expect(403);
      await app.http().get(`/consultations/${id}/questions`).expect(401);
      await get(`/consultations/${randomUUID()}/questions`).expect(404);
      await get(`/consultations/${id}/questions/${randomUUID()}`).expect(404);
    });

    it('asking: 400 without text; 401; 403 for a procurer; 404; 409 before publication; 422 own organisation', async () => {
      const id = await published();
      expect(
        fieldsOf((await post(`/consultations/${id}/questions`, 'sam').send({}).expect(400)).body),
      ).toEqual(['text']);
      await app.http().post(`/consultations/${id}/questions`).send({ text: 'x' }).expect(401);
      await ask(id, 'ana').expect(403);
      await ask(randomUUID(), 'sam').expect(404);
      await ask(await opened(), 'sam').expect(409);
      await ask(id, 'sol').expect(422);
    });
  });

  describe('GET .../questions and .../responses in cursor pages', () => {
    type Page = { items: { id: string; askedByOrg?: string | null }[]; nextCursor: string | null };
    /** Every page of a list as `who` reads it, following nextCursor to the end. */
    const walk = async (path: string, who: Person, limit = 2): Promise<Page[]> => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const after: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const page = (await get(`${path}?limit=${limit}${after}`, who).expect(200)).body as Page;
        pages.push(page);
        cursor = page.nextCursor;
      } while (cursor !== null && pages.length < 10);
      return pages;
    };
    const idsOf = (pages: Page[]) => pages.flatMap((p) => p.items.map((i) => i.id));

    it('questions: each reader walks what it may see, each once, in the order asked', async () => {
      const id = await published();
      for (const who of ['sam', 'tom', 'uli'] as const) await respond(id, who).expect(201);
      const askers: Person[] = ['tom', 'sam', 'tom', 'sam', 'tom', 'sam'];
      const q: string[] = [];
      for (const [n, who] of askers.entries()) {
        q.push((await ask(id, who, `Question ${n}?`).expect(201)).body.id);
      }
      for (const answered of [q[0], q[3], q[4]]) {
        await post(`/consultations/${id}/questions/${answered}/answer`)
          .send({ text: 'Yes.' })
          .expect(200);
      }

      const asAna = await walk(`/consultations/${id}/questions`, 'ana');
      expect(idsOf(asAna)).toEqual(q);
      expect(asAna.map((p) => p.items.length)).toEqual([2, 2, 2]);
      expect(asAna.at(-1)?.nextCursor).toBeNull();

      // Sam: its own, answered or not, and Tom's answered ones without the asker; never
      // Tom's pending q2, and no page is short for what Sam may not see.
      const asSam = await walk(`/consultations/${id}/questions`, 'sam');
      expect(idsOf(asSam)).toEqual([q[0], q[1], q[3], q[4], q[5]]);
      expect(asSam.map((p) => p.items.length)).toEqual([2, 2, 1]);
      expect(asSam.at(-1)?.nextCursor).toBeNull();
      const toms = asSam.flatMap((p) => p.items).filter((i) => [q[0], q[4]].includes(i.id));
      expect(toms.map((i) => i.askedByOrg)).toEqual([null, null]);

      const asUli = await walk(`/consultations/${id}/questions`, 'uli');
      expect(idsOf(asUli)).toEqual([q[0], q[3], q[4]]);
    });

    it('responses: the organisers walk all, a supplier its own across the gaps', async () => {
      const id = await published();
      const samsFirst = (await respond(id, 'sam', 5).expect(201)).body.id;
      const toms = (await respond(id, 'tom').expect(201)).body.id;
      const ulis = (await respond(id, 'uli').expect(201)).body.id;
      const samsSecond = (await respond(id, 'sam', 6, 'SepsisWatch 2').expect(201)).body.id;

      const asAna = await walk(`/consultations/${id}/responses`, 'ana');
      expect(idsOf(asAna)).toEqual([samsFirst, toms, ulis, samsSecond]);
      expect(asAna.map((p) => p.nextCursor === null)).toEqual([false, true]);

      const asSam = await walk(`/consultations/${id}/responses`, 'sam', 1);
      expect(idsOf(asSam)).toEqual([samsFirst, samsSecond]);
      expect(asSam.map((p) => p.nextCursor === null)).toEqual([false, true]);
      expect(await walk(`/consultations/${id}/responses`, 'tom')).toEqual([
        { items: [expect.objectContaining({ id: toms })], nextCursor: null },
      ]);
    });

    it('400 for a cursor it did not issue, a limit outside 1-500 or an unknown parameter', async () => {
      const id = await published();
      await respond(id, 'sam').expect(201);
      for (const list of ['questions', 'responses']) {
        const bad = await get(`/consultations/${id}/${list}?cursor=nope`).expect(400);
        expect(fieldsOf(bad.body)).toEqual(['cursor']);
        for (const query of ['limit=0', 'limit=501', 'limit=two', 'colour=red']) {
          await get(`/consultations/${id}/${list}?${query}`).expect(400);
        }
      }
    });
  });

  describe('POST /consultations/{id}/questions/{qid}/answer', () => {
    it('200: answered once, in the history with the answering procurer', async () => {
      const id = await published();
      const q = (await ask(id, 'sam').expect(201)).body.id;
      const res = await post(`/consultations/${id}/questions/${q}/answer`)
        .send({ text: 'Yes.' })
        .expect(200);
      expect(res.body.clarifications).toMatchObject([{ id: q, answer: 'Yes.' }]);
      const history = await get(`/consultations/${id}/history`).expect(200);
      expect(history.body.items.at(-1)).toMatchObject({
        type: 'ClarificationAnswered',
        actor: { userId: 'u-ana', org: 'org-sergas' },
        data: { questionId: q, answer: 'Yes.' },
      });
    });

    it('400 without text; 401; 403 supplier or other organisation; 404 unknown question', async () => {
      const id = await published();
      const q = (await ask(id, 'sam').expect(201)).body.id;
      await post(`/consultations/${id}/questions/${q}/answer`).send({ answer: 'x' }).expect(400);
      await app
        .http()
        .post(`/consultations/${id}/questions/${q}/answer`)
        .send({ text: 'x' })
        .expect(401);
      await post(`/consultations/${id}/questions/${q}/answer`, 'sam')
        .send({ text: 'x' })
        .expect(403);
      await post(`/consultations/${id}/questions/${q}/answer`, 'bea')
        .send({ text: 'x' })
        .expect(403);
      await post(`/consultations/${id}/questions/${randomUUID()}/answer`)
        .send({ text: 'x' })
        .expect(404);
    });

    it('409 when answered twice or after closing; 422 for an Idempotency-Key reused with another body', async () => {
      const id = await published();
      const q1 = (await ask(id, 'sam').expect(201)).body.id;
      const q2 = (await ask(id, 'tom').expect(201)).body.id;
      await post(`/consultations/${id}/questions/${q1}/answer`)
        .set('Idempotency-Key', `a-${q1}`)
        .send({ text: 'Yes.' })
        .expect(200);
      await post(`/consultations/${id}/questions/${q1}/answer`)
        .set('Idempotency-Key', `a-${q1}`)
        .send({ text: 'No.' })
        .expect(422);
      await post(`/consultations/${id}/questions/${q1}/answer`)
        .send({ text: 'Again.' })
        .expect(409);
      await post(`/consultations/${id}/close`).send({ report: 'Done.' }).expect(200);
      await post(`/consultations/${id}/questions/${q2}/answer`).send({ text: 'Late.' }).expect(409);
    });
  });

  describe('POST /consultations/{id}/close', () => {
    it('200: closed with the report and the count of live responses', async () => {
      const id = await published();
      await respond(id, 'sam').expect(201);
      await respond(id, 'sam', 7).expect(201);
      await respond(id, 'tom', 8).expect(201);
      const report = '2 responses; best declared TRL 8; 85% positive feedback.';
      const res = await post(`/consultations/${id}/close`).send({ report }).expect(200);
      expect(res.body).toMatchObject({ status: 'CLOSED', report, responseCount: 2 });
      const event = (await app.store.readStream(consultationStream(id))).at(-1);
      expect(event).toMatchObject({
        type: 'ConsultationClosed',
        reason: report,
        data: { responseCount: 2 },
      });
    });

    it('400 without a report; 401; 403; 404', async () => {
      const id = await published();
      expect(
        fieldsOf((await post(`/consultations/${id}/close`).send({}).expect(400)).body),
      ).toEqual(['report']);
      await app.http().post(`/consultations/${id}/close`).send({ report: 'x' }).expect(401);
      await post(`/consultations/${id}/close`, 'bea').send({ report: 'x' }).expect(403);
      await post(`/consultations/${id}/close`, 'sam').send({ report: 'x' }).expect(403);
      await post(`/consultations/${randomUUID()}/close`).send({ report: 'x' }).expect(404);
    });

    it('409 before publication and when already closed; stale If-Match', async () => {
      await post(`/consultations/${await opened()}/close`)
        .send({ report: 'x' })
        .expect(409);
      const id = await published();
      const stale = await post(`/consultations/${id}/close`)
        .set('If-Match', '"0"')
        .send({ report: 'x' })
        .expect(409);
      expect(stale.body.details.currentRevision).toBe('1');
      await post(`/consultations/${id}/close`)
        .set('If-Match', '"1"')
        .send({ report: 'x' })
        .expect(200);
      await post(`/consultations/${id}/close`).send({ report: 'x' }).expect(409);
    });

    it('422 for an Idempotency-Key reused with another body (no rule of its own can refuse it)', async () => {
      const id = await published();
      await post(`/consultations/${id}/close`)
        .set('Idempotency-Key', `c-${id}`)
        .send({ report: 'a' })
        .expect(200);
      await post(`/consultations/${id}/close`)
        .set('Idempotency-Key', `c-${id}`)
        .send({ report: 'b' })
        .expect(422);
    });
  });

  describe('POST /consultations/{id}/route', () => {
    it('200: PCP when the best declared or assessed TRL is below 8', async () => {
      const id = await closed({ sam: 5, uli: 6 }, 4);
      const res = await post(`/consultations/${id}/route`)
        .send({
          route: 'PCP',
          rationale: 'Best declared solutions are at TRL 6; R&D is still needed.',
        })
        .expect(200);
      expect(res.body).toMatchObject({
        status: 'ROUTE_DECIDED',
        routeDecision: {
          route: 'PCP',
          againstTrlRule: false,
          bestTrl: 6,
          expectedRoute: 'PCP',
          justification: null,
        },
      });
    });

    it('200: PPI from TRL 8 (the assessed state of the art counts too)', async () => {
      const id = await closed({ sam: 5 }, 8);
      const res = await post(`/consultations/${id}/route`)
        .send({ route: 'PPI', rationale: 'Solutions on the market.' })
        .expect(200);
      expect(res.body.routeDecision).toMatchObject({
        route: 'PPI',
        bestTrl: 8,
        againstTrlRule: false,
      });
    });

    it('200 without a justification for the routes the rule also allows: a partnership below 8, off the shelf or none at 9, any with no TRL', async () => {
      const decide = async (id: string, route: string) =>
        (
          await post(`/consultations/${id}/route`)
            .send({ route, rationale: 'Chosen after the market consultation.' })
            .expect(200)
        ).body.routeDecision;
      expect(await decide(await closed({ sam: 6 }, 4), 'INNOVATION_PARTNERSHIP')).toMatchObject({
        route: 'INNOVATION_PARTNERSHIP',
        bestTrl: 6,
        expectedRoute: 'PCP',
        againstTrlRule: false,
      });
      expect(await decide(await closed({ sam: 9 }, 4), 'COMMERCIAL')).toMatchObject({
        bestTrl: 9,
        expectedRoute: 'PPI',
        againstTrlRule: false,
      });
      expect(await decide(await closed({ sam: 9 }, 4), 'NONE')).toMatchObject({
        againstTrlRule: false,
      });
      await post(`/consultations/${await closed({ sam: 8 }, 4)}/route`)
        .send({ route: 'COMMERCIAL', rationale: 'Buy it.' })
        .expect(422);
      // No response and no assessed state of the art: the rule has nothing to say.
      const unknown = await published({ stateOfTheArtTrl: undefined });
      await post(`/consultations/${unknown}/close`).send({ report: 'No answer.' }).expect(200);
      expect(await decide(unknown, 'PCP')).toMatchObject({ bestTrl: null, againstTrlRule: false });
    });

    it('422 for a route against the TRL rule without justification; with one it is recorded', async () => {
      const id = await closed({ sam: 5, tom: 8 }, 4);
      const res = await post(`/consultations/${id}/route`)
        .send({ route: 'PCP', rationale: 'We want R&D.' })
        .expect(422);
      expect(res.body).toMatchObject({
        message:
          'The best known TRL is 8, so the TRL rule points to PPI; choosing PCP needs a written justification',
        details: { code: 'JUSTIFICATION_REQUIRED', expectedRoute: 'PPI', bestTrl: 8 },
      });
      const justification =
        'The TRL 8 product lacks the regional EHR integration; R&D is needed for it.';
      const ok = await post(`/consultations/${id}/route`)
        .send({ route: 'PCP', rationale: 'We want R&D.', justification })
        .expect(200);
      expect(ok.body.routeDecision).toMatchObject({
        route: 'PCP',
        againstTrlRule: true,
        justification,
      });
      const event = (await get(`/consultations/${id}/history`).expect(200)).body.items.at(-1);
      expect(event).toMatchObject({
        type: 'ProcurementRouteDecided',
        reason: 'We want R&D.',
        actor: { userId: 'u-ana', org: 'org-sergas' },
        data: { route: 'PCP', againstTrlRule: true, justification },
      });
    });

    it('400 for an unknown route or a missing rationale; 401; 403; 404', async () => {
      const id = await closed({ sam: 5 });
      const res = await post(`/consultations/${id}/route`).send({ route: 'TENDER' }).expect(400);
      expect(fieldsOf(res.body)).toEqual(['rationale', 'route']);
      await app
        .http()
        .post(`/consultations/${id}/route`)
        .send({ route: 'PCP', rationale: 'x' })
        .expect(401);
      await post(`/consultations/${id}/route`, 'bea')
        .send({ route: 'PCP', rationale: 'x' })
        .expect(403);
      await post(`/consultations/${id}/route`, 'sam')
        .send({ route: 'PCP', rationale: 'x' })
        .expect(403);
      await post(`/consultations/${randomUUID()}/route`)
        .send({ route: 'PCP', rationale: 'x' })
        .expect(404);
    });

    it('409 before closing and once decided; stale If-Match', async () => {
      const open = await published();
      expect(
        (
          await post(`/consultations/${open}/route`)
            .send({ route: 'PCP', rationale: 'x' })
            .expect(409)
        ).body.message,
      ).toMatch(/Close the consultation/);
      const id = await closed({ sam: 5 });
      await post(`/consultations/${id}/route`)
        .set('If-Match', '"2"')
        .send({ route: 'PCP', rationale: 'x' })
        .expect(409);
      await post(`/consultations/${id}/route`)
        .set('If-Match', '"3"')
        .send({ route: 'PCP', rationale: 'x' })
        .expect(200);
      await post(`/consultations/${id}/route`).send({ route: 'PCP', rationale: 'x' }).expect(409);
    });
  });
});
