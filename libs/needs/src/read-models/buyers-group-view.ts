import type { BuyersGroupEvent } from '../domain';
import type { ViewedEvent } from './need-view';

/** A buyers group as people read it. */
export type BuyersGroupView = {
  id: string;
  name: string;
  leadOrg: string;
  memberOrgs: string[];
  needIds: string[];
  regions: string[];
  /** Two regions or more: a joint, cross-regional buyer that can be consulted on as one. */
  crossRegional: boolean;
  formedAt: string;
  updatedAt: string;
  revision: number;
};

export const BUYERS_GROUP_VIEW_EVENT_TYPES = ['BuyersGroupFormed', 'BuyersGroupJoined'] as const;

export function evolveBuyersGroupView(
  view: BuyersGroupView | null,
  stored: ViewedEvent,
): BuyersGroupView | undefined {
  const event = { type: stored.type, data: stored.data } as BuyersGroupEvent;
  const revision = Number(stored.revision);
  if (event.type === 'BuyersGroupFormed') {
    const regions = [...event.data.regions];
    return {
      id: event.data.buyersGroupId,
      name: event.data.name,
      leadOrg: event.data.leadOrg,
      memberOrgs: [...event.data.memberOrgs],
      needIds: [...event.data.needIds],
      regions,
      crossRegional: regions.length >= 2,
      formedAt: stored.occurredAt,
      updatedAt: stored.occurredAt,
      revision,
    };
  }
  if (view === null || event.type !== 'BuyersGroupJoined') return undefined;
  const regions = distinct([...view.regions, event.data.region]);
  return {
    ...view,
    memberOrgs: distinct([...view.memberOrgs, event.data.org]),
    needIds: distinct([...view.needIds, event.data.needId]),
    regions,
    crossRegional: regions.length >= 2,
    updatedAt: stored.occurredAt,
    revision,
  };
}

export function buyersGroupViewOf(events: readonly ViewedEvent[]): BuyersGroupView | null {
  let view: BuyersGroupView | null = null;
  for (const event of events) view = evolveBuyersGroupView(view, event) ?? view;
  return view;
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}
