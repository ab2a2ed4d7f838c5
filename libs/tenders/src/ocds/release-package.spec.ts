import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { TenderCommand, TenderEvent } from '../domain/tender';
import {
  at,
  awardPhase1,
  draftPcp,
  pcpBids,
  pcpClosed,
  pcpCompleted,
  pcpEvaluated,
  pcpPublished,
  ppiStory,
  procurer,
  sealBid,
  story,
  submit,
  suppliers,
} from '../domain/__fixtures__/tender-story';
import {
  DEFAULT_OCID_PREFIX,
  ocdsReleasePackage,
  type OcdsReleasePackage,
  type StoredTenderEvent,
} from './release-package';
import releasePackageSchema from './schema/release-package-schema.json';
import releaseSchema from './schema/release-schema.json';

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
// The package schema refers to the release schema by its id: resolved here, not fetched.
ajv.addSchema(releaseSchema);
const validatePackage = ajv.compile(releasePackageSchema);

function expectValid(pkg: OcdsReleasePackage | null): OcdsReleasePackage {
  expect(pkg).not.toBeNull();
  const valid = validatePackage(pkg);
  expect(validatePackage.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  return pkg as OcdsReleasePackage;
}

function codelist(name: string): string[] {
  const csv = readFileSync(join(__dirname, 'schema', 'codelists', `${name}.csv`), 'utf8');
  return csv
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(',')[0].replace(/^"|"$/g, ''));
}

/** The stored form of a history: ids, revisions from 0 and times that move forward. */
function stored(events: TenderEvent[], start = at.drafting): StoredTenderEvent[] {
  let clock = start.getTime();
  return events.map((event, revision) => {
    const data = event.data as Record<string, unknown>;
    const own = data['publishedAt'] ?? data['closedAt'] ?? data['openedAt'] ?? data['at'];
    clock = Math.max(clock + 60_000, typeof own === 'string' ? Date.parse(own) : 0);
    return {
      id: `evt-${revision}`,
      type: event.type,
      data: event.data,
      occurredAt: new Date(clock).toISOString(),
      revision: BigInt(revision),
    };
  });
}

