import {
  DomainRuleError,
  InvalidStateError,
  NotFoundError,
  type Decider,
  type DomainEvent,
} from '@pcp/eventsourcing';
import type { BuyersGroupFormed, BuyersGroupJoined } from '@pcp/contracts';
import { NotOwnerError } from './errors';
import type { NeedStatus } from './need';
import { TITLE_LIMIT, requiredText } from '@pcp/eventsourcing';

/** What the needs context knows about a need when a group is formed or joined. */
export interface NeedFacts {
  id: string;
  org: string;
  region: string;
  status: NeedStatus;
  buyersGroupId: string | null;
}

export type BuyersGroupCommand =
  | {
      type: 'FormBuyersGroup';
      buyersGroupId: string;
      /** The forming procurer's organisation; it leads the group. */
      actorOrg: string;
      name: string;
      needIds: string[];
      /** Facts of the requested needs that exist; a requested id without facts is unknown. */
      needs: readonly NeedFacts[];
    }
  | { type: 'JoinBuyersGroup'; actorOrg: string; needId: string; need: NeedFacts | undefined };

/** The published payload plus the member organisations, which the group's state needs. */
export type FormedBuyersGroup = BuyersGroupFormed & { memberOrgs: string[] };

export type BuyersGroupEvent =
  | DomainEvent<'BuyersGroupFormed', FormedBuyersGroup>
  | DomainEvent<'BuyersGroupJoined', BuyersGroupJoined>;

export interface BuyersGroupState {
  status: 'NONE' | 'FORMED';
  buyersGroupId: string | null;
  name: string | null;
  leadOrg: string | null;
  memberOrgs: string[];
  needIds: string[];
  regions: string[];
}

/**
 * A buyers group aggregates validated needs of several regions for joint procurement.
 *
 * The lead procurer forms the group with validated needs of its own organisation only, and
 * the other organisations join with their own validated needs: a need goes into a group
 * only by its own organisation's act, never locked in on its behalf. The group is
 * cross-regional, and can be consulted on as one, once it spans at least two regions
 * (`spansSeveralRegions`); the consultations context checks that before opening.
 */
export const buyersGroupDecider: Decider<BuyersGroupCommand, BuyersGroupState, BuyersGroupEvent> = {
  initialState: () => ({
    status: 'NONE',
    buyersGroupId: null,
    name: null,
    leadOrg: null,
    memberOrgs: [],
    needIds: [],
    regions: [],
  }),

  decide(command, state) {
    switch (command.type) {
      case 'FormBuyersGroup':
        return [{ type: 'BuyersGroupFormed', data: formation(command, state) }];
      case 'JoinBuyersGroup':
        return [{ type: 'BuyersGroupJoined', data: joining(command, state) }];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'BuyersGroupFormed':
        return {
          status: 'FORMED',
          buyersGroupId: event.data.buyersGroupId,
          name: event.data.name,
          leadOrg: event.data.leadOrg,
          memberOrgs: event.data.memberOrgs,
          needIds: event.data.needIds,
          regions: event.data.regions,
        };
      case 'BuyersGroupJoined':
        return {
          ...state,
          memberOrgs: distinct([...state.memberOrgs, event.data.org]),
          needIds: [...state.needIds, event.data.needId],
          regions: distinct([...state.regions, event.data.region]),
        };
    }
  },
};

/** Whether the group aggregates needs of two regions or more: a joint, cross-regional buyer. */
export function spansSeveralRegions(state: Pick<BuyersGroupState, 'regions'>): boolean {
  return state.regions.length >= 2;
}

