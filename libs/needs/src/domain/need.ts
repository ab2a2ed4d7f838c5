import {
  DomainRuleError,
  InvalidStateError,
  NotFoundError,
  type Decider,
  type DomainEvent,
} from '@pcp/eventsourcing';
import {
  isBarrier,
  isDiseaseField,
  isNeedScope,
  nutsRegion,
  type Barrier,
  type DiseaseField,
  type NeedPrioritised,
  type NeedRecorded as NeedRecordedPayload,
  type NeedRejected,
  type NeedScope,
  type NeedValidated,
  type NeedWithdrawn,
} from '@pcp/contracts';
import { NotOwnerError } from './errors';
import { TITLE_LIMIT, optionalText, requiredText } from '@pcp/eventsourcing';

export type NeedStatus = 'RECORDED' | 'VALIDATED' | 'REJECTED' | 'WITHDRAWN';

export interface Evidence {
  title: string;
  url?: string | null;
}

/** What the needs context records about a need; other contexts learn the published subset. */
export interface RecordedNeed extends NeedRecordedPayload {
  description: string;
  evidence: { title: string; url: string | null }[];
}

// Commands carry the acting procurer's organisation: only the owner changes a need.
export type NeedCommand =
  | {
      type: 'RecordNeed';
      needId: string;
      actorOrg: string;
      title: string;
      description: string;
      region: string;
      diseaseField: string;
      scope: string[];
      patientPopulation: number;
      budgetEstimateEur: number;
      barriers: string[];
      evidence: Evidence[];
    }
  | { type: 'ValidateNeed'; actorOrg: string; rationale?: string | null }
  | { type: 'RejectNeed'; actorOrg: string; reason: string }
  | {
      type: 'PrioritiseNeed';
      actorOrg: string;
      score: number;
      criteria?: Record<string, number> | null;
    }
  | { type: 'WithdrawNeed'; actorOrg: string; reason: string }
  /**
   * Claims the need for a buyers group. Issued while a group is formed or joined, after the
   * group's own rules passed; appending it to the need's stream with its expected revision
   * is what keeps a need in at most one group when two groups race for it.
   */
  | { type: 'GroupNeed'; buyersGroupId: string }
  /**
   * Gives the claim back when the group it was made for could not be formed or joined
   * after all (a later step failed): the need is free for another group again.
   */
  | { type: 'ReleaseNeed'; buyersGroupId: string };

export type NeedEvent =
  | DomainEvent<'NeedRecorded', RecordedNeed>
  | DomainEvent<'NeedValidated', NeedValidated>
  | DomainEvent<'NeedRejected', NeedRejected>
  | DomainEvent<'NeedPrioritised', NeedPrioritised>
  | DomainEvent<'NeedWithdrawn', NeedWithdrawn>
  | DomainEvent<'NeedGrouped', { needId: string; buyersGroupId: string }>
  | DomainEvent<'NeedReleased', { needId: string; buyersGroupId: string }>;

export interface NeedState {
  status: 'NONE' | NeedStatus;
  needId: string | null;
  org: string | null;
  region: string | null;
  title: string | null;
  priority: { score: number; criteria: Record<string, number> | null } | null;
  buyersGroupId: string | null;
}

const URL_LIMIT = 2000;
const CRITERION_NAME_LIMIT = 100;

