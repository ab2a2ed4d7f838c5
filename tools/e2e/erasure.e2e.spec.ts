import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { consultationsContextWith } from '@pcp/consultations';
import { needsContext } from '@pcp/needs';
import { pipelineContext } from '@pcp/pipeline';
import { createTestApp, type TestApp } from '@pcp/platform';
import { tendersContextWith } from '@pcp/tenders';
import { BEFORE_FIRST } from '@pcp/eventsourcing';
// The operations CLI is a workspace tool; its verifier is what an operator runs.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { runOps } from '../ops/ops';
import { consultationFor, galicianNeed } from './scenario';

// Names and e-mails unlikely to occur anywhere by chance, so that a search for them is exact.
const SAM = { name: 'Samira Quintero-Vallejo', email: 'samira.qv@sepsis-watch.example' };
const TOM = { name: 'Tomás Ibargüengoitia', email: 'tomas.ib@lab-tech.example' };
const SAM_TRACES = ['Samira', 'Quintero', 'samira.qv', 'sepsis-watch.example'];
const EVA = 'Evelyn Ortega-Brandt';

const SCHEMAS = join(__dirname, '..', '..', 'libs', 'tenders', 'src', 'ocds', 'schema');
const schema = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as object;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(schema('release-schema.json'));
const validateOcds = ajv.compile(schema('release-package-schema.json'));

type Party = { id: string; roles: string[]; contactPoint?: { name: string; email: string } };
type OcdsPackage = { releases: Array<{ parties: Party[] }> };
const lastParties = (pack: OcdsPackage) => pack.releases[pack.releases.length - 1].parties;