describe('OCDS release package of a PCP call', () => {
  const pkg = expectValid(ocdsReleasePackage(stored(pcpCompleted())));
  const last = pkg.releases[pkg.releases.length - 1];

  it('validates against the OCDS 1.1 release package schema', () => {
    expect(pkg.version).toBe('1.1');
    expect(pkg.uri).toBe('urn:ocds:ocds-pcp000-tender-91b0');
    expect(pkg.publishedDate).toBe(last.date);
  });

  it('is checked by a validator that refuses what OCDS refuses', () => {
    const broken = structuredClone(pkg) as unknown as {
      releases: Array<{
        tag: string[];
        initiationType?: string;
        tender: { procurementMethod: string };
      }>;
    };
    broken.releases[0].tag = ['bidOpening'];
    broken.releases[1].tender.procurementMethod = 'pcp';
    delete broken.releases[2].initiationType;
    expect(validatePackage(broken)).toBe(false);
    const paths = (validatePackage.errors ?? []).map((e) => e.instancePath);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/releases/0/tag/0',
        '/releases/1/tender/procurementMethod',
        '/releases/2',
      ]),
    );
  });

  it('has one release per public change, under one ocid per tender', () => {
    expect(new Set(pkg.releases.map((r) => r.ocid))).toEqual(
      new Set([`${DEFAULT_OCID_PREFIX}-tender-91b0`]),
    );
    expect(new Set(pkg.releases.map((r) => r.id)).size).toBe(pkg.releases.length);
    expect(pkg.releases.map((r) => r.tag.join('+'))).toEqual([
      'tender',
      'tenderUpdate', // bidding closed
      'tenderUpdate', // bids opened
      'award+contract',
      ...Array(2).fill('implementation'), // deliverables accepted in phase 1
      'contractUpdate+tenderUpdate', // phase 1 completed
      'contract', // down-selection into phase 2
      ...Array(2).fill('implementation'),
      'contractUpdate+tenderUpdate',
      'contract',
      ...Array(2).fill('implementation'),
      'contractUpdate+tenderUpdate',
    ]);
  });

  it('describes the call as pre-commercial procurement with weighted criteria and its phases as milestones', () => {
    expect(last.tender).toMatchObject({
      id: 'tender-91b0',
      title: 'PCP: sepsis early warning',
      status: 'complete',
      procurementMethod: 'selective',
      procurementMethodDetails: 'Pre-commercial procurement (Directive 2014/24/EU Art. 14)',
      mainProcurementCategory: 'services',
      value: { amount: 5_000_000, currency: 'EUR' },
      awardCriteria: 'ratedCriteria',
      awardCriteriaDetails: 'quality 80%, price 20%',
      tenderPeriod: { startDate: '2025-06-02T07:00:00.000Z', endDate: '2025-09-30T14:00:00+02:00' },
      numberOfTenderers: 3,
    });
    expect(last.tender.milestones).toEqual([
      expect.objectContaining({ id: 'phase-1', title: 'Phase 1: SOLUTION_DESIGN', status: 'met' }),
      expect.objectContaining({ id: 'phase-2', title: 'Phase 2: PROTOTYPING', status: 'met' }),
      expect.objectContaining({
        id: 'phase-3',
        title: 'Phase 3: ORIGINAL_DEVELOPMENT_AND_TESTING',
        description: 'Budget EUR 3000000; 12 months; at most 2 suppliers',
        status: 'met',
      }),
    ]);
    const first = pkg.releases[0];
    expect(first.tender.milestones?.map((m) => m.status)).toEqual([
      'scheduled',
      'scheduled',
      'scheduled',
    ]);
    expect(first.tender.numberOfTenderers).toBeUndefined();
  });

  it('publishes one framework agreement per supplier and one contract per phase', () => {
    expect(last.awards?.map((a) => [a.id, a.suppliers[0].id, a.value.amount])).toEqual([
      ['fa-bid-a', suppliers[0], 400_000],
      ['fa-bid-b', suppliers[1], 420_000],
      ['fa-bid-c', suppliers[2], 380_000],
    ]);
    expect(last.contracts?.map((c) => [c.id, c.awardID, c.status])).toEqual([
      ['ctr-1-bid-a', 'fa-bid-a', 'terminated'],
      ['ctr-1-bid-b', 'fa-bid-b', 'terminated'],
      ['ctr-1-bid-c', 'fa-bid-c', 'terminated'],
      ['ctr-2-bid-a', 'fa-bid-a', 'terminated'],
      ['ctr-2-bid-b', 'fa-bid-b', 'terminated'],
      ['ctr-3-bid-a', 'fa-bid-a', 'terminated'],
      ['ctr-3-bid-b', 'fa-bid-b', 'terminated'],
    ]);
    expect(last.contracts?.[0].implementation?.milestones).toEqual([
      expect.objectContaining({ id: 'del-ctr-1-bid-a-1', type: 'delivery', status: 'met' }),
    ]);
    expect(last.parties).toEqual([
      { id: procurer, name: procurer, roles: ['buyer', 'procuringEntity'] },
      ...suppliers.slice(0, 3).map((org) => ({ id: org, name: org, roles: ['supplier'] })),
    ]);
  });

  it('uses only codes of the OCDS codelists', () => {
    const tags = codelist('releaseTag');
    for (const release of pkg.releases) {
      for (const tag of release.tag) expect(tags).toContain(tag);
      expect(codelist('initiationType')).toContain(release.initiationType);
      expect(codelist('tenderStatus')).toContain(release.tender.status);
      expect(codelist('method')).toContain(release.tender.procurementMethod);
      expect(codelist('awardCriteria')).toContain(release.tender.awardCriteria);
      expect(codelist('submissionMethod')).toEqual(
        expect.arrayContaining(release.tender.submissionMethod),
      );
      for (const party of release.parties)
        expect(codelist('partyRole')).toEqual(expect.arrayContaining(party.roles));
      for (const m of release.tender.milestones ?? []) {
        expect(codelist('milestoneType')).toContain(m.type);
        expect(codelist('milestoneStatus')).toContain(m.status);
      }
      for (const a of release.awards ?? []) expect(codelist('awardStatus')).toContain(a.status);
      for (const c of release.contracts ?? [])
        expect(codelist('contractStatus')).toContain(c.status);
    }
  });

  it('takes the ocid prefix, package address and publisher from the options', () => {
    const own = expectValid(
      ocdsReleasePackage(stored(pcpPublished()), {
        ocidPrefix: 'ocds-abc123',
        packageUri: 'https://pcp.example.org/tenders/tender-91b0/ocds',
        publisher: { name: 'Servizo Galego de Saúde', uri: 'https://www.sergas.es' },
      }),
    );
    expect(own.releases[0].ocid).toBe('ocds-abc123-tender-91b0');
    expect(own.uri).toBe('https://pcp.example.org/tenders/tender-91b0/ocds');
    expect(own.publisher.name).toBe('Servizo Galego de Saúde');
  });

  it('orders by revision whatever the order it is given', () => {
    const history = stored(pcpPublished());
    expect(ocdsReleasePackage([...history].reverse())).toEqual(ocdsReleasePackage(history));
  });
});