export const needDecider: Decider<NeedCommand, NeedState, NeedEvent> = {
  initialState: () => ({
    status: 'NONE',
    needId: null,
    org: null,
    region: null,
    title: null,
    priority: null,
    buyersGroupId: null,
  }),

  decide(command, state) {
    if (command.type === 'RecordNeed') {
      if (state.status !== 'NONE') {
        throw new InvalidStateError('This need is already recorded', 'NEED_EXISTS');
      }
      return [{ type: 'NeedRecorded', data: recordedNeed(command) }];
    }
    if (state.status === 'NONE') {
      throw new NotFoundError('There is no such need', 'NEED_NOT_FOUND');
    }
    const needId = state.needId as string;
    const org = state.org as string;

    if (command.type === 'GroupNeed') {
      if (state.buyersGroupId === command.buyersGroupId) return [];
      if (state.status !== 'VALIDATED') {
        throw new DomainRuleError(
          `The need is ${state.status.toLowerCase()}; only validated needs go into a buyers group`,
          'NEED_NOT_VALIDATED',
          { needId, status: state.status },
        );
      }
      if (state.buyersGroupId !== null) {
        throw new DomainRuleError(
          `The need already belongs to buyers group ${state.buyersGroupId}; a need is in at most one group`,
          'NEED_ALREADY_GROUPED',
          { needId, buyersGroupId: state.buyersGroupId },
        );
      }
      return [{ type: 'NeedGrouped', data: { needId, buyersGroupId: command.buyersGroupId } }];
    }

    if (command.type === 'ReleaseNeed') {
      if (state.buyersGroupId !== command.buyersGroupId) return [];
      return [{ type: 'NeedReleased', data: { needId, buyersGroupId: command.buyersGroupId } }];
    }

    if (command.actorOrg !== org) {
      throw new NotOwnerError(
        `Only procurers of ${org}, the organisation that recorded this need, can change it`,
        'NOT_OWNER',
        { org },
      );
    }
    if (state.status === 'REJECTED' || state.status === 'WITHDRAWN') {
      throw new InvalidStateError(
        `The need was ${state.status.toLowerCase()} and changes no further`,
        'NEED_CLOSED',
        { status: state.status },
      );
    }

    switch (command.type) {
      case 'ValidateNeed': {
        if (state.status === 'VALIDATED') {
          throw new InvalidStateError('The need is already validated', 'ALREADY_VALIDATED');
        }
        const rationale = optionalText('rationale', command.rationale);
        return [
          {
            type: 'NeedValidated',
            data: { needId, org, region: state.region as string, rationale },
          },
        ];
      }
      case 'RejectNeed': {
        if (state.status === 'VALIDATED') {
          throw new InvalidStateError(
            'A validated need cannot be rejected; withdraw it with a reason instead',
            'ALREADY_VALIDATED',
          );
        }
        const reason = requiredText('reason', command.reason);
        return [{ type: 'NeedRejected', data: { needId, org, reason }, reason }];
      }
      case 'WithdrawNeed': {
        const reason = requiredText('reason', command.reason);
        return [{ type: 'NeedWithdrawn', data: { needId, org, reason }, reason }];
      }
      case 'PrioritiseNeed':
        return [
          {
            type: 'NeedPrioritised',
            data: {
              needId,
              org,
              score: priorityScore('score', command.score),
              criteria: priorityCriteria(command.criteria),
            },
          },
        ];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'NeedRecorded':
        return {
          ...state,
          status: 'RECORDED',
          needId: event.data.needId,
          org: event.data.org,
          region: event.data.region,
          title: event.data.title,
        };
      case 'NeedValidated':
        return { ...state, status: 'VALIDATED' };
      case 'NeedRejected':
        return { ...state, status: 'REJECTED' };
      case 'NeedWithdrawn':
        return { ...state, status: 'WITHDRAWN' };
      case 'NeedPrioritised':
        return { ...state, priority: { score: event.data.score, criteria: event.data.criteria } };
      case 'NeedGrouped':
        return { ...state, buyersGroupId: event.data.buyersGroupId };
      case 'NeedReleased':
        return { ...state, buyersGroupId: null };
    }
  },
};

function recordedNeed(command: Extract<NeedCommand, { type: 'RecordNeed' }>): RecordedNeed {
  return {
    needId: command.needId,
    org: command.actorOrg,
    title: requiredText('title', command.title, TITLE_LIMIT),
    description: requiredText('description', command.description, undefined, 'withoutSpaces'),
    region: regionOfNeed(command.region),
    diseaseField: diseaseField(command.diseaseField),
    scope: scope(command.scope),
    patientPopulation: wholeNumber('patient population', command.patientPopulation),
    budgetEstimateEur: budgetEstimate(command.budgetEstimateEur),
    barriers: barriers(command.barriers),
    evidence: evidence(command.evidence),
  };
}

