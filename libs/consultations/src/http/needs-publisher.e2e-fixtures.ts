import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type {
  BuyersGroupFormed,
  BuyersGroupJoined,
  NeedRecorded,
  NeedValidated,
  NeedWithdrawn,
} from '@pcp/contracts';
import {
  NO_STREAM,
  aggregateStreamId,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
} from '@pcp/eventsourcing';
import type { BoundedContext } from '@pcp/platform';

/*
 * Consultations knows the needs context only through its published language. These suites
 * make needs and buyers groups visible the way the needs context does: they store its
 * events, in its streams and stored shape, on the log of the app under test; the platform
 * publishes them with the needs translator and consultations learns from what arrives.
 */

@Module({})
class NeedsLogOnly {}

/**
 * The needs context reduced to what consultations can see of it: no routes, only its log
 * published under its declared event names, with the declared fields (as the needs context
 * itself publishes them). Embedded, it feeds consultations' consumer from the log; over
 * Kafka, its relay publishes to `pcp.needs.events`.
 */
export const needsAsPublished: BoundedContext = { name: 'needs', module: NeedsLogOnly };

/** A procurer acting in the needs context. */
export interface Procurer {
  userId: string;
  org: string;
}

export interface NeedFacts {
  id: string;
  org: string;
  region: string;
}

type Log = { store: Pick<EventStore, 'append'> };

const needStream = (id: string) => aggregateStreamId('needs', 'need', id);
const buyersGroupStream = (id: string) => aggregateStreamId('needs', 'buyersGroup', id);

function stored<T>(type: string, data: T, by: Procurer, reason: string | null = null): NewEvent<T> {
  return {
    type,
    data,
    actor: { userId: by.userId, org: by.org, roles: ['procurer'] },
    reason,
    correlationId: randomUUID(),
  };
}

async function append(log: Log, streamId: string, event: NewEvent, expected: ExpectedRevision) {
  await log.store.append(streamId, [event], expected);
}

/** A need as the needs context records it; it stays RECORDED. Returns its id. */
export async function publishRecordedNeed(
  log: Log,
  by: Procurer,
  region = 'ES11',
): Promise<string> {
  const needId = randomUUID();
  const recorded: NeedRecorded & { description: string; evidence: [] } = {
    needId,
    org: by.org,
    title: 'Early detection of sepsis in emergency departments',
    // Stored by the needs context, never published: the translator leaves it out.
    description: 'Sepsis is recognised too late in two out of five emergency admissions.',
    region,
    diseaseField: 'infectious',
    scope: ['early_detection'],
    patientPopulation: 12000,
    budgetEstimateEur: 2_500_000,
    barriers: ['data_fragmentation'],
    evidence: [],
  };
  await append(log, needStream(needId), stored('NeedRecorded', recorded, by), NO_STREAM);
  return needId;
}

/** A need recorded and then validated by its owner. Returns its id. */
export async function publishValidatedNeed(
  log: Log,
  by: Procurer,
  region = 'ES11',
): Promise<string> {
  const needId = await publishRecordedNeed(log, by, region);
  const validated: NeedValidated = { needId, org: by.org, region, rationale: null };
  await append(log, needStream(needId), stored('NeedValidated', validated, by), 0n);
  return needId;
}

/** The owner withdraws a validated need (the third event of its stream). */
export async function publishWithdrawal(
  log: Log,
  needId: string,
  by: Procurer,
  reason: string,
): Promise<void> {
  const withdrawn: NeedWithdrawn = { needId, org: by.org, reason };
  await append(log, needStream(needId), stored('NeedWithdrawn', withdrawn, by, reason), 1n);
}

/**
 * A buyers group formed by `by` over validated needs (each freshly validated, so the claim
 * lands at revision 2). As the needs context does, each need is claimed on its own stream
 * first (NeedGrouped, which stays private) and the group's event is appended last.
 */
export async function publishBuyersGroup(
  log: Log,
  by: Procurer,
  name: string,
  needs: NeedFacts[],
): Promise<string> {
  const buyersGroupId = randomUUID();
  for (const need of needs) await claim(log, need, buyersGroupId, by);
  const formed: BuyersGroupFormed & { memberOrgs: string[] } = {
    buyersGroupId,
    name,
    leadOrg: by.org,
    memberOrgs: [...new Set([by.org, ...needs.map((n) => n.org)])],
    needIds: needs.map((n) => n.id),
    regions: [...new Set(needs.map((n) => n.region))],
  };
  await append(
    log,
    buyersGroupStream(buyersGroupId),
    stored('BuyersGroupFormed', formed, by),
    NO_STREAM,
  );
  return buyersGroupId;
}

/**
 * `by` joins a group with a freshly validated need of theirs. `groupRevision` is the
 * revision of the group's stream before the join (0 right after forming).
 */
export async function publishGroupJoin(
  log: Log,
  buyersGroupId: string,
  by: Procurer,
  need: Omit<NeedFacts, 'org'>,
  groupRevision = 0n,
): Promise<void> {
  await claim(log, { ...need, org: by.org }, buyersGroupId, by);
  const joined: BuyersGroupJoined = {
    buyersGroupId,
    needId: need.id,
    org: by.org,
    region: need.region,
  };
  await append(
    log,
    buyersGroupStream(buyersGroupId),
    stored('BuyersGroupJoined', joined, by),
    groupRevision,
  );
}

async function claim(log: Log, need: NeedFacts, buyersGroupId: string, by: Procurer) {
  await append(
    log,
    needStream(need.id),
    stored('NeedGrouped', { needId: need.id, buyersGroupId }, by),
    1n,
  );
}
