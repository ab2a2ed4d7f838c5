import { DomainRuleError } from '@pcp/eventsourcing';
import {
  PPI_PROCEDURES,
  PROCEDURES,
  type PpiProcedure,
  type Procedure,
  type TenderCriterion,
  type TenderPhasePlan,
} from '@pcp/contracts';
import {
  NAME_LIMIT,
  TITLE_LIMIT,
  firstDuplicate,
  isoInstant,
  positiveAmount,
  positiveWhole,
  requiredText,
} from './values';

export const MIN_PCP_PHASES = 2;
export const MAX_PCP_PHASES = 5;
/** The usual three PCP phases; their names are the defaults of a three-phase call. */
export const DEFAULT_PCP_PHASE_NAMES = [
  'SOLUTION_DESIGN',
  'PROTOTYPING',
  'ORIGINAL_DEVELOPMENT_AND_TESTING',
] as const;
export const CRITERIA_WEIGHT_TOTAL = 100;
// Weights like 33.3 + 33.3 + 33.4 add up to 100 only up to floating-point noise.
const WEIGHT_TOLERANCE = 1e-9;

export interface TenderLot {
  lotId: string;
  title: string;
  budgetEur: number | null;
}

/** What a call asks for: everything a procurer sets when drafting and may change by amendment. */
export interface CallTerms {
  procedure: Procedure;
  ppiProcedure: PpiProcedure | null;
  title: string;
  description: string;
  budgetEur: number;
  submissionDeadline: string;
  criteria: TenderCriterion[];
  /** PCP: 2-5 phases; PPI: none (one award phase). */
  phases: TenderPhasePlan[];
  /** PPI only, optional. */
  lots: TenderLot[];
}

export type CallTermField = keyof CallTerms;

/** The terms a bid answers: changing one of them asks bidders to reconfirm their bids. */
export const MATERIAL_TERMS: readonly CallTermField[] = [
  'budgetEur',
  'criteria',
  'phases',
  'submissionDeadline',
  'ppiProcedure',
  'lots',
];

export interface PhaseInput {
  name?: unknown;
  budgetEur: unknown;
  durationMonths: unknown;
  maxSuppliers: unknown;
}

export interface CallTermsInput {
  procedure: unknown;
  ppiProcedure?: unknown;
  title: unknown;
  description: unknown;
  budgetEur: unknown;
  submissionDeadline: unknown;
  criteria: unknown;
  phases?: unknown;
  lots?: unknown;
}

/** The call's terms, checked as a whole; the deadline must lie after `now`. */
export function callTerms(input: CallTermsInput, now: Date): CallTerms {
  const procedure = procedureOf(input.procedure);
  const title = requiredText('title', input.title, TITLE_LIMIT);
  const description = requiredText('description', input.description, undefined, 'withoutSpaces');
  const budgetEur = positiveAmount('call budget (budgetEur)', input.budgetEur);
  const deadline = isoInstant('submission deadline', input.submissionDeadline);
  if (deadline <= now.getTime()) {
    throw new DomainRuleError(
      `The submission deadline ${String(input.submissionDeadline)} has already passed; set one in the future`,
      'DEADLINE_IN_PAST',
      { submissionDeadline: input.submissionDeadline, now: now.toISOString() },
    );
  }
  const criteria = criteriaOf(input.criteria);
  const terms: CallTerms = {
    procedure,
    ppiProcedure: null,
    title,
    description,
    budgetEur,
    submissionDeadline: input.submissionDeadline as string,
    criteria,
    phases: [],
    lots: [],
  };
  if (procedure === 'PCP') {
    if (input.ppiProcedure !== undefined && input.ppiProcedure !== null) {
      throw new DomainRuleError(
        'A PCP call has no PPI procedure; leave ppiProcedure out',
        'PPI_PROCEDURE_ON_PCP',
      );
    }
    if (Array.isArray(input.lots) && input.lots.length > 0) {
      throw new DomainRuleError(
        'A PCP call has no lots: its suppliers compete in phases',
        'LOTS_ON_PCP',
      );
    }
    return { ...terms, phases: phasesOf(input.phases, budgetEur) };
  }
  if (Array.isArray(input.phases) && input.phases.length > 0) {
    throw new DomainRuleError(
      'A PPI call has one award phase; leave phases out (use lots to split the purchase)',
      'PHASES_ON_PPI',
    );
  }
  return {
    ...terms,
    ppiProcedure: ppiProcedureOf(input.ppiProcedure),
    lots: lotsOf(input.lots, budgetEur),
  };
}

/** The fields whose value differs between two versions of the terms, in declaration order. */
export function changedTerms(before: CallTerms, after: CallTerms): CallTermField[] {
  const fields = Object.keys(after) as CallTermField[];
  return fields.filter((field) => canonical(before[field]) !== canonical(after[field]));
}

