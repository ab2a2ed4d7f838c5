/**
 * The OCDS 1.1 export of a tender: a pure function from the tender stream's events to a
 * release package, one release per public change, each release a full picture of what is
 * public at that moment.
 *
 * Only the event types in OCDS_PUBLIC_EVENT_TYPES are read; everything else is skipped, so
 * a sealed bid (its own stream) or a bid's arrival (only a digest and a count) never reaches
 * the package, even if a caller passes more than the tender's public history. Before the
 * bids are opened the public learns nothing about bids, not even their number; losing
 * bidders are never named; awarded suppliers appear as parties by organisation id.
 *
 * PCP phases are tender milestones, not related processes: the phases belong to the one
 * call with its one ocid, its framework agreements and its one specific contract per phase,
 * while relatedProcesses link separate contracting processes with ocids of their own. The
 * phase contracts are contracts of the framework agreement's award.
 */
import type { PpiProcedure } from '@pcp/contracts';
import type { TenderLot } from '../domain/call-terms';
import type { TenderEvent } from '../domain/tender';

export const DEFAULT_OCID_PREFIX = 'ocds-pcp000';
export const OCDS_VERSION = '1.1';
const LOTS_EXTENSION =
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json';
const PCP_METHOD_DETAILS = 'Pre-commercial procurement (Directive 2014/24/EU Art. 14)';

/** The tender events the export reads; each changes what the public may know. */
export const OCDS_PUBLIC_EVENT_TYPES = [
  'TenderDrafted',
  'TenderPublished',
  'TenderAmended',
  'BiddingClosed',
  'BidsOpened',
  'PhaseContractsAwarded',
  'DeliverableAccepted',
  'PhaseCompleted',
  'SuppliersDownSelected',
  'TenderCancelled',
] as const satisfies readonly TenderEvent['type'][];

type PublicType = (typeof OCDS_PUBLIC_EVENT_TYPES)[number];
type PublicEvent = Extract<TenderEvent, { type: PublicType }>;

/** One stored event of the tender stream, as the event store gives it. */
export interface StoredTenderEvent {
  id: string;
  type: string;
  data: unknown;
  occurredAt: string;
  revision: number | bigint | string;
}

export interface OcdsPublisher {
  name: string;
  scheme?: string;
  uid?: string;
  uri?: string;
}

export interface OcdsOptions {
  /** The publisher's ocid prefix, registered with the Open Contracting Partnership. */
  ocidPrefix?: string;
  /** Where this package can be fetched; defaults to a URN built from the ocid. */
  packageUri?: string;
  publisher?: OcdsPublisher;
}

export type ReleaseTag =
  | 'tender'
  | 'tenderAmendment'
  | 'tenderUpdate'
  | 'tenderCancellation'
  | 'award'
  | 'contract'
  | 'contractUpdate'
  | 'implementation'
  | 'contractTermination';

export interface OcdsOrganizationReference {
  id: string;
  name: string;
}

export interface OcdsParty extends OcdsOrganizationReference {
  roles: string[];
  /** A supplier's contact person, from its bid, while their personal data is not erased. */
  contactPoint?: OcdsContactPoint;
}

export interface OcdsContactPoint {
  name: string;
  email: string;
}

export interface OcdsValue {
  amount: number;
  currency: 'EUR';
}

export interface OcdsMilestone {
  id: string;
  title: string;
  type: string;
  code?: string;
  description?: string;
  status: 'scheduled' | 'met' | 'notMet';
  dueDate?: string;
  dateMet?: string;
}

export interface OcdsAmendment {
  id: string;
  date: string;
  rationale: string;
  description: string;
}

export interface OcdsTender {
  id: string;
  title: string;
  description: string;
  status: 'active' | 'complete' | 'cancelled' | 'unsuccessful';
  procuringEntity: OcdsOrganizationReference;
  value: OcdsValue;
  procurementMethod: 'open' | 'selective';
  procurementMethodDetails: string;
  mainProcurementCategory?: 'services';
  awardCriteria: 'ratedCriteria';
  awardCriteriaDetails: string;
  submissionMethod: ['electronicSubmission'];
  tenderPeriod: { startDate?: string; endDate: string };
  numberOfTenderers?: number;
  milestones?: OcdsMilestone[];
  amendments?: OcdsAmendment[];
  /** Lots extension. */
  lots?: Array<{ id: string; title: string; value?: OcdsValue; status: string }>;
}

export interface OcdsAward {
  id: string;
  title: string;
  description: string;
  status: 'active';
  date: string;
  value: OcdsValue;
  suppliers: OcdsOrganizationReference[];
  relatedLots?: string[];
}