function regionOfNeed(code: string): string {
  const region = nutsRegion(code);
  if (!region) {
    throw new DomainRuleError(
      `${JSON.stringify(code)} is not a NUTS 2021 region code (for example ES51 for Catalonia)`,
      'UNKNOWN_REGION',
      { region: code },
    );
  }
  if (region.extraRegio) {
    throw new DomainRuleError(
      `${code} is an Extra-Regio code, territory outside any region; record the need for the region it serves`,
      'EXTRA_REGIO_REGION',
      { region: code },
    );
  }
  return code;
}

function diseaseField(value: string): DiseaseField {
  if (!isDiseaseField(value)) {
    throw new DomainRuleError(
      `${JSON.stringify(value)} is not a disease field; use cancer, neuroscience, infectious, cardiovascular, genetic, rare or other`,
      'UNKNOWN_DISEASE_FIELD',
      { diseaseField: value },
    );
  }
  return value;
}

function scope(values: string[]): NeedScope[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw new DomainRuleError(
      'Name at least one scope (prevention, diagnosis, treatment...)',
      'SCOPE_REQUIRED',
    );
  }
  return distinctCodes('scope', values, isNeedScope);
}

function barriers(values: string[]): Barrier[] {
  return distinctCodes('barrier', Array.isArray(values) ? values : [], isBarrier);
}

function distinctCodes<T extends string>(
  field: string,
  values: string[],
  known: (value: unknown) => value is T,
): T[] {
  const unknown = values.filter((v) => !known(v));
  if (unknown.length > 0) {
    throw new DomainRuleError(
      `Unknown ${field} ${unknown.map((v) => JSON.stringify(v)).join(', ')}`,
      `UNKNOWN_${field.toUpperCase()}`,
      { [field]: unknown },
    );
  }
  const repeated = values.filter((v, i) => values.indexOf(v) !== i);
  if (repeated.length > 0) {
    throw new DomainRuleError(
      `The ${field} ${repeated.join(', ')} is listed more than once`,
      `DUPLICATE_${field.toUpperCase()}`,
      { [field]: [...new Set(repeated)] },
    );
  }
  return values as T[];
}

function wholeNumber(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DomainRuleError(
      `The ${field} must be a whole number of 0 or more`,
      'INVALID_NUMBER',
      { field, value },
    );
  }
  return value;
}

function budgetEstimate(value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new DomainRuleError(
      'The budget estimate must be an amount in EUR of 0 or more',
      'INVALID_BUDGET',
      { budgetEstimateEur: value },
    );
  }
  return value;
}

function evidence(items: Evidence[]): RecordedNeed['evidence'] {
  return (Array.isArray(items) ? items : []).map((item, index) => {
    const title = requiredText(`title of evidence ${index + 1}`, item?.title, TITLE_LIMIT);
    const url = optionalText(`link of evidence ${index + 1}`, item?.url, URL_LIMIT);
    if (url !== null && !isWebLink(url)) {
      throw new DomainRuleError(
        `The link of evidence ${index + 1} must be an http or https address`,
        'INVALID_EVIDENCE_URL',
        { index, url },
      );
    }
    return { title, url };
  });
}

function isWebLink(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function priorityScore(field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 100) {
    throw new DomainRuleError(
      `The ${field} must be a whole number from 1 to 100`,
      'INVALID_PRIORITY_SCORE',
      { field, value },
    );
  }
  return value as number;
}

function priorityCriteria(
  criteria: Record<string, number> | null | undefined,
): Record<string, number> | null {
  if (criteria === undefined || criteria === null) return null;
  if (typeof criteria !== 'object' || Array.isArray(criteria)) {
    throw new DomainRuleError(
      'The criteria must map each criterion name to a score from 1 to 100',
      'INVALID_CRITERIA',
    );
  }
  // A Map, so that a criterion named like an Object.prototype member stays plain data.
  const scored = new Map<string, number>();
  for (const [name, score] of Object.entries(criteria)) {
    const criterion = requiredText('criterion name', name, CRITERION_NAME_LIMIT);
    if (scored.has(criterion)) {
      throw new DomainRuleError(
        `The criterion ${criterion} is scored more than once`,
        'DUPLICATE_CRITERION',
        { criterion },
      );
    }
    scored.set(criterion, priorityScore(`score of criterion ${criterion}`, score));
  }
  return scored.size > 0 ? Object.fromEntries(scored) : null;
}
