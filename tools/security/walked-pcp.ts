import type { Role } from '@pcp/auth';
import {
  consultation,
  need,
  type SetUpOptions,
  tender,
  type TokenOf,
} from './another-organisation';
import { type Reply, type Send, takeStep, untilTaken } from './requests';

const DAY = 86_400_000;

/**
 * One PCP of organisation A walked through opening, evaluation, award, deliverables,
 * down-selection and a pilot of its last phase. At each step the wrong caller tries the step
 * first, while it would succeed for the right one, and the owner then takes it.
 */
export interface WalkedPcp {
  ids: Record<string, string>;
  /** Each wrong caller's attempt, by step. */
  refused: Map<string, Reply>;
  /** Tokens by person: owner, stranger, holder, rival, outsider, eva, ivo, admin... */
  who: Record<string, string>;
}

interface Contract {
  id: string;
  contractId: string;
  supplierOrg: string;
}

function contractOf(contracts: Contract[], supplierOrg: string): string {
  const found = contracts.find((c) => c.supplierOrg === supplierOrg);
  if (!found) throw new Error(`No contract of ${supplierOrg} among ${JSON.stringify(contracts)}`);
  return found.id;
}

export async function walkPcpOfOrganisationA(
  send: Send,
  tokenOf: TokenOf,
  { settle = async () => undefined, retryForMs = 0 }: SetUpOptions,
): Promise<WalkedPcp> {
  const ids: Record<string, string> = {};
  const refused = new Map<string, Reply>();
  const who: Record<string, string> = {};
  const people: Array<[string, string, string, Role]> = [
    ['owner', 'u-ana', 'org-a', 'procurer'],
    ['stranger', 'u-bea', 'org-b', 'procurer'],
    ['holder', 'u-sol', 'org-s1', 'supplier'],
    ['rival', 'u-sid', 'org-s2', 'supplier'],
    ['outsider', 'u-sue', 'org-s3', 'supplier'],
    ['eva', 'u-eva', 'org-experts', 'evaluator'],
    ['ivo', 'u-ivo', 'org-experts', 'evaluator'],
    ['admin', 'u-adm', 'org-platform', 'admin'],
    // Right organisation, wrong role for what it tries.
    ['owner-supplier', 'u-sam', 'org-a', 'supplier'],
    ['holder-procurer', 'u-pat', 'org-s1', 'procurer'],
  ];
  for (const [name, sub, org, role] of people) {
    who[name] = await tokenOf({ sub, org, roles: [role] });
  }
  const as = (name: string, method: string, path: string, body?: unknown) =>
    takeStep(send, retryForMs, who[name], method, path, body);
  const owner = (path: string, body: unknown = {}) => as('owner', 'POST', path, body);
  /** The wrong caller's attempt, kept for the rows below. */
  const attempt = async (key: string, name: string, path: string, body: unknown = {}) => {
    refused.set(key, await send('POST', path, who[name], body));
  };

  const needId = (await owner('/needs', need())).id as string;
  await owner(`/needs/${needId}/validate`);
  const consultationId = (await owner('/consultations', consultation(needId))).id as string;
  await owner(`/consultations/${consultationId}/publish`);
  await owner(`/consultations/${consultationId}/close`, { report: 'No responses.' });
  await owner(`/consultations/${consultationId}/route`, {
    route: 'PCP',
    rationale: 'No solution on the market: R&D is needed.',
    justification: 'No responses to weigh the TRL rule against.',
  });
  await settle();

  // A deadline a few seconds ahead: opening closes bidding once it has passed. A service may
  // hold the first tender on the consultation until it hears of the route; one created with
  // too little time left for the bids stays a draft, and the next is made at once.
  let deadline = 0;
  for (let made = 0; made < 3 && deadline - Date.now() < 6_000; made += 1) {
    deadline = Date.now() + 8_000;
    const submissionDeadline = new Date(deadline).toISOString();
    ids.tender = (await owner('/tenders', { ...tender(consultationId), submissionDeadline }))
      .id as string;
  }
  const t = `/tenders/${ids.tender}`;
  await owner(`${t}/publish`);
  await settle();
  const bid = (name: string, priceEur: number) =>
    as(name, 'POST', `${t}/bids`, {
      priceEur,
      technicalProposal: `Risk score from routine vital signs, by ${name}.`,
      declaredTrl: 4,
    });
  const first = await bid('holder', 200_000);
  ids.bid1 = first.id as string;
  ids.innovation1 = first.innovationId as string;
  ids.bid2 = (await bid('rival', 210_000)).id as string;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now() + 500)));

  await attempt('open-bids', 'stranger', `${t}/open-bids`);
  await owner(`${t}/open-bids`);
  await attempt('unsuccessful', 'stranger', `${t}/unsuccessful`, {
    reason: 'Not ours to end',
  });
  await attempt('evaluators', 'stranger', `${t}/evaluators`, { evaluatorIds: ['u-ivo'] });
  await owner(`${t}/evaluators`, { evaluatorIds: ['u-eva'] });
  const scores = {
    scores: [
      { criterion: 'quality', score: 80 },
      { criterion: 'price', score: 70 },
    ],
  };
  await attempt('conflict', 'ivo', `${t}/bids/${ids.bid1}/conflict-declarations`, {
    conflict: false,
  });
  for (const bidId of [ids.bid1, ids.bid2]) {
    await as('eva', 'POST', `${t}/bids/${bidId}/conflict-declarations`, { conflict: false });
  }
  await attempt('scores', 'ivo', `${t}/bids/${ids.bid1}/scores`, scores);
  for (const bidId of [ids.bid1, ids.bid2]) {
    await as('eva', 'POST', `${t}/bids/${bidId}/scores`, scores);
  }
  await attempt('reject-bid', 'stranger', `${t}/bids/${ids.bid2}/reject`, {
    reason: 'Not ours to reject',
  });

  const award = { bidIds: [ids.bid1, ids.bid2], reason: 'Both admissible bids' };
  await attempt('award', 'stranger', `${t}/phases/1/award`, award);
  const phase1 = (await owner(`${t}/phases/1/award`, award)).contracts as Contract[];
  ids.c1 = contractOf(phase1, 'org-s1');
  ids.c2 = contractOf(phase1, 'org-s2');

  const deliverable = { title: 'Phase 1 report', description: 'Results of the phase.' };
  await attempt('deliverable', 'rival', `${t}/contracts/${ids.c1}/deliverables`, deliverable);
  ids.d1 = (await as('holder', 'POST', `${t}/contracts/${ids.c1}/deliverables`, deliverable))
    .id as string;
  ids.d2 = (await as('rival', 'POST', `${t}/contracts/${ids.c2}/deliverables`, deliverable))
    .id as string;
  await attempt('accept', 'stranger', `${t}/contracts/${ids.c1}/deliverables/${ids.d1}/accept`);
  await owner(`${t}/contracts/${ids.c1}/deliverables/${ids.d1}/accept`);
  await owner(`${t}/contracts/${ids.c2}/deliverables/${ids.d2}/accept`);

  const results = (contracts: string[]) => ({
    results: contracts.map((contractId) => ({
      contractId,
      passed: true,
      assessedTrl: 5,
      reason: 'Met the target',
    })),
  });
  await attempt('complete-1', 'stranger', `${t}/phases/1/complete`, results([ids.c1, ids.c2]));
  await owner(`${t}/phases/1/complete`, results([ids.c1, ids.c2]));
  const select = { contractIds: [ids.c1, ids.c2], reason: 'Both designs are promising' };
  await attempt('down-select', 'stranger', `${t}/phases/2/down-select`, select);
  const phase2 = (await owner(`${t}/phases/2/down-select`, select)).contracts as Contract[];
  ids.c1last = contractOf(phase2, 'org-s1');
  ids.c2last = contractOf(phase2, 'org-s2');
  // Phase 2 keeps running: a pending deliverable, and a completion the stranger tries.
  ids.d3 = (
    await as('holder', 'POST', `${t}/contracts/${ids.c1last}/deliverables`, {
      title: 'Prototype report',
      description: 'The prototype in the emergency department.',
    })
  ).id as string;
  await attempt(
    'complete-2',
    'stranger',
    `${t}/phases/2/complete`,
    results([ids.c1last, ids.c2last]),
  );
  await settle();

  ids.testbed = (
    await as('admin', 'POST', '/testbeds', {
      name: 'Emergency department of a regional hospital',
      type: 'HOSPITAL',
      region: 'ES11',
      capabilities: ['emergency care'],
      capacity: 2,
    })
  ).id as string;
  const plan = {
    contractId: ids.c1last,
    testbedId: ids.testbed,
    title: 'Early sepsis warning in the emergency department',
    startsAt: new Date(Date.now() - DAY).toISOString(),
    endsAt: new Date(Date.now() + 90 * DAY).toISOString(),
    kpis: [
      {
        name: 'Time to antibiotics',
        unit: 'minutes',
        target: 60,
        direction: 'LOWER_IS_BETTER',
      },
    ],
  };
  await attempt('plan-pilot', 'stranger', '/pilots', plan);
  const p = `/pilots/${(ids.pilot = (await owner('/pilots', plan)).id as string)}`;
  await attempt('pilot-evaluators', 'stranger', `${p}/evaluators`, { evaluatorIds: ['u-ivo'] });
  await owner(`${p}/evaluators`, { evaluatorIds: ['u-eva'] });
  await attempt('start', 'stranger', `${p}/start`);
  await owner(`${p}/start`);
  const measurement = { kpi: 'Time to antibiotics', value: 42, at: new Date().toISOString() };
  await attempt('measurement-procurer', 'stranger', `${p}/measurements`, measurement);
  await attempt('measurement-supplier', 'rival', `${p}/measurements`, measurement);
  await attempt('measurement-owner-supplier', 'owner-supplier', `${p}/measurements`, measurement);
  await attempt('measurement-holder-procurer', 'holder-procurer', `${p}/measurements`, measurement);
  ids.measurement = (await as('holder', 'POST', `${p}/measurements`, measurement)).id as string;
  const incident = { severity: 'LOW', description: 'Feed delayed for ten minutes.' };
  await attempt('incident-procurer', 'stranger', `${p}/incidents`, incident);
  await attempt('incident-supplier', 'rival', `${p}/incidents`, incident);
  await attempt('incident-owner-supplier', 'owner-supplier', `${p}/incidents`, incident);
  await attempt('incident-holder-procurer', 'holder-procurer', `${p}/incidents`, incident);
  const assessment = {
    trl: 8,
    evidence: [ids.measurement, 'Field test report v1'],
    reason: 'System complete and qualified',
  };
  await attempt('trl', 'ivo', `${p}/trl-assessments`, assessment);
  await as('eva', 'POST', `${p}/trl-assessments`, assessment);
  await attempt('complete-pilot', 'stranger', `${p}/complete`, { reason: 'Not ours' });
  await owner(`${p}/complete`, { reason: 'Twelve weeks of field testing' });
  const decision = { deploy: true, reason: 'Target met in the field', sites: ['ES11'] };
  await attempt('deployment', 'stranger', `${p}/deployment-decision`, decision);
  await owner(`${p}/deployment-decision`, decision);
  await attempt('rollout', 'stranger', `${p}/rollouts`, { site: 'ES12' });
  await settle();
  return { ids, refused, who };
}