describe('OCDS release package of a PPI call', () => {
  const pkg = expectValid(ocdsReleasePackage(stored(ppiStory('completed'))));
  const last = pkg.releases[pkg.releases.length - 1];

  it('validates and names the PPI procedure', () => {
    expect(last.tender).toMatchObject({
      procurementMethod: 'selective',
      procurementMethodDetails:
        'Public procurement of innovative solutions: competitive dialogue (Directive 2014/24/EU Art. 30)',
      value: { amount: 1_200_000, currency: 'EUR' },
      awardCriteriaDetails: 'quality 60%, price 40%',
    });
    expect(last.tender.milestones).toBeUndefined();
    expect(last.tender.mainProcurementCategory).toBeUndefined();
  });

  it('publishes its lots with the lots extension, and one award per lot', () => {
    expect(pkg.extensions).toEqual([expect.stringContaining('ocds_lots_extension')]);
    expect(last.tender.lots).toEqual([
      {
        id: 'lot-1',
        title: 'Galicia',
        value: { amount: 700_000, currency: 'EUR' },
        status: 'complete',
      },
      {
        id: 'lot-2',
        title: 'Navarra',
        value: { amount: 500_000, currency: 'EUR' },
        status: 'complete',
      },
    ]);
    expect(last.awards?.map((a) => [a.id, a.suppliers[0].id, a.relatedLots])).toEqual([
      ['award-ctr-p2', suppliers[2], ['lot-1']],
      ['award-ctr-p3', suppliers[3], ['lot-2']],
    ]);
    expect(last.contracts?.map((c) => [c.id, c.awardID, c.status])).toEqual([
      ['ctr-p2', 'award-ctr-p2', 'terminated'],
      ['ctr-p3', 'award-ctr-p3', 'terminated'],
    ]);
  });

  it('maps every PPI procedure to an OCDS method', () => {
    const expected = {
      OPEN: ['open', 'Art. 27'],
      RESTRICTED: ['selective', 'Art. 28'],
      NEGOTIATED: ['selective', 'Art. 29'],
      COMPETITIVE_DIALOGUE: ['selective', 'Art. 30'],
      INNOVATION_PARTNERSHIP: ['selective', 'Art. 31'],
    };
    for (const [procedure, [method, article]] of Object.entries(expected)) {
      const history = stored(ppiStory('opened'));
      history[0] = {
        ...history[0],
        data: { ...(history[0].data as object), ppiProcedure: procedure },
      };
      const tender = expectValid(ocdsReleasePackage(history)).releases[0].tender;
      expect([tender.procurementMethod, tender.procurementMethodDetails]).toEqual([
        method,
        expect.stringContaining(article),
      ]);
    }
  });
});