function formation(
  command: Extract<BuyersGroupCommand, { type: 'FormBuyersGroup' }>,
  state: BuyersGroupState,
): FormedBuyersGroup {
  if (state.status !== 'NONE') {
    throw new InvalidStateError('This buyers group is already formed', 'BUYERS_GROUP_EXISTS');
  }
  const name = requiredText('name', command.name, TITLE_LIMIT);
  const needIds = Array.isArray(command.needIds) ? command.needIds : [];
  if (needIds.length === 0) {
    throw new DomainRuleError(
      'A buyers group starts with at least one validated need of your organisation',
      'NEEDS_REQUIRED',
    );
  }
  const repeated = needIds.filter((id, i) => needIds.indexOf(id) !== i);
  if (repeated.length > 0) {
    throw new DomainRuleError(
      `The need ${repeated.join(', ')} is listed more than once`,
      'DUPLICATE_NEED',
      { needIds: distinct(repeated) },
    );
  }
  const facts = new Map(command.needs.map((n) => [n.id, n]));
  const unknown = needIds.filter((id) => !facts.has(id));
  if (unknown.length > 0) {
    throw new DomainRuleError(
      `No need is known with the id ${unknown.join(', ')}`,
      'UNKNOWN_NEED',
      { needIds: unknown },
    );
  }
  const needs = needIds.map((id) => facts.get(id) as NeedFacts);
  // Claiming a need locks it out of every other group, so only its own organisation may do it.
  const foreign = needs.filter((n) => n.org !== command.actorOrg);
  if (foreign.length > 0) {
    const owners = foreign.map((n) => `${n.id} belongs to ${n.org}`).join(', ');
    const joins =
      foreign.length === 1
        ? 'that organisation joins the group with it once the group is formed'
        : 'each organisation joins the group with its own need once the group is formed';
    throw new NotOwnerError(
      `A buyers group is formed with needs of your own organisation only; ${owners}: ${joins}`,
      'NOT_OWNER',
      { needs: foreign.map((n) => ({ needId: n.id, org: n.org })) },
    );
  }
  const notValidated = needs.filter((n) => n.status !== 'VALIDATED');
  if (notValidated.length > 0) {
    throw new DomainRuleError(
      `Only validated needs go into a buyers group; not validated: ${notValidated
        .map((n) => `${n.id} (${n.status.toLowerCase()})`)
        .join(', ')}`,
      'NEED_NOT_VALIDATED',
      { needIds: notValidated.map((n) => n.id) },
    );
  }
  for (const need of needs) refuseIfGrouped(need, command.buyersGroupId);
  return {
    buyersGroupId: command.buyersGroupId,
    name,
    leadOrg: command.actorOrg,
    memberOrgs: [command.actorOrg],
    needIds,
    regions: distinct(needs.map((n) => n.region)),
  };
}

function joining(
  command: Extract<BuyersGroupCommand, { type: 'JoinBuyersGroup' }>,
  state: BuyersGroupState,
): BuyersGroupJoined {
  if (state.status === 'NONE') {
    throw new NotFoundError('There is no such buyers group', 'BUYERS_GROUP_NOT_FOUND');
  }
  const need = command.need;
  if (!need || need.id !== command.needId) {
    throw new DomainRuleError(`No need is known with the id ${command.needId}`, 'UNKNOWN_NEED', {
      needIds: [command.needId],
    });
  }
  if (need.org !== command.actorOrg) {
    throw new NotOwnerError(
      `An organisation joins a buyers group with a need of its own; ${need.id} belongs to ${need.org}`,
      'NOT_OWNER',
      { needId: need.id, org: need.org },
    );
  }
  if (state.needIds.includes(need.id)) {
    throw new InvalidStateError(
      `The need ${need.id} is already in this buyers group`,
      'ALREADY_IN_GROUP',
      { needId: need.id },
    );
  }
  if (need.status !== 'VALIDATED') {
    throw new DomainRuleError(
      `The need ${need.id} is ${need.status.toLowerCase()}; validate it before joining a buyers group`,
      'NEED_NOT_VALIDATED',
      { needIds: [need.id] },
    );
  }
  refuseIfGrouped(need, state.buyersGroupId as string);
  return {
    buyersGroupId: state.buyersGroupId as string,
    needId: need.id,
    org: need.org,
    region: need.region,
  };
}

function refuseIfGrouped(need: NeedFacts, buyersGroupId: string): void {
  if (need.buyersGroupId !== null && need.buyersGroupId !== buyersGroupId) {
    throw new DomainRuleError(
      `The need ${need.id} already belongs to buyers group ${need.buyersGroupId}; a need is in at most one group`,
      'NEED_ALREADY_GROUPED',
      { needId: need.id, buyersGroupId: need.buyersGroupId },
    );
  }
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}
