import { consultationsContextWith } from '@pcp/consultations';
import { MongooseDocumentStore } from '@pcp/documents';
import { needsContext } from '@pcp/needs';
import { createTestApp, type TestApp } from '@pcp/platform';
import { tendersContextWith } from '@pcp/tenders';
import { requireEngine } from '@pcp/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { runOps } from './ops';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t), isTTY: false },
      env: {},
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

const need = (n: number) => ({
  title: `Early detection of sepsis in emergency departments, region ${n}`,
  description:
    'Sepsis is recognised too late in two out of five emergency admissions; clinicians need an early ' +
    'warning from routine vital signs and laboratory values.',
  region: 'ES11',
  diseaseField: 'infectious',
  scope: ['early_detection'],
  patientPopulation: 12000,
  budgetEstimateEur: 2_500_000,
  barriers: ['data_fragmentation'],
  evidence: [{ title: 'Regional sepsis audit 2024' }],
});

// The operations CLI against the embedded platform, as an operator would use it: demo data
// and tenders through the API, the OCDS export of every tender, then the read models rebuilt
// from the log into MongoDB (FerretDB here).
describe('ops against a running platform', () => {
  let app: TestApp;
  let procurer: string;
  const outDir = mkdtempSync(join(tmpdir(), 'ops-ocds-'));
  const tenderIds: string[] = [];

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        needsContext,
        consultationsContextWith({ consistencyWaitMs: 3000 }),
        tendersContextWith({ consistencyWaitMs: 3000 }),
      ],
    });
    procurer = await app.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
  });

  afterAll(async () => {
    await app?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  const post = (path: string, body: object, token = procurer) =>
    request(app.url).post(path).auth(token, { type: 'bearer' }).send(body);

  async function publishedTender(n: number): Promise<string> {
    const needId = (await post('/needs', need(n)).expect(201)).body.id as string;
    await post(`/needs/${needId}/validate`, {}).expect(200);
    const consultationId = (
      await post('/consultations', {
        needId,
        title: `Open market consultation ${n}: early sepsis warning`,
        description: 'What can detect sepsis earlier from routine data, and how mature is it?',
        opensAt: new Date(Date.now() - 1000).toISOString(),
        closesAt: new Date(Date.now() + 86_400_000).toISOString(),
        questions: ['Which data does your solution need?'],
      }).expect(201)
    ).body.id as string;
    await post(`/consultations/${consultationId}/publish`, {}).expect(200);
    await post(`/consultations/${consultationId}/close`, {
      report: 'No responses this time.',
    }).expect(200);
    await post(`/consultations/${consultationId}/route`, {
      route: 'PCP',
      rationale: 'Nothing on the market: R&D is still needed.',
    }).expect(200);
    const tenderId = (
      await post('/tenders', {
        consultationId,
        procedure: 'PCP',
        title: `PCP ${n}: early warning of sepsis`,
        description: 'Three phases: solution design, prototyping, original development.',
        budgetEur: 3_000_000,
        submissionDeadline: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        criteria: [
          { name: 'quality', weight: 80 },
          { name: 'price', weight: 20 },
        ],
        phases: [
          { budgetEur: 250_000, durationMonths: 3, maxSuppliers: 5 },
          { budgetEur: 900_000, durationMonths: 6, maxSuppliers: 3 },
          { budgetEur: 1_600_000, durationMonths: 12, maxSuppliers: 2 },
        ],
      }).expect(201)
    ).body.id as string;
    await post(`/tenders/${tenderId}/publish`, {}).expect(200);
    return tenderId;
  }

  it('loads the demo data through the API', async () => {
    const run = capture();
    // joined with '=': a random secret may begin with '-', which parseArgs refuses as a value
    expect(await runOps(['demo', '--url', app.url, `--secret=${app.secret}`], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/^demo data loaded into http:\/\/127\.0\.0\.1:\d+: \d+ needs/);
    await app.settle();
    const needs = await request(app.url)
      .get('/needs?limit=500')
      .auth(procurer, { type: 'bearer' })
      .expect(200);
    const loaded =
      /: (\d+) needs, (\d+) buyers group, (\d+) consultations, (\d+) responses, (\d+) clarifications/.exec(
        run.stdout(),
      );
    expect(loaded).not.toBeNull();
    const [needCount, groupCount, consultationCount, responseCount] = (loaded ?? [])
      .slice(1, 5)
      .map(Number);
    expect(needs.body.items.length).toBeGreaterThanOrEqual(needCount);

    // The demo runs first in this file: every consultation and group listed is the demo's.
    const auditor = await app.token({
      sub: 'u-aud',
      org: 'org-court-of-audit',
      roles: ['auditor'],
    });
    const read = async (path: string) =>
      (await request(app.url).get(path).auth(auditor, { type: 'bearer' }).expect(200)).body;
    const groups = (await read('/buyers-groups?limit=500')).items as {
      memberOrgs: string[];
      regions: string[];
    }[];
    expect(groups).toHaveLength(groupCount);
    expect(groups[0].memberOrgs).toHaveLength(3);
    expect(groups[0].regions.length).toBeGreaterThanOrEqual(2);

    type Listed = {
      id: string;
      title: string;
      status: string;
      responseCount: number;
      report: string | null;
      routeDecision: { route: string; bestTrl: number | null } | null;
    };
    const consultations = (await read('/consultations?limit=500')).items as Listed[];
    expect(consultations.length).toBeGreaterThan(0);
    expect(consultations).toHaveLength(consultationCount);
    expect(consultations.reduce((sum, c) => sum + c.responseCount, 0)).toBe(responseCount);
    for (const c of consultations) {
      expect((await read(`/consultations/${c.id}/responses`)).items).toHaveLength(c.responseCount);
    }
    // The closing report states what was really answered.
    const sepsis = consultations.find((c) => /sepsis/.test(c.title));
    expect(sepsis).toMatchObject({
      status: 'ROUTE_DECIDED',
      responseCount: 3,
      routeDecision: { route: 'PCP', bestTrl: 6 },
    });
    expect(sepsis?.report).toMatch(
      /^3 suppliers answered, declaring TRL 6, 5 and 4; the best declared TRL is 6\./,
    );
  });

  it('exports the OCDS release package of every tender, page after page', async () => {
    for (const n of [1, 2, 3]) tenderIds.push(await publishedTender(n));
    await app.settle();
    const run = capture();
    const code = await runOps(
      [
        'export-ocds',
        '--url',
        app.url,
        '--out',
        outDir,
        `--secret=${app.secret}`,
        '--page-size',
        '2',
      ],
      run.io,
    );
    expect(run.stderr()).not.toContain('ops export-ocds:');
    expect(code).toBe(0);
    expect(run.stdout()).toBe(`exported the OCDS of 3 tenders to ${outDir}\n`);
    expect(run.stderr()).toContain('export OCDS [########################] 3/3 100%');
    expect(readdirSync(outDir).sort()).toEqual(tenderIds.map((id) => `${id}.ocds.json`).sort());
    for (const id of tenderIds) {
      const saved = readFileSync(join(outDir, `${id}.ocds.json`), 'utf8');
      const served = (await request(app.url).get(`/tenders/${id}/ocds`).expect(200)).body;
      expect(JSON.parse(saved)).toEqual(served);
      expect(saved).toContain(id);
    }
  });

  it('refuses an export with a bad token', async () => {
    const run = capture();
    expect(
      await runOps(
        ['export-ocds', '--url', app.url, '--out', outDir, '--token', 'nonsense'],
        run.io,
      ),
    ).toBe(1);
    expect(run.stderr()).toContain('answered 401');
  });

  it('rebuilds every read model from the log into MongoDB, dropping what was there', async () => {
    await app.close(true);
    const dbName = `pcp_ops_${randomBytes(5).toString('hex')}`;
    const mongoUrl = requireEngine('mongo');
    const documents = await MongooseDocumentStore.connect(mongoUrl, { dbName });
    try {
      await documents.collection('tenders').upsert('stale-tender', { title: 'left from before' });
      const url = new URL(mongoUrl);
      url.pathname = `/${dbName}`;
      const run = capture();
      const code = await runOps(
        ['rebuild', '--all', '--data-dir', app.dataDir, '--mongo-url', url.toString()],
        run.io,
      );
      expect(run.stderr()).not.toContain('ops rebuild:');
      expect(code).toBe(0);
      for (const name of ['needs', 'consultations', 'tenders', 'tenders-bids', 'pilots']) {
        expect(run.stdout()).toMatch(new RegExp(`^rebuilt ${name} from embedded store`, 'm'));
        expect(run.stderr()).toMatch(new RegExp(`rebuild ${name} \\[#+\\] \\d+/\\d+ 100%`));
      }
      expect(await documents.collection('tenders').get('stale-tender')).toBeNull();
      for (const id of tenderIds) {
        expect(await documents.collection('tenders').get(id)).toMatchObject({
          data: expect.objectContaining({ status: 'PUBLISHED' }),
        });
      }
      expect(await documents.collection('needs').count()).toBeGreaterThanOrEqual(3);
    } finally {
      await documents.dropDatabase();
      await documents.close();
    }
  });
});