describe('what the OCDS export never shows', () => {
  const lateBidder = sealBid('bid-late', 'org-latecomer', { priceEur: 123_457, declaredTrl: 2 });

  /** Bid events of the tender stream, a replacement, a withdrawal, a refused late bid. */
  const beforeOpening = (): TenderEvent[] =>
    story(
      [
        { type: 'ReplaceBid', bidId: 'bid-b', sealedDigest: 'd'.repeat(64), now: at.bidding },
        submit(sealBid('bid-d', suppliers[3], { priceEur: 99_999, declaredTrl: 6 })),
        { type: 'WithdrawBid', bidId: 'bid-d', now: at.bidding },
        { type: 'RecordLateBid', attempt: 'SUBMIT', now: at.deadline },
        { type: 'CloseBidding', now: at.deadline },
      ],
      story(
        pcpBids.map((b) => submit(b)),
        pcpPublished(),
      ),
    );

  function secretsOf(text: string): string[] {
    const secrets = [...pcpBids, lateBidder].flatMap((b) => [
      b.revealed.supplierOrg,
      b.revealed.innovationId,
      b.revealed.technicalProposal,
      String(b.revealed.priceEur),
      b.bidId,
      b.digest,
      b.revealed.sealNonce,
    ]);
    return [...secrets, suppliers[3], '99999', 'd'.repeat(64)].filter((s) => text.includes(s));
  }

  it('shows nothing about sealed bids, not even their number, before opening', () => {
    const history = stored(beforeOpening());
    // Even the bids' own streams, passed in by mistake, are left out.
    const bidStreams: StoredTenderEvent[] = [...pcpBids, lateBidder].map((b, i) => ({
      id: `bid-evt-${i}`,
      type: 'SealedBidSubmitted',
      data: { ...b.revealed, sealedDigest: b.digest },
      occurredAt: '2025-07-15T10:00:00.000Z',
      revision: BigInt(i),
    }));
    const pkg = expectValid(ocdsReleasePackage([...history, ...bidStreams]));
    const text = JSON.stringify(pkg);
    expect(secretsOf(text)).toEqual([]);
    expect(text).not.toContain('numberOfTenderers');
    expect(text).not.toContain('tenderers');
    expect(pkg.releases.map((r) => r.tag.join('+'))).toEqual(['tender', 'tenderUpdate']);
  });

  it('after opening shows only how many bids there were, and never names a losing bidder', () => {
    const awarded = story([awardPhase1(['bid-a', 'bid-b'])], pcpEvaluated());
    const pkg = expectValid(ocdsReleasePackage(stored(awarded)));
    const opened = pkg.releases[2];
    expect(opened.tender.numberOfTenderers).toBe(3);
    expect(opened.parties).toHaveLength(1);
    const text = JSON.stringify(pkg);
    const loser = pcpBids[2].revealed;
    for (const secret of [
      loser.supplierOrg,
      loser.innovationId,
      String(loser.priceEur),
      loser.technicalProposal,
    ]) {
      expect(text).not.toContain(secret);
    }
    for (const bid of pcpBids) expect(text).not.toContain(bid.revealed.technicalProposal);
    // Scores and the ranking stay with the evaluation.
    expect(text).not.toContain('weightedScore');
    expect(text).not.toContain('user-eva');
  });

  it('is not published while the call is a draft, and draft amendments are no public amendment', () => {
    const draft = story([draftPcp]);
    expect(ocdsReleasePackage(stored(draft))).toBeNull();
    expect(ocdsReleasePackage([])).toBeNull();
    const amendedDraft = story(
      [
        {
          type: 'AmendTender',
          actorOrg: procurer,
          changes: { title: 'PCP: sepsis alerts' },
          reason: 'Wording',
          now: at.drafting,
        },
        { type: 'PublishTender', actorOrg: procurer, now: at.publication },
        {
          type: 'AmendTender',
          actorOrg: procurer,
          changes: { submissionDeadline: '2025-10-14T14:00:00+02:00' },
          reason: 'Deadline extended after clarification requests',
          now: at.bidding,
        },
      ] as TenderCommand[],
      draft,
    );
    const pkg = expectValid(ocdsReleasePackage(stored(amendedDraft)));
    expect(pkg.releases.map((r) => r.tag)).toEqual([['tender'], ['tenderAmendment']]);
    expect(pkg.releases[0].tender.title).toBe('PCP: sepsis alerts');
    expect(pkg.releases[1].tender.amendments).toEqual([
      {
        id: 'evt-3',
        date: expect.any(String),
        rationale: 'Deadline extended after clarification requests',
        description: 'Changed: submissionDeadline',
      },
    ]);
    expect(pkg.releases[1].tender.tenderPeriod.endDate).toBe('2025-10-14T14:00:00+02:00');
  });
});

describe('OCDS release package of a call that ends early', () => {
  it('marks a cancelled call', () => {
    const cancelled = story(
      [{ type: 'CancelTender', actorOrg: procurer, reason: 'Budget withdrawn' }],
      pcpClosed(),
    );
    const pkg = expectValid(ocdsReleasePackage(stored(cancelled)));
    const last = pkg.releases[pkg.releases.length - 1];
    expect(last.tag).toEqual(['tenderCancellation']);
    expect(last.tender.status).toBe('cancelled');
    expect(last.tender.milestones?.map((m) => m.status)).toEqual(['notMet', 'notMet', 'notMet']);
  });

  it('marks an unsuccessful call', () => {
    const empty = story(
      [
        { type: 'CloseBidding', now: at.deadline },
        { type: 'DeclareUnsuccessful', actorOrg: procurer, reason: 'No bid arrived' },
      ],
      pcpPublished(),
    );
    const last = expectValid(ocdsReleasePackage(stored(empty))).releases.at(-1);
    expect(last?.tender.status).toBe('unsuccessful');
  });

  it('terminates the running contracts of a call cancelled during a phase', () => {
    const awarded = story([awardPhase1(['bid-a', 'bid-b'])], pcpEvaluated());
    const cancelled = story(
      [{ type: 'CancelTender', actorOrg: procurer, reason: 'Funding body withdrew' }],
      awarded,
    );
    const last = expectValid(ocdsReleasePackage(stored(cancelled))).releases.at(-1);
    expect(last?.tag).toEqual(['contractTermination']);
    expect(last?.contracts?.map((c) => c.status)).toEqual(['terminated', 'terminated']);
  });
});