export interface OcdsContract {
  id: string;
  awardID: string;
  title: string;
  status: 'active' | 'terminated';
  period: { startDate: string; endDate?: string };
  implementation?: { milestones: OcdsMilestone[] };
}

export interface OcdsRelease {
  ocid: string;
  id: string;
  date: string;
  tag: ReleaseTag[];
  initiationType: 'tender';
  language: 'en';
  parties: OcdsParty[];
  buyer: OcdsOrganizationReference;
  tender: OcdsTender;
  awards?: OcdsAward[];
  contracts?: OcdsContract[];
}

export interface OcdsReleasePackage {
  uri: string;
  version: string;
  extensions?: string[];
  publishedDate: string;
  publisher: OcdsPublisher;
  releases: OcdsRelease[];
}

interface Phase {
  number: number;
  name: string;
  budgetEur: number;
  durationMonths: number;
  maxSuppliers: number;
  status: OcdsMilestone['status'];
  dueDate?: string;
  dateMet?: string;
}

interface PhaseContractInfo {
  contract: OcdsContract;
  phase: number;
}

/** What the public may know so far, folded from the public events. */
interface Picture {
  tenderId: string;
  org: string;
  procedure: 'PCP' | 'PPI';
  ppiProcedure: PpiProcedure | null;
  title: string;
  description: string;
  budgetEur: number;
  submissionDeadline: string;
  criteria: Array<{ name: string; weight: number }>;
  phases: Phase[];
  lots: TenderLot[];
  publishedAt: string | null;
  status: OcdsTender['status'];
  numberOfTenderers: number | null;
  amendments: OcdsAmendment[];
  suppliers: string[];
  awards: OcdsAward[];
  contracts: PhaseContractInfo[];
  /** contractId -> award id (the supplier's framework agreement or PPI award). */
  awardOf: Record<string, string>;
}

/**
 * The release package of a tender's public history, or null while the call is unpublished
 * (a draft is not public, and a package needs at least one release).
 */
export function ocdsReleasePackage(
  history: readonly StoredTenderEvent[],
  options: OcdsOptions = {},
): OcdsReleasePackage | null {
  const events = [...history]
    .filter((e): e is StoredTenderEvent & { type: PublicType } =>
      (OCDS_PUBLIC_EVENT_TYPES as readonly string[]).includes(e.type),
    )
    .sort((a, b) => compareRevisions(a.revision, b.revision));
  let picture: Picture | null = null;
  const releases: OcdsRelease[] = [];
  let ocid = '';
  for (const stored of events) {
    const event = { type: stored.type, data: stored.data } as PublicEvent;
    if (event.type === 'TenderDrafted') {
      picture = drafted(event.data);
      ocid = `${options.ocidPrefix ?? DEFAULT_OCID_PREFIX}-${picture.tenderId}`;
      continue;
    }
    if (picture === null) continue;
    const tag = apply(picture, event, stored);
    if (tag.length > 0 && picture.publishedAt !== null) {
      releases.push(release(picture, ocid, stored, tag));
    }
  }
  if (picture === null || releases.length === 0) return null;
  const extensions = picture.lots.length > 0 ? { extensions: [LOTS_EXTENSION] } : {};
  return {
    uri: options.packageUri ?? `urn:ocds:${ocid}`,
    version: OCDS_VERSION,
    ...extensions,
    publishedDate: releases[releases.length - 1].date,
    publisher: options.publisher ?? { name: 'PCP/PPI innovation procurement platform' },
    releases,
  };
}

function drafted(data: Extract<TenderEvent, { type: 'TenderDrafted' }>['data']): Picture {
  return {
    tenderId: data.tenderId,
    org: data.org,
    procedure: data.procedure,
    ppiProcedure: data.ppiProcedure,
    title: data.title,
    description: data.description,
    budgetEur: data.budgetEur,
    submissionDeadline: data.submissionDeadline,
    criteria: data.criteria,
    phases: data.phases.map((p) => ({ ...p, status: 'scheduled' })),
    lots: data.lots,
    publishedAt: null,
    status: 'active',
    numberOfTenderers: null,
    amendments: [],
    suppliers: [],
    awards: [],
    contracts: [],
    awardOf: {},
  };
}