/** JSON with sorted keys: terms read back from a store (jsonb) may come in another key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function procedureOf(value: unknown): Procedure {
  if (!(PROCEDURES as readonly unknown[]).includes(value)) {
    throw new DomainRuleError(
      `${JSON.stringify(value)} is not a procedure; use PCP or PPI`,
      'UNKNOWN_PROCEDURE',
      { procedure: value },
    );
  }
  return value as Procedure;
}

function ppiProcedureOf(value: unknown): PpiProcedure {
  if (!(PPI_PROCEDURES as readonly unknown[]).includes(value)) {
    throw new DomainRuleError(
      `A PPI call needs its procedure (ppiProcedure): one of ${PPI_PROCEDURES.join(', ')}; got ${JSON.stringify(value ?? null)}`,
      'UNKNOWN_PPI_PROCEDURE',
      { ppiProcedure: value ?? null, allowed: [...PPI_PROCEDURES] },
    );
  }
  return value as PpiProcedure;
}

function criteriaOf(value: unknown): TenderCriterion[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new DomainRuleError(
      'Give the weighted award criteria, for example quality 80 and price 20',
      'CRITERIA_REQUIRED',
    );
  }
  const criteria = value.map((c: { name?: unknown; weight?: unknown }, i) => {
    const name = requiredText(`name of criterion ${i + 1}`, c?.name, NAME_LIMIT);
    const weight = c?.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 100) {
      throw new DomainRuleError(
        `The weight of criterion ${name} must be a number above 0 and at most 100, not ${JSON.stringify(weight)}`,
        'INVALID_WEIGHT',
        { criterion: name, weight },
      );
    }
    return { name, weight };
  });
  const duplicate = firstDuplicate(criteria.map((c) => c.name.toLowerCase()));
  if (duplicate !== null) {
    throw new DomainRuleError(
      `The criterion ${duplicate} is named twice; every criterion needs its own name`,
      'DUPLICATE_CRITERION',
      { criterion: duplicate },
    );
  }
  const total = criteria.reduce((sum, c) => sum + c.weight, 0);
  if (Math.abs(total - CRITERIA_WEIGHT_TOTAL) > WEIGHT_TOLERANCE) {
    throw new DomainRuleError(
      `The criteria weights add up to ${total}; they must add up to 100`,
      'WEIGHTS_NOT_100',
      { total, criteria },
    );
  }
  return criteria;
}

function phasesOf(value: unknown, budgetEur: number): TenderPhasePlan[] {
  const list: PhaseInput[] = Array.isArray(value) ? value : [];
  if (list.length < MIN_PCP_PHASES || list.length > MAX_PCP_PHASES) {
    throw new DomainRuleError(
      `A PCP call has ${MIN_PCP_PHASES} to ${MAX_PCP_PHASES} phases, not ${list.length}; the usual three are ${DEFAULT_PCP_PHASE_NAMES.join(', ')}`,
      'PHASE_COUNT',
      { phases: list.length, min: MIN_PCP_PHASES, max: MAX_PCP_PHASES },
    );
  }
  const phases = list.map((p, i): TenderPhasePlan => {
    const number = i + 1;
    const named = p?.name !== undefined && p?.name !== null && String(p.name).trim() !== '';
    const name = named
      ? requiredText(`name of phase ${number}`, p.name, NAME_LIMIT)
      : list.length === DEFAULT_PCP_PHASE_NAMES.length
        ? DEFAULT_PCP_PHASE_NAMES[i]
        : `PHASE_${number}`;
    return {
      number,
      name,
      budgetEur: positiveAmount(`budget of phase ${number} (budgetEur)`, p?.budgetEur),
      durationMonths: positiveWhole(
        `duration of phase ${number} (durationMonths)`,
        p?.durationMonths,
      ),
      maxSuppliers: positiveWhole(
        `maximum suppliers of phase ${number} (maxSuppliers)`,
        p?.maxSuppliers,
      ),
    };
  });
  const total = phases.reduce((sum, p) => sum + p.budgetEur, 0);
  if (total > budgetEur) {
    throw new DomainRuleError(
      `The phase budgets add up to EUR ${total}, more than the call budget of EUR ${budgetEur}; lower a phase budget or raise the call budget`,
      'PHASES_OVER_BUDGET',
      { phaseBudgets: phases.map((p) => p.budgetEur), total, budgetEur },
    );
  }
  for (let i = 1; i < phases.length; i++) {
    if (phases[i].maxSuppliers > phases[i - 1].maxSuppliers) {
      throw new DomainRuleError(
        `Phase ${i + 1} allows ${phases[i].maxSuppliers} suppliers, more than the ${phases[i - 1].maxSuppliers} of phase ${i}; a later phase never has more suppliers than the one before`,
        'PHASE_SUPPLIERS_INCREASE',
        {
          phase: i + 1,
          maxSuppliers: phases[i].maxSuppliers,
          previous: phases[i - 1].maxSuppliers,
        },
      );
    }
  }
  return phases;
}

function lotsOf(value: unknown, budgetEur: number): TenderLot[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new DomainRuleError('lots must be a list of {lotId, title, budgetEur?}', 'INVALID_LOTS');
  }
  const lots = value.map((l: { lotId?: unknown; title?: unknown; budgetEur?: unknown }, i) => ({
    lotId: requiredText(`id of lot ${i + 1}`, l?.lotId, 128),
    title: requiredText(`title of lot ${i + 1}`, l?.title, TITLE_LIMIT),
    budgetEur:
      l?.budgetEur === undefined || l?.budgetEur === null
        ? null
        : positiveAmount(`budget of lot ${i + 1}`, l.budgetEur),
  }));
  const duplicate = firstDuplicate(lots.map((l) => l.lotId));
  if (duplicate !== null) {
    throw new DomainRuleError(`The lot id ${duplicate} is used twice`, 'DUPLICATE_LOT', {
      lotId: duplicate,
    });
  }
  const total = lots.reduce((sum, l) => sum + (l.budgetEur ?? 0), 0);
  if (total > budgetEur) {
    throw new DomainRuleError(
      `The lot budgets add up to EUR ${total}, more than the call budget of EUR ${budgetEur}`,
      'LOTS_OVER_BUDGET',
      { total, budgetEur },
    );
  }
  return lots;
}