// Embedded platform through its public HTTP API: personal data is recorded sealed, read back
// in the clear while its key exists, then erased with every event, hash and anchor intact.
describe('erasure of personal data (crypto-shredding)', () => {
  let app: TestApp;
  const tokens: Record<string, string> = {};
  /** Every response body read in this suite, by what was read. */
  const seen = new Map<string, unknown>();

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        needsContext,
        consultationsContextWith({ consistencyWaitMs: 3000 }),
        tendersContextWith({ consistencyWaitMs: 3000, deadlineCheckMs: 250 }),
        pipelineContext,
      ],
      env: { ANCHOR_INTERVAL_MS: '0' },
    });
    tokens['ana'] = await app.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
    tokens['sam'] = await app.token({ sub: 'u-sam', org: 'org-sepsiswatch', roles: ['supplier'] });
    tokens['tom'] = await app.token({ sub: 'u-tom', org: 'org-labtech', roles: ['supplier'] });
    tokens['eva'] = await app.token({
      sub: 'u-eva',
      org: 'org-experts',
      roles: ['evaluator'],
      name: EVA,
    });
    tokens['aud'] = await app.token({ sub: 'u-aud', org: 'org-audit', roles: ['auditor'] });
    tokens['adm'] = await app.token({ sub: 'u-adm', org: 'org-platform', roles: ['admin'] });
  }, 60_000);
  let closed = false;
  afterAll(async () => {
    if (!closed) await app.close();
  });

  const post = (path: string, who: string) =>
    app.http().post(path).auth(tokens[who], { type: 'bearer' });
  const get = async (path: string, who: string) => {
    const res = await app.http().get(path).auth(tokens[who], { type: 'bearer' }).expect(200);
    seen.set(`${who} GET ${path}`, res.body);
    return res.body;
  };

  let consultationId: string;
  let samResponse: string;
  let tomResponse: string;
  let tenderId: string;
  const exportDir = mkdtempSync(join(tmpdir(), 'pcp-erasure-ocds-'));
  afterAll(() => rmSync(exportDir, { recursive: true, force: true }));

  /** The OCDS export as an operator runs it: every tender's package, saved to files. */
  async function exportedOcds(): Promise<string> {
    const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} };
    // joined with '=': a random secret may begin with '-', which parseArgs refuses as a value
    const code = await runOps(
      ['export-ocds', '--url', app.url, '--out', exportDir, `--secret=${app.secret}`],
      io,
    );
    expect(code).toBe(0);
    const files = readdirSync(exportDir);
    expect(files).toContain(`${tenderId}.ocds.json`);
    return files.map((f) => readFileSync(join(exportDir, f), 'utf8')).join('\n');
  }

  /** Everything a procurer, an auditor and the supplier itself can read about this data. */
  async function readEverything(): Promise<Record<string, unknown>> {
    seen.clear();
    await app.settle();
    const c = `/consultations/${consultationId}`;
    const bodies: Record<string, unknown> = {
      consultation: await get(c, 'ana'),
      asAuditor: await get(c, 'aud'),
      asSupplier: await get(c, 'sam'),
      list: await get(`/consultations?org=org-sergas`, 'ana'),
      responses: await get(`${c}/responses`, 'ana'),
      response: await get(`${c}/responses/${samResponse}`, 'ana'),
      history: await get(`${c}/history`, 'ana'),
      historyAsAuditor: await get(`${c}/history`, 'aud'),
      auditEvents: await get(`/audit/events?limit=500`, 'aud'),
      tender: await get(`/tenders/${tenderId}`, 'ana'),
      tenderHistory: await get(`/tenders/${tenderId}/history`, 'aud'),
      bids: await get(`/tenders/${tenderId}/bids`, 'ana'),
      bidsAsEvaluator: await get(`/tenders/${tenderId}/bids`, 'eva'),
      ownBids: await get(`/tenders/${tenderId}/bids`, 'sam'),
      participations: await get('/me/participations', 'sam'),
      ranking: await get(`/tenders/${tenderId}/ranking`, 'aud'),
    };
    const ocds = await app.http().get(`/tenders/${tenderId}/ocds`).expect(200);
    seen.set('public GET ocds', ocds.body);
    bodies['ocds'] = ocds.body;
    seen.set('ops export-ocds', await exportedOcds());
    const journeys = await get('/innovations?limit=100', 'aud');
    expect(journeys.items.length).toBeGreaterThanOrEqual(2);
    for (const item of journeys.items as Array<{ innovationId?: string; id?: string }>) {
      const id = item.innovationId ?? item.id;
      bodies[`journey ${id}`] = await get(`/innovations/${id}`, 'aud');
      bodies[`timeline ${id}`] = await get(`/innovations/${id}/timeline`, 'aud');
    }
    return bodies;
  }

  /** The raw log as stored: every event's JSON, hashes included. */
  async function storedLog(): Promise<string> {
    const events = await app.store.readAll(BEFORE_FIRST, 100_000);
    return JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }

  it('records contact persons sealed: the log holds no name or e-mail in clear', async () => {
    const needId = (await post('/needs', 'ana').send(galicianNeed).expect(201)).body.id as string;
    await post(`/needs/${needId}/validate`, 'ana').send({}).expect(200);
    consultationId = (await post('/consultations', 'ana').send(consultationFor(needId)).expect(201))
      .body.id as string;
    await post(`/consultations/${consultationId}/publish`, 'ana').send({}).expect(200);

    const sam = await post(`/consultations/${consultationId}/responses`, 'sam')
      .send({ solutionName: 'SepsisWatch', summary: 'Risk score.', declaredTrl: 5, contact: SAM })
      .expect(201);
    samResponse = sam.body.id;
    // The sender reads back what they sent, in the clear.
    expect(sam.body.contact).toEqual({ personId: 'u-sam', erased: false, ...SAM });
    tomResponse = (
      await post(`/consultations/${consultationId}/responses`, 'tom')
        .send({ solutionName: 'LabTech', summary: 'Lab panel.', declaredTrl: 4, contact: TOM })
        .expect(201)
    ).body.id;

    await post(`/consultations/${consultationId}/close`, 'ana')
      .send({ report: 'Two responses, best declared TRL 5.' })
      .expect(200);
    await post(`/consultations/${consultationId}/route`, 'ana')
      .send({ route: 'PCP', rationale: 'Best declared TRL is 5: R&D is still needed.' })
      .expect(200);

    // A PCP call whose deadline the scheduler closes a few seconds from now.
    tenderId = (
      await post('/tenders', 'ana')
        .send({
          consultationId,
          procedure: 'PCP',
          title: 'PCP: early warning of sepsis',
          description: 'Two phases: solution design and prototyping.',
          budgetEur: 1_000_000,
          submissionDeadline: new Date(Date.now() + 5_000).toISOString(),
          criteria: [
            { name: 'quality', weight: 80 },
            { name: 'price', weight: 20 },
          ],
          phases: [
            { budgetEur: 200_000, durationMonths: 3, maxSuppliers: 2 },
            { budgetEur: 700_000, durationMonths: 6, maxSuppliers: 1 },
          ],
        })
        .expect(201)
    ).body.id as string;
    await post(`/tenders/${tenderId}/publish`, 'ana').send({}).expect(200);
    const bidOf: Record<string, string> = {};
    for (const [who, contact] of [
      ['sam', SAM],
      ['tom', TOM],
    ] as const) {
      const bid = await post(`/tenders/${tenderId}/bids`, who)
        .send({ priceEur: 90_000, technicalProposal: `Design of ${who}`, declaredTrl: 5, contact })
        .expect(201);
      bidOf[who] = bid.body.bidId;
    }
    let status = 'PUBLISHED';
    for (const until = Date.now() + 15_000; status === 'PUBLISHED' && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (
        await app.http().get(`/tenders/${tenderId}`).auth(tokens['ana'], { type: 'bearer' })
      ).body.status;
    }
    expect(status).toBe('BIDS_CLOSED');
    await post(`/tenders/${tenderId}/open-bids`, 'ana').send({}).expect(200);
    await post(`/tenders/${tenderId}/evaluators`, 'ana')
      .send({ evaluatorIds: ['u-eva'] })
      .expect(200);
    for (const [who, quality] of [
      ['sam', 90],
      ['tom', 80],
    ] as const) {
      const bid = `/tenders/${tenderId}/bids/${bidOf[who]}`;
      await post(`${bid}/conflict-declarations`, 'eva').send({ conflict: false }).expect(200);
      await post(`${bid}/scores`, 'eva')
        .send({
          scores: [
            { criterion: 'quality', score: quality },
            { criterion: 'price', score: 70 },
          ],
        })
        .expect(200);
    }
    await post(`/tenders/${tenderId}/phases/1/award`, 'ana')
      .send({ bidIds: [bidOf['sam'], bidOf['tom']], reason: 'Both admissible designs' })
      .expect(200);

    const log = await storedLog();
    for (const trace of [...SAM_TRACES, TOM.name, TOM.email, EVA]) expect(log).not.toContain(trace);
    expect(log).toContain('"personalData":"aes-256-gcm"');
  });

  it('refuses contact details that are not a name and an e-mail', async () => {
    for (const contact of [
      { name: 'X', email: 'not-an-e-mail' },
      { name: '  ', email: 'x@y.example' },
      { name: 'X' },
      'Samira',
      { name: 'X', email: 'x@y.example', phone: '+34 600 000 000' },
    ]) {
      await post(`/consultations/${consultationId}/responses`, 'tom')
        .send({ solutionName: 'LabTech', summary: 'Lab panel.', declaredTrl: 4, contact })
        .expect(400);
    }
  });

  it('shows the contact in the clear to the organisers, in views, lists and histories', async () => {
    const bodies = await readEverything();
    const consultation = bodies['consultation'] as {
      responses: Array<{ id: string; contact: unknown }>;
    };
    const contactOf = (id: string) => consultation.responses.find((r) => r.id === id)?.contact;
    expect(contactOf(samResponse)).toEqual({ personId: 'u-sam', erased: false, ...SAM });
    expect(contactOf(tomResponse)).toEqual({ personId: 'u-tom', erased: false, ...TOM });
    for (const key of ['asAuditor', 'asSupplier', 'list', 'responses', 'response', 'history']) {
      expect(JSON.stringify(bodies[key])).toContain(SAM.email);
    }
    // Bids name their contact person to whoever reads them.
    for (const key of ['bids', 'bidsAsEvaluator', 'ownBids']) {
      const items = (bodies[key] as { items: Array<{ supplierOrg: string; contact: unknown }> })
        .items;
      expect(items.find((b) => b.supplierOrg === 'org-sepsiswatch')?.contact).toEqual({
        personId: 'u-sam',
        erased: false,
        ...SAM,
      });
    }
    // The OCDS export gives each awarded supplier its contact point, and stays valid OCDS.
    const ocds = bodies['ocds'] as OcdsPackage;
    expect(validateOcds(ocds)).toBe(true);
    const parties = lastParties(ocds);
    expect(parties.find((p) => p.id === 'org-sepsiswatch')?.contactPoint).toEqual(SAM);
    expect(parties.find((p) => p.id === 'org-labtech')?.contactPoint).toEqual(TOM);
    expect(seen.get('ops export-ocds')).toContain(SAM.email);
    // The evaluator's name is recorded with the scores, from the token.
    const scored = (
      bodies['tenderHistory'] as { items: Array<{ type: string; data: unknown }> }
    ).items.filter((e) => e.type === 'BidScored');
    expect(scored).toHaveLength(2);
    for (const e of scored) {
      expect(e.data).toMatchObject({
        evaluatorId: 'u-eva',
        evaluatorName: { personId: 'u-eva', erased: false, name: EVA },
      });
    }
  });

  it('erases only for an admin or the person themself, with a reason', async () => {
    await post('/people/u-sam/erasure', 'tom').send({ reason: 'Not mine to erase' }).expect(403);
    await post('/people/u-sam/erasure', 'ana').send({ reason: 'Not mine to erase' }).expect(403);
    await post('/people/u-sam/erasure', 'adm').send({}).expect(400);
    await post('/people/u-sam/erasure', 'adm').send({ reason: '   ' }).expect(400);
    await app.http().post('/people/u-sam/erasure').send({ reason: 'anonymous' }).expect(401);
    for (const bad of ['%00', 'u-%0Asam', '%ED%A0%80', 'x'.repeat(201)]) {
      await post(`/people/${bad}/erasure`, 'adm').send({ reason: 'bad id' }).expect(400);
    }
    // Nothing was erased by the refusals.
    const response = await get(`/consultations/${consultationId}/responses/${samResponse}`, 'ana');
    expect(response.contact).toMatchObject({ erased: false, name: SAM.name });
  });

  it('after erasure no read model, history, timeline or audit answer holds the data; integrity still verifies', async () => {
    const hashesBefore = (await app.store.readAll(BEFORE_FIRST, 100_000)).map((e) => e.hash);
    const erased = await post('/people/u-sam/erasure', 'adm')
      .set('x-correlation-id', randomUUID())
      .send({ reason: 'Erasure request DPO-4411 under GDPR Art. 17' })
      .expect(200);
    expect(erased.body).toMatchObject({
      personId: 'u-sam',
      keysErased: 1,
      streamId: 'platform-person-u-sam',
    });

    const bodies = await readEverything();
    for (const [what, body] of seen) {
      const json = JSON.stringify(body);
      for (const trace of SAM_TRACES) {
        if (json.includes(trace)) throw new Error(`${what} still shows ${trace}`);
      }
    }
    const consultation = bodies['consultation'] as {
      responses: Array<{ id: string; contact: unknown }>;
    };
    expect(consultation.responses.find((r) => r.id === samResponse)?.contact).toEqual({
      personId: 'u-sam',
      erased: true,
    });
    // Other people's data is untouched.
    expect(consultation.responses.find((r) => r.id === tomResponse)?.contact).toEqual({
      personId: 'u-tom',
      erased: false,
      ...TOM,
    });

    const bids = (bodies['bids'] as { items: Array<{ supplierOrg: string; contact: unknown }> })
      .items;
    expect(bids.find((b) => b.supplierOrg === 'org-sepsiswatch')?.contact).toEqual({
      personId: 'u-sam',
      erased: true,
    });
    const ocds = bodies['ocds'] as OcdsPackage;
    expect(validateOcds(ocds)).toBe(true);
    const parties = lastParties(ocds);
    expect(parties.find((p) => p.id === 'org-sepsiswatch')).not.toHaveProperty('contactPoint');
    expect(parties.find((p) => p.id === 'org-labtech')?.contactPoint).toEqual(TOM);

    // The audit event says who erased whose data, when and why, and nothing personal.
    const audit = bodies['auditEvents'] as {
      items: Array<{ type: string; actor: { userId: string }; data: unknown; reason: string }>;
    };
    const record = audit.items.find((e) => e.type === 'PersonalDataErased');
    expect(record).toMatchObject({
      actor: { userId: 'u-adm' },
      reason: 'Erasure request DPO-4411 under GDPR Art. 17',
      data: { personId: 'u-sam', keysErased: 1 },
    });

    // No event was rewritten; the integrity proofs hold over the same ciphertexts.
    const after = await app.store.readAll(BEFORE_FIRST, 100_000);
    expect(after.map((e) => e.hash).slice(0, hashesBefore.length)).toEqual(hashesBefore);
    const verification = await get('/audit/verify', 'aud');
    expect(verification.ok).toBe(true);
  });

  it('lets a person erase their own data; repeating an erasure is harmless', async () => {
    const own = await post('/people/u-tom/erasure', 'tom')
      .send({ reason: 'My own request' })
      .expect(200);
    expect(own.body).toMatchObject({ personId: 'u-tom', keysErased: 1 });
    const again = await post('/people/u-tom/erasure', 'adm')
      .send({ reason: 'Repeated request' })
      .expect(200);
    expect(again.body).toMatchObject({ personId: 'u-tom', keysErased: 0, revision: 1 });
    const response = await get(`/consultations/${consultationId}/responses/${tomResponse}`, 'ana');
    expect(response.contact).toEqual({ personId: 'u-tom', erased: true });

    await post('/people/u-eva/erasure', 'eva')
      .send({ reason: 'Left the expert panel' })
      .expect(200);
    seen.clear();
    await readEverything();
    for (const [what, body] of seen) {
      const json = JSON.stringify(body);
      for (const trace of [EVA, TOM.name, TOM.email]) {
        if (json.includes(trace)) throw new Error(`${what} still shows ${trace}`);
      }
    }
    const history = await get(`/tenders/${tenderId}/history`, 'aud');
    const scored = (history.items as Array<{ type: string; data: unknown }>).filter(
      (e) => e.type === 'BidScored',
    );
    expect(scored.map((e) => e.data)).toEqual([
      expect.objectContaining({ evaluatorName: { personId: 'u-eva', erased: true } }),
      expect.objectContaining({ evaluatorName: { personId: 'u-eva', erased: true } }),
    ]);
    expect((await get('/audit/verify', 'aud')).ok).toBe(true);
  });

  it('still verifies with the operations CLI once the platform is stopped', async () => {
    const dataDir = app.dataDir;
    await app.close(true);
    closed = true;
    const out: string[] = [];
    const io = {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: () => true },
      env: {},
    };
    try {
      const code = await runOps(['verify', '--data-dir', dataDir], io);
      expect(out.join('')).toMatch(/^ok: /);
      expect(code).toBe(0);
    } finally {
      const { rmSync } = await import('node:fs');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