/** Folds one event into the picture; returns the release tags of the change (none: not public). */
function apply(picture: Picture, event: PublicEvent, stored: StoredTenderEvent): ReleaseTag[] {
  const at = stored.occurredAt;
  switch (event.type) {
    case 'TenderDrafted':
      return [];
    case 'TenderPublished':
      picture.publishedAt = event.data.publishedAt;
      picture.submissionDeadline = event.data.submissionDeadline;
      return ['tender'];
    case 'TenderAmended': {
      const { terms } = event.data;
      Object.assign(picture, {
        title: terms.title,
        description: terms.description,
        budgetEur: terms.budgetEur,
        submissionDeadline: terms.submissionDeadline,
        criteria: terms.criteria,
        ppiProcedure: terms.ppiProcedure,
        lots: terms.lots,
        phases: terms.phases.map((p) => ({ ...p, status: 'scheduled' })),
      });
      // Amendments of a draft shape the first publication; they are not public changes.
      if (picture.publishedAt === null) return [];
      picture.amendments.push({
        id: stored.id,
        date: at,
        rationale: event.data.reason,
        description: `Changed: ${event.data.changedFields.join(', ')}`,
      });
      return ['tenderAmendment'];
    }
    case 'BiddingClosed':
      return ['tenderUpdate'];
    case 'BidsOpened':
      picture.numberOfTenderers = event.data.bids.length;
      return ['tenderUpdate'];
    case 'PhaseContractsAwarded': {
      picture.status = 'complete';
      for (const c of event.data.contracts) {
        const awardId = c.frameworkAgreementId ?? `award-${c.contractId}`;
        addSupplier(picture, c.supplierOrg);
        picture.awards.push({
          id: awardId,
          title:
            picture.procedure === 'PCP'
              ? `Framework agreement with ${c.supplierOrg}`
              : `Award to ${c.supplierOrg}`,
          description: event.data.reason,
          status: 'active',
          date: at,
          value: eur(c.priceEur),
          suppliers: [{ id: c.supplierOrg, name: c.supplierOrg }],
          ...(c.lotId ? { relatedLots: [c.lotId] } : {}),
        });
        picture.awardOf[c.contractId] = awardId;
        picture.contracts.push({
          phase: event.data.phase,
          contract: phaseContract(picture, c.contractId, awardId, event.data.phase, at),
        });
      }
      startPhase(picture, event.data.phase, at);
      return ['award', 'contract'];
    }
    case 'DeliverableAccepted': {
      const found = picture.contracts.find((c) => c.contract.id === event.data.contractId);
      if (!found) return [];
      const milestones = found.contract.implementation?.milestones ?? [];
      found.contract.implementation = {
        milestones: [
          ...milestones,
          {
            id: event.data.deliverableId,
            title: event.data.title,
            type: 'delivery',
            status: 'met',
            dateMet: at,
          },
        ],
      };
      return ['implementation'];
    }
    case 'PhaseCompleted': {
      for (const c of picture.contracts) {
        if (c.phase === event.data.phase) {
          c.contract.status = 'terminated';
          c.contract.period.endDate = at;
        }
      }
      const phase = picture.phases.find((p) => p.number === event.data.phase);
      if (phase) Object.assign(phase, { status: 'met', dateMet: at });
      return ['contractUpdate', 'tenderUpdate'];
    }
    case 'SuppliersDownSelected': {
      for (const c of event.data.continued) {
        const awardId = picture.awardOf[c.previousContractId] ?? `award-${c.contractId}`;
        picture.awardOf[c.contractId] = awardId;
        picture.contracts.push({
          phase: event.data.toPhase,
          contract: phaseContract(picture, c.contractId, awardId, event.data.toPhase, at),
        });
      }
      startPhase(picture, event.data.toPhase, at);
      return ['contract'];
    }
    case 'TenderCancelled': {
      for (const p of picture.phases) if (p.status === 'scheduled') p.status = 'notMet';
      if (picture.awards.length === 0) {
        picture.status = event.data.outcome === 'UNSUCCESSFUL' ? 'unsuccessful' : 'cancelled';
        return event.data.outcome === 'UNSUCCESSFUL' ? ['tenderUpdate'] : ['tenderCancellation'];
      }
      for (const c of picture.contracts) {
        if (c.contract.status === 'active') {
          c.contract.status = 'terminated';
          c.contract.period.endDate = at;
        }
      }
      return ['contractTermination'];
    }
  }
}

function phaseContract(
  picture: Picture,
  contractId: string,
  awardId: string,
  phase: number,
  at: string,
): OcdsContract {
  const plan = picture.phases.find((p) => p.number === phase);
  return {
    id: contractId,
    awardID: awardId,
    title: plan ? `Phase ${phase} (${plan.name}) contract` : 'Contract',
    status: 'active',
    period: { startDate: at },
  };
}

/** A phase starts with its contracts; it is due its duration later. */
function startPhase(picture: Picture, number: number, at: string): void {
  const phase = picture.phases.find((p) => p.number === number);
  if (!phase) return;
  const due = new Date(at);
  due.setUTCMonth(due.getUTCMonth() + phase.durationMonths);
  phase.dueDate = due.toISOString();
}

