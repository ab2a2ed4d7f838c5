import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, consultationFor, galicianNeed, type Client, type Reply } from './scenario';

/** The secret of the sealed bid: it must not appear in any bundle before the opening. */
export const SEALED_PROPOSAL = 'Retinal micro-vessel sepsis score, codename HERON-41';

export const people = {
  ana: { sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
  sam: { sub: 'u-sam', org: 'org-medtech-sme', roles: ['supplier'] },
  rita: { sub: 'u-rita', org: 'org-rival-sme', roles: ['supplier'] },
  aud: { sub: 'u-aud', org: 'org-court-of-audit', roles: ['auditor'] },
};

export interface Tokens {
  ana: string;
  sam: string;
  rita: string;
  aud: string;
}

export async function tokensFor(client: Client): Promise<Tokens> {
  return {
    ana: await client.token(people.ana),
    sam: await client.token(people.sam),
    rita: await client.token(people.rita),
    aud: await client.token(people.aud),
  };
}

export async function ok(
  client: Client,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply['body']> {
  const res = await call(client, token, method, path, body);
  expect({ path, status: res.status < 300 ? 'ok' : res.body }).toEqual({ path, status: 'ok' });
  return res.body;
}

/** Polls `read` until `done` holds, or fails with the last value after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    value = await read();
  }
  expect(done(value)).toBe(true);
  return value;
}

export interface TenderStory {
  needId: string;
  consultationId: string;
  tenderId: string;
  innovationId: string;
  bidId: string;
  rivalBidId: string;
}

/**
 * A need validated, a consultation published and answered, closed and routed to PCP, a tender
 * published with a short deadline and two bids in it, one of them sealed with a secret.
 */
export async function tenderWithSealedBids(client: Client, t: Tokens): Promise<TenderStory> {
  const needId = (await ok(client, t.ana, 'POST', '/needs', galicianNeed)).id;
  await ok(client, t.ana, 'POST', `/needs/${needId}/validate`, {});
  const consultationId = (
    await ok(client, t.ana, 'POST', '/consultations', consultationFor(needId))
  ).id;
  await ok(client, t.ana, 'POST', `/consultations/${consultationId}/publish`, {});
  const response = await ok(client, t.sam, 'POST', `/consultations/${consultationId}/responses`, {
    solutionName: 'SepsisWatch',
    summary: 'Early warning score.',
    declaredTrl: 5,
  });
  await ok(client, t.ana, 'POST', `/consultations/${consultationId}/close`, {
    report: 'One response.',
  });
  await ok(client, t.ana, 'POST', `/consultations/${consultationId}/route`, {
    route: 'PCP',
    rationale: 'TRL 5: R&D needed',
  });
  const tender = await ok(client, t.ana, 'POST', '/tenders', {
    consultationId,
    procedure: 'PCP',
    title: 'PCP: early warning of sepsis',
    description: 'Two phases.',
    budgetEur: 1_000_000,
    submissionDeadline: new Date(Date.now() + 10_000).toISOString(),
    criteria: [{ name: 'quality', weight: 100 }],
    phases: [
      { budgetEur: 200_000, durationMonths: 3, maxSuppliers: 3 },
      { budgetEur: 500_000, durationMonths: 9, maxSuppliers: 2 },
    ],
  });
  await ok(client, t.ana, 'POST', `/tenders/${tender.id}/publish`, {});
  const bid = await ok(client, t.sam, 'POST', `/tenders/${tender.id}/bids`, {
    priceEur: 150_000,
    technicalProposal: SEALED_PROPOSAL,
    declaredTrl: 5,
    innovationId: response.innovationId,
  });
  const rival = await ok(client, t.rita, 'POST', `/tenders/${tender.id}/bids`, {
    priceEur: 170_000,
    technicalProposal: 'Rival proposal',
    declaredTrl: 4,
  });
  return {
    needId,
    consultationId,
    tenderId: tender.id,
    innovationId: response.innovationId,
    bidId: bid.id,
    rivalBidId: rival.id,
  };
}

/** Waits for the deadline to close bidding, then opens the bids. */
export async function openBids(client: Client, t: Tokens, tenderId: string): Promise<void> {
  await eventually(
    async () => (await ok(client, t.ana, 'GET', `/tenders/${tenderId}`)).status,
    (status) => status === 'BIDS_CLOSED',
  );
  await ok(client, t.ana, 'POST', `/tenders/${tenderId}/open-bids`, {});
}

/** Runs the standalone verifier on a bundle, as an auditor would: exit code and output. */
export function verifyOffline(bundle: unknown): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pcp-bundle-'));
  const file = join(dir, 'bundle.json');
  writeFileSync(file, typeof bundle === 'string' ? bundle : JSON.stringify(bundle, null, 2));
  const run = spawnSync(process.execPath, ['tools/verify-bundle/verify-bundle.js', file], {
    cwd: join(__dirname, '..', '..'),
    encoding: 'utf8',
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

/** The bundle's text with one byte of one event's payload changed. */
export function withOneByteEdited(text: string, needle: string): string {
  const at = text.indexOf(needle);
  expect(at).toBeGreaterThan(0);
  const replaced = needle[0] === 'S' ? 's' : 'S';
  return `${text.slice(0, at)}${replaced}${text.slice(at + 1)}`;
}