/** What the walk's wrong callers were refused, and what they cannot read of it afterwards. */
export function itKeepsTheWalkedPcpToItsParties(
  send: Send,
  walked: () => WalkedPcp,
  { retryForMs = 0 }: Pick<SetUpOptions, 'retryForMs'> = {},
): void {
  it.each([
    ['POST /tenders/{id}/open-bids', 'a procurer of another organisation', 'open-bids'],
    ['POST /tenders/{id}/unsuccessful', 'a procurer of another organisation', 'unsuccessful'],
    ['POST /tenders/{id}/evaluators', 'a procurer of another organisation', 'evaluators'],
    ['POST /tenders/{id}/bids/{bidId}/reject', 'a procurer of another organisation', 'reject-bid'],
    ['POST /tenders/{id}/phases/1/award', 'a procurer of another organisation', 'award'],
    [
      'POST /tenders/{id}/contracts/{contractId}/deliverables/{did}/accept',
      'a procurer of another organisation',
      'accept',
    ],
    ['POST /tenders/{id}/phases/1/complete', 'a procurer of another organisation', 'complete-1'],
    [
      'POST /tenders/{id}/phases/2/down-select',
      'a procurer of another organisation',
      'down-select',
    ],
    ['POST /tenders/{id}/phases/2/complete', 'a procurer of another organisation', 'complete-2'],
    [
      'POST /tenders/{id}/contracts/{contractId}/deliverables',
      'a supplier that does not hold the contract',
      'deliverable',
    ],
    [
      'POST /tenders/{id}/bids/{bidId}/conflict-declarations',
      'an evaluator not assigned to the tender',
      'conflict',
    ],
    ['POST /tenders/{id}/bids/{bidId}/scores', 'an evaluator not assigned to the tender', 'scores'],
    ['POST /pilots (on its contract)', 'a procurer of another organisation', 'plan-pilot'],
    ['POST /pilots/{id}/evaluators', 'a procurer of another organisation', 'pilot-evaluators'],
    ['POST /pilots/{id}/start', 'a procurer of another organisation', 'start'],
    [
      'POST /pilots/{id}/measurements',
      'a procurer of another organisation',
      'measurement-procurer',
    ],
    [
      'POST /pilots/{id}/measurements',
      'a supplier that does not hold the contract',
      'measurement-supplier',
    ],
    ['POST /pilots/{id}/incidents', 'a procurer of another organisation', 'incident-procurer'],
    [
      'POST /pilots/{id}/incidents',
      'a supplier that does not hold the contract',
      'incident-supplier',
    ],
    [
      'POST /pilots/{id}/measurements',
      'a supplier of the organisation running the pilot',
      'measurement-owner-supplier',
    ],
    [
      'POST /pilots/{id}/measurements',
      "a procurer of the contract holder's organisation",
      'measurement-holder-procurer',
    ],
    [
      'POST /pilots/{id}/incidents',
      'a supplier of the organisation running the pilot',
      'incident-owner-supplier',
    ],
    [
      'POST /pilots/{id}/incidents',
      "a procurer of the contract holder's organisation",
      'incident-holder-procurer',
    ],
    ['POST /pilots/{id}/trl-assessments', 'an evaluator not assigned to the pilot', 'trl'],
    ['POST /pilots/{id}/complete', 'a procurer of another organisation', 'complete-pilot'],
    ['POST /pilots/{id}/deployment-decision', 'a procurer of another organisation', 'deployment'],
    ['POST /pilots/{id}/rollouts', 'a procurer of another organisation', 'rollout'],
  ])('%s by %s: 403', (route, _caller, key) => {
    const res = walked().refused.get(key);
    expect({ route, status: res?.status }).toEqual({ route, status: 403 });
    expect(res?.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  const read = (name: string, path: string) => send('GET', path, walked().who[name]);
  /** A read its caller may make, once the service behind it has heard of what it shows. */
  const readAllowed = (name: string, path: string) =>
    untilTaken(() => read(name, path), retryForMs);

  it('shows a pilot, its items and its history only to its procurers, holder and evaluators', async () => {
    const { ids } = walked();
    const p = `/pilots/${ids.pilot}`;
    for (const name of ['owner', 'holder', 'eva']) {
      expect({ name, status: (await read(name, p)).status }).toEqual({ name, status: 200 });
    }
    for (const name of ['stranger', 'rival', 'ivo']) {
      for (const path of [p, `${p}/history`, `${p}/measurements`, `${p}/incidents`]) {
        const res = await read(name, path);
        expect({ name, path, status: res.status }).toEqual({ name, path, status: 403 });
        expect(JSON.stringify(res.body)).not.toContain('Time to antibiotics');
      }
      const list = await read(name, '/pilots?limit=500');
      expect(list.status).toBe(200);
      expect((list.body.items as Array<{ id: string }>).map((i) => i.id)).not.toContain(ids.pilot);
    }
    const mine = await read('owner', '/pilots?limit=500');
    expect((mine.body.items as Array<{ id: string }>).map((i) => i.id)).toContain(ids.pilot);
  });

  it("keeps an innovation's journey and timeline from other organisations", async () => {
    const { ids } = walked();
    const i = `/innovations/${ids.innovation1}`;
    for (const name of ['owner', 'holder']) {
      expect({ name, status: (await readAllowed(name, i)).status }).toEqual({ name, status: 200 });
      const timeline = await readAllowed(name, `${i}/timeline`);
      expect({ name, status: timeline.status }).toEqual({ name, status: 200 });
    }
    for (const name of ['stranger', 'rival']) {
      for (const path of [i, `${i}/timeline`]) {
        const res = await read(name, path);
        expect({ name, path, status: res.status }).toEqual({ name, path, status: 403 });
      }
      const list = await read(name, '/innovations?limit=500');
      expect(list.status).toBe(200);
      expect((list.body.items as Array<{ id: string }>).map((x) => x.id)).not.toContain(
        ids.innovation1,
      );
    }
    const mine = await read('owner', '/innovations?limit=500');
    expect((mine.body.items as Array<{ id: string }>).map((x) => x.id)).toContain(ids.innovation1);
  });

  it("keeps another organisation's bids, ranking, contracts and deliverables out of sight", async () => {
    const { ids } = walked();
    const t = `/tenders/${ids.tender}`;
    // A procurer of another organisation, and an evaluator not assigned to the tender.
    for (const name of ['stranger', 'ivo']) {
      for (const path of [`${t}/bids`, `${t}/ranking`]) {
        const res = await read(name, path);
        expect({ name, path, status: res.status }).toEqual({ name, path, status: 403 });
        expect(JSON.stringify(res.body)).not.toContain('routine vital signs');
      }
    }
    expect((await read('eva', `${t}/ranking`)).status).toBe(200);
    // The rival supplier reads its own bid only.
    const bids = await read('rival', `${t}/bids`);
    expect((bids.body.items as Array<{ bidId: string }>).map((b) => b.bidId)).toEqual([ids.bid2]);

    // Public fields for everyone; deliverables only for the owner and each contract's holder.
    const deliverablesSeenBy = async (name: string) => {
      const res = await read(name, t);
      expect(res.status).toBe(200);
      const contracts = res.body.contracts as Array<{
        contractId: string;
        deliverables?: unknown;
      }>;
      return contracts.filter((c) => c.deliverables !== undefined).map((c) => c.contractId);
    };
    expect((await deliverablesSeenBy('owner')).sort()).toEqual(
      [ids.c1, ids.c2, ids.c1last, ids.c2last].sort(),
    );
    expect(await deliverablesSeenBy('stranger')).toEqual([]);
    expect((await deliverablesSeenBy('rival')).sort()).toEqual([ids.c2, ids.c2last].sort());

    // Participations: the rival sees its own contracts only; a supplier that never bid, none.
    const rival = await read('rival', '/me/participations');
    const here = (rival.body.items as Array<{ tenderId: string; contracts: Contract[] }>).find(
      (item) => item.tenderId === ids.tender,
    );
    expect(here?.contracts.map((c) => c.contractId).sort()).toEqual([ids.c2, ids.c2last].sort());
    expect(JSON.stringify(rival.body)).not.toContain(ids.c1last);
    const outsider = await read('outsider', '/me/participations');
    expect(outsider.status).toBe(200);
    expect(JSON.stringify(outsider.body)).not.toContain(ids.tender);
  });

  it('leaves what it refused unchanged', async () => {
    const { ids } = walked();
    const strangers = (items: Array<{ actor: { userId: string; org: string } }>) =>
      items.filter(
        (e) =>
          ['org-b', 'org-s3'].includes(e.actor.org) ||
          ['u-ivo', 'u-sam', 'u-pat'].includes(e.actor.userId),
      );

    const history = await read('owner', `/tenders/${ids.tender}/history`);
    expect(history.status).toBe(200);
    const events = history.body.items as Array<{
      type: string;
      actor: { userId: string; org: string };
      data: Record<string, unknown>;
    }>;
    expect(strangers(events)).toEqual([]);
    // The rival handed in one deliverable, for its own contract.
    const deliverables = events.filter((e) => e.type === 'DeliverableSubmitted');
    expect(deliverables.map((e) => [e.data['contractId'], e.data['supplierOrg']])).toEqual([
      [ids.c1, 'org-s1'],
      [ids.c2, 'org-s2'],
      [ids.c1last, 'org-s1'],
    ]);
    const t = await read('owner', `/tenders/${ids.tender}`);
    expect(t.body).toMatchObject({ status: 'IN_PHASE', phase: 2 });
    const contracts = t.body.contracts as Array<{
      contractId: string;
      status: string;
      deliverables: Array<{ deliverableId: string; accepted: boolean }>;
    }>;
    const last = contracts.find((c) => c.contractId === ids.c1last);
    expect(last).toMatchObject({ status: 'RUNNING' });
    expect(last?.deliverables).toEqual([expect.objectContaining({ accepted: false })]);
    const bids = await read('owner', `/tenders/${ids.tender}/bids`);
    expect((bids.body.items as Array<{ status: string }>).map((b) => b.status)).toEqual([
      'OPENED',
      'OPENED',
    ]);

    const pilotHistory = await read('owner', `/pilots/${ids.pilot}/history`);
    const pilotEvents = pilotHistory.body.items as Array<{
      type: string;
      actor: { userId: string; org: string };
    }>;
    expect(strangers(pilotEvents)).toEqual([]);
    expect(pilotEvents.filter((e) => e.actor.org === 'org-s2')).toEqual([]);
    expect(pilotEvents.map((e) => e.type)).not.toContain('IncidentReported');
    expect(pilotEvents.map((e) => e.type)).not.toContain('RolloutRecorded');
    const pilot = await read('owner', `/pilots/${ids.pilot}`);
    expect(pilot.body).toMatchObject({ evaluators: ['u-eva'] });
    const measurements = await read('owner', `/pilots/${ids.pilot}/measurements`);
    expect((measurements.body.items as Array<{ id: string }>).map((m) => m.id)).toEqual([
      ids.measurement,
    ]);
  });
}
