import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '@pcp/platform';
import { buyersGroupStream, needStream } from '../application/streams';
import { needsContext } from '../needs.context';
import { fieldsOf, needBody, tokensFor, type Person } from './needs.e2e-fixtures';

describe('buyers groups over HTTP', () => {
  let app: TestApp;
  let tokens: Record<Person, string>;

  beforeAll(async () => {
    app = await createTestApp({ contexts: [needsContext] });
    tokens = await tokensFor(app);
  });
  afterAll(() => app.close());

  const post = (path: string, who: Person = 'ana') =>
    app.http().post(path).auth(tokens[who], { type: 'bearer' });
  const get = (path: string, who: Person = 'ana') =>
    app.http().get(path).auth(tokens[who], { type: 'bearer' });
  const recorded = async (who: Person, region: string) =>
    (await post('/needs', who).send(needBody({ region })).expect(201)).body.id as string;
  const validated = async (who: Person = 'ana', region = 'ES11') => {
    const id = await recorded(who, region);
    await post(`/needs/${id}/validate`, who).send({}).expect(200);
    return id;
  };
  const form = async (needIds: string[], who: Person = 'ana') =>
    (
      await post('/buyers-groups', who)
        .send({ name: 'Atlantic sepsis buyers group', needIds })
        .expect(201)
    ).body as { id: string; revision: number };
  const needOf = async (id: string) => (await get(`/needs/${id}`).expect(200)).body;

  describe('POST /buyers-groups (cannot be 404 or 409: it creates)', () => {
    it("201: the caller's organisation leads with its own needs, each claimed on its own stream; another organisation joins", async () => {
      const galicia = await validated('ana', 'ES11');
      const vigo = await validated('ana', 'ES11');
      const res = await post('/buyers-groups')
        .send({ name: ' Atlantic sepsis buyers group ', needIds: [galicia, vigo] })
        .expect(201);
      expect(res.headers['location']).toBe(`/buyers-groups/${res.body.id}`);
      expect(res.body).toMatchObject({
        name: 'Atlantic sepsis buyers group',
        leadOrg: 'org-sergas',
        memberOrgs: ['org-sergas'],
        needIds: [galicia, vigo],
        regions: ['ES11'],
        crossRegional: false,
        revision: 0,
      });
      expect((await needOf(vigo)).buyersGroupId).toBe(res.body.id);
      const claims = await app.store.readStream(needStream(galicia));
      expect(claims.map((e) => e.type)).toEqual(['NeedRecorded', 'NeedValidated', 'NeedGrouped']);
      expect(claims[2].actor).toMatchObject({ userId: 'u-ana', org: 'org-sergas' });

      const navarra = await validated('bea', 'ES22');
      const joined = await post(`/buyers-groups/${res.body.id}/join`, 'bea')
        .send({ needId: navarra })
        .expect(200);
      expect(joined.body).toMatchObject({
        memberOrgs: ['org-sergas', 'org-navarrabiomed'],
        needIds: [galicia, vigo, navarra],
        regions: ['ES11', 'ES22'],
        crossRegional: true,
        revision: 1,
      });
    });

    it('400: empty or missing needIds, a missing name, unknown fields', async () => {
      const res = await post('/buyers-groups').send({ needIds: [], lead: 'me' }).expect(400);
      expect(fieldsOf(res.body)).toEqual(['lead', 'name', 'needIds']);
    });

    it('401 without a token, 403 for a supplier', async () => {
      await app
        .http()
        .post('/buyers-groups')
        .send({ name: 'x', needIds: ['a'] })
        .expect(401);
      await post('/buyers-groups', 'sam')
        .send({ name: 'x', needIds: ['a'] })
        .expect(403);
    });

    it("403 for another organisation's need, alone or beside the caller's own; nothing is appended", async () => {
      const own = await validated('ana', 'ES11');
      const foreign = await validated('bea', 'ES22');
      const before = await app.store.headPosition();
      for (const needIds of [[own, foreign], [foreign]]) {
        const res = await post('/buyers-groups')
          .send({ name: 'Atlantic sepsis buyers group', needIds })
          .expect(403);
        expect(res.body.message).toBe(
          `A buyers group is formed with needs of your own organisation only; ${foreign} belongs ` +
            'to org-navarrabiomed: that organisation joins the group with it once the group is formed',
        );
      }
      expect(await app.store.headPosition()).toBe(before);
      for (const id of [own, foreign]) {
        expect((await app.store.readStream(needStream(id))).map((e) => e.type)).toEqual([
          'NeedRecorded',
          'NeedValidated',
        ]);
      }
      expect((await needOf(foreign)).buyersGroupId).toBeNull();
    });

    it('422: needs that are unknown, not validated, or already grouped; nothing is claimed', async () => {
      const own = await validated();
      const unvalidated = await recorded('ana', 'ES11');
      const unknown = randomUUID();
      const refused = async (needIds: string[], message: RegExp) => {
        const res = await post('/buyers-groups').send({ name: 'Group', needIds }).expect(422);
        expect(res.body.message).toMatch(message);
      };
      await refused([own, unknown], new RegExp(`No need is known with the id ${unknown}`));
      await refused([own, unvalidated], /Only validated needs go into a buyers group/);
      const vigo = await validated('ana', 'ES11');
      const group = await form([vigo]);
      await refused([own, vigo], new RegExp(`already belongs to buyers group ${group.id}`));
      expect((await app.store.readStream(needStream(own))).map((e) => e.type)).toEqual([
        'NeedRecorded',
        'NeedValidated',
      ]);
    });

    it('replays a repeated formation with the same Idempotency-Key and forms one group', async () => {
      const need = await validated();
      const key = `form-${need}`;
      const body = { name: 'Galician cardiology group', needIds: [need] };
      const first = await post('/buyers-groups').set('Idempotency-Key', key).send(body).expect(201);
      const again = await post('/buyers-groups').set('Idempotency-Key', key).send(body).expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await app.store.readStream(needStream(need))).toHaveLength(3);
      await post('/buyers-groups')
        .set('Idempotency-Key', key)
        .send({ ...body, name: 'Other' })
        .expect(422);
    });

    it('one of two groups racing for the same need gets it; the other claims nothing', async () => {
      const contested = await validated('ana', 'ES11');
      const mine = await validated('ana', 'ES11');
      const theirs = await validated('ana', 'ES11');
      const [a, b] = await Promise.all([
        post('/buyers-groups', 'ana').send({ name: 'A', needIds: [mine, contested] }),
        post('/buyers-groups', 'ana').send({ name: 'B', needIds: [theirs, contested] }),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 422]);
      const winner = a.status === 201 ? a.body : b.body;
      const loserNeed = a.status === 201 ? theirs : mine;
      expect((await needOf(contested)).buyersGroupId).toBe(winner.id);
      expect((await needOf(loserNeed)).buyersGroupId).toBeNull();
    });
  });

  describe('POST /buyers-groups/{id}/join', () => {
    it('200: another region joins with its own validated need', async () => {
      const group = await form([await validated('ana', 'ES11')]);
      expect((await get(`/buyers-groups/${group.id}`).expect(200)).body.crossRegional).toBe(false);
      const navarra = await validated('bea', 'ES22');
      const res = await post(`/buyers-groups/${group.id}/join`, 'bea')
        .set('If-Match', '"0"')
        .send({ needId: navarra })
        .expect(200);
      expect(res.body).toMatchObject({
        memberOrgs: ['org-sergas', 'org-navarrabiomed'],
        regions: ['ES11', 'ES22'],
        crossRegional: true,
        revision: 1,
      });
      expect((await needOf(navarra)).buyersGroupId).toBe(group.id);
    });

    it('400 without a needId or with unknown fields; 401 without a token', async () => {
      const group = await form([await validated()]);
      const res = await post(`/buyers-groups/${group.id}/join`, 'bea')
        .send({ need: 'x' })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['need', 'needId']);
      await app.http().post(`/buyers-groups/${group.id}/join`).send({ needId: 'x' }).expect(401);
    });

    it("403 for a supplier and for joining with another organisation's need", async () => {
      const group = await form([await validated()]);
      const navarra = await validated('bea', 'ES22');
      await post(`/buyers-groups/${group.id}/join`, 'sam').send({ needId: navarra }).expect(403);
      const res = await post(`/buyers-groups/${group.id}/join`, 'cai')
        .send({ needId: navarra })
        .expect(403);
      expect(res.body.message).toMatch(/with a need of its own/);
      expect((await needOf(navarra)).buyersGroupId).toBeNull();
    });

    it('404 for an unknown group', async () => {
      const navarra = await validated('bea', 'ES22');
      await post(`/buyers-groups/${randomUUID()}/join`, 'bea')
        .send({ needId: navarra })
        .expect(404);
    });

    it('409 for a need already in the group and for a stale If-Match, before any claim', async () => {
      const galicia = await validated();
      const group = await form([galicia]);
      await post(`/buyers-groups/${group.id}/join`).send({ needId: galicia }).expect(409);
      const navarra = await validated('bea', 'ES22');
      await post(`/buyers-groups/${group.id}/join`, 'bea').send({ needId: navarra }).expect(200);
      const lombardy = await validated('cai', 'ITC4');
      const stale = await post(`/buyers-groups/${group.id}/join`, 'cai')
        .set('If-Match', '"0"')
        .send({ needId: lombardy })
        .expect(409);
      expect(stale.body.details).toEqual({ currentRevision: '1' });
      expect((await app.store.readStream(needStream(lombardy))).map((e) => e.type)).toEqual([
        'NeedRecorded',
        'NeedValidated',
      ]);
    });

    it('422 for a need that is not validated, or unknown', async () => {
      const group = await form([await validated()]);
      const recordedOnly = await recorded('bea', 'ES22');
      const res = await post(`/buyers-groups/${group.id}/join`, 'bea')
        .send({ needId: recordedOnly })
        .expect(422);
      expect(res.body.message).toMatch(/is recorded; validate it before joining/);
      await post(`/buyers-groups/${group.id}/join`, 'bea')
        .send({ needId: randomUUID() })
        .expect(422);
    });
  });

  describe('GET /buyers-groups/{id} (any role: never 403; reading: never 409 or 422)', () => {
    it('200 now and as it was at asOf; 404 before it existed; 400 for a malformed asOf', async () => {
      const group = await form([await validated()]);
      const beforeJoin = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      await post(`/buyers-groups/${group.id}/join`, 'bea')
        .send({ needId: await validated('bea', 'ES22') })
        .expect(200);
      expect((await get(`/buyers-groups/${group.id}`, 'sam').expect(200)).body.regions).toEqual([
        'ES11',
        'ES22',
      ]);
      const then = await get(
        `/buyers-groups/${group.id}?asOf=${encodeURIComponent(beforeJoin)}`,
      ).expect(200);
      expect(then.body).toMatchObject({ regions: ['ES11'], revision: 0 });
      await get(`/buyers-groups/${group.id}?asOf=2001-01-01T00:00:00%2B01:00`).expect(404);
      await get(`/buyers-groups/${group.id}?asOf=2025-13-01T00:00:00Z`).expect(400);
    });

    it('401 without a token, 404 for an unknown group', async () => {
      await app.http().get(`/buyers-groups/${randomUUID()}`).expect(401);
      await get(`/buyers-groups/${randomUUID()}`).expect(404);
    });
  });

  describe('GET /buyers-groups/{id}/history and GET /buyers-groups', () => {
    it('history: formation and joins with actor, reason and hash', async () => {
      const group = await form([await validated()]);
      await post(`/buyers-groups/${group.id}/join`, 'bea')
        .send({ needId: await validated('bea', 'ES22') })
        .expect(200);
      const res = await get(`/buyers-groups/${group.id}/history`, 'aud').expect(200);
      expect(res.body.streamId).toBe(buyersGroupStream(group.id));
      expect(res.body.items).toMatchObject([
        { type: 'BuyersGroupFormed', revision: 0, actor: { userId: 'u-ana', org: 'org-sergas' } },
        {
          type: 'BuyersGroupJoined',
          revision: 1,
          actor: { userId: 'u-bea', org: 'org-navarrabiomed' },
        },
      ]);
      await get(`/buyers-groups/${randomUUID()}/history`).expect(404);
      await app.http().get(`/buyers-groups/${group.id}/history`).expect(401);
    });

    it('lists groups by member organisation and region, in pages', async () => {
      const lead = await app.token({ sub: 'u-ext', org: 'org-sescam', roles: ['procurer'] });
      for (let i = 0; i < 3; i++) {
        const need = (
          await app
            .http()
            .post('/needs')
            .auth(lead, { type: 'bearer' })
            .send(needBody({ region: 'ES43' }))
            .expect(201)
        ).body.id;
        await app
          .http()
          .post(`/needs/${need}/validate`)
          .auth(lead, { type: 'bearer' })
          .send({})
          .expect(200);
        await app
          .http()
          .post('/buyers-groups')
          .auth(lead, { type: 'bearer' })
          .send({ name: `Extremadura group ${i}`, needIds: [need] })
          .expect(201);
      }
      await app.settle();
      const first = await get('/buyers-groups?org=org-sescam&limit=2').expect(200);
      expect(first.body.items.map((g: { name: string }) => g.name)).toEqual([
        'Extremadura group 0',
        'Extremadura group 1',
      ]);
      const second = await get(
        `/buyers-groups?org=org-sescam&limit=2&cursor=${first.body.nextCursor}`,
      ).expect(200);
      expect(second.body).toMatchObject({
        items: [{ name: 'Extremadura group 2' }],
        nextCursor: null,
      });
      expect((await get('/buyers-groups?region=ES43').expect(200)).body.items).toHaveLength(3);
      await get('/buyers-groups?limit=0').expect(400);
    });

    it('list: 401 without a token or with a forged one', async () => {
      const res = await app.http().get('/buyers-groups').expect(401);
      expect(res.body.items).toBeUndefined();
      await app
        .http()
        .get('/buyers-groups?region=ES43')
        .auth('not-a-token', { type: 'bearer' })
        .expect(401);
    });
  });
});