function addSupplier(picture: Picture, org: string): void {
  if (!picture.suppliers.includes(org)) picture.suppliers.push(org);
}

function release(
  picture: Picture,
  ocid: string,
  stored: StoredTenderEvent,
  tag: ReleaseTag[],
): OcdsRelease {
  const buyer = { id: picture.org, name: picture.org };
  const awards = picture.awards.map((a) => structuredClone(a));
  const contracts = picture.contracts.map((c) => structuredClone(c.contract));
  return {
    ocid,
    id: `${ocid}-${String(stored.revision)}`,
    date: stored.occurredAt,
    tag,
    initiationType: 'tender',
    language: 'en',
    parties: [
      { ...buyer, roles: ['buyer', 'procuringEntity'] },
      ...picture.suppliers.map((org) => ({ id: org, name: org, roles: ['supplier'] })),
    ],
    buyer,
    tender: tenderSection(picture),
    ...(awards.length > 0 ? { awards } : {}),
    ...(contracts.length > 0 ? { contracts } : {}),
  };
}

function tenderSection(picture: Picture): OcdsTender {
  const pcp = picture.procedure === 'PCP';
  const method = pcp ? PCP_METHOD : PPI_METHODS[picture.ppiProcedure as PpiProcedure];
  const tender: OcdsTender = {
    id: picture.tenderId,
    title: picture.title,
    description: picture.description,
    status: picture.status,
    procuringEntity: { id: picture.org, name: picture.org },
    value: eur(picture.budgetEur),
    procurementMethod: method.method,
    procurementMethodDetails: method.details,
    ...(pcp ? { mainProcurementCategory: 'services' as const } : {}),
    awardCriteria: 'ratedCriteria',
    awardCriteriaDetails: picture.criteria.map((c) => `${c.name} ${c.weight}%`).join(', '),
    submissionMethod: ['electronicSubmission'],
    tenderPeriod: {
      ...(picture.publishedAt ? { startDate: picture.publishedAt } : {}),
      endDate: picture.submissionDeadline,
    },
  };
  if (picture.numberOfTenderers !== null) tender.numberOfTenderers = picture.numberOfTenderers;
  if (picture.phases.length > 0) tender.milestones = picture.phases.map(phaseMilestone);
  if (picture.amendments.length > 0) tender.amendments = picture.amendments.map((a) => ({ ...a }));
  if (picture.lots.length > 0) {
    tender.lots = picture.lots.map((l) => ({
      id: l.lotId,
      title: l.title,
      ...(l.budgetEur !== null ? { value: eur(l.budgetEur) } : {}),
      status: picture.status,
    }));
  }
  return tender;
}

function phaseMilestone(phase: Phase): OcdsMilestone {
  return {
    id: `phase-${phase.number}`,
    title: `Phase ${phase.number}: ${phase.name}`,
    type: 'delivery',
    code: 'pcpPhase',
    description: `Budget EUR ${phase.budgetEur}; ${phase.durationMonths} months; at most ${phase.maxSuppliers} suppliers`,
    status: phase.status,
    ...(phase.dueDate ? { dueDate: phase.dueDate } : {}),
    ...(phase.dateMet ? { dateMet: phase.dateMet } : {}),
  };
}

const PCP_METHOD = { method: 'selective', details: PCP_METHOD_DETAILS } as const;

/** Each PPI procedure of Directive 2014/24/EU with its OCDS method. */
const PPI_METHODS: Record<PpiProcedure, { method: 'open' | 'selective'; details: string }> = {
  OPEN: {
    method: 'open',
    details:
      'Public procurement of innovative solutions: open procedure (Directive 2014/24/EU Art. 27)',
  },
  RESTRICTED: {
    method: 'selective',
    details:
      'Public procurement of innovative solutions: restricted procedure (Directive 2014/24/EU Art. 28)',
  },
  NEGOTIATED: {
    method: 'selective',
    details:
      'Public procurement of innovative solutions: competitive procedure with negotiation (Directive 2014/24/EU Art. 29)',
  },
  COMPETITIVE_DIALOGUE: {
    method: 'selective',
    details:
      'Public procurement of innovative solutions: competitive dialogue (Directive 2014/24/EU Art. 30)',
  },
  INNOVATION_PARTNERSHIP: {
    method: 'selective',
    details:
      'Public procurement of innovative solutions: innovation partnership (Directive 2014/24/EU Art. 31)',
  },
};

function eur(amount: number): OcdsValue {
  return { amount, currency: 'EUR' };
}

function compareRevisions(
  a: StoredTenderEvent['revision'],
  b: StoredTenderEvent['revision'],
): number {
  const x = BigInt(String(a));
  const y = BigInt(String(b));
  return x < y ? -1 : x > y ? 1 : 0;
}
