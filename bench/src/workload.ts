/**
 * The events the scenarios write: real needs-context events, in the stored shape the needs
 * decider gives them (a need recorded, validated, then prioritised again and again), so the
 * needs projection, the translator and the relay treat them as in production.
 */
import { randomUUID } from 'node:crypto';
import { NeedRecordedEvent } from '@pcp/contracts';
import {
  aggregateStreamId,
  type Actor,
  type EventStore,
  type NewEvent,
  NO_STREAM,
} from '@pcp/eventsourcing';
import { runConcurrently } from './measure';

export const needStreamId = (needId: string): string => aggregateStreamId('needs', 'need', needId);

export const procurer = (org: string): Actor => ({
  userId: `u-${org}`,
  org,
  roles: ['procurer'],
});

/** What the needs context stores for a recorded need: the published fields and more. */
export const recordedNeed = (needId: string, org: string) => ({
  ...NeedRecordedEvent.example,
  needId,
  org,
  description:
    'Sepsis is recognised too late in two out of five emergency admissions; clinicians need ' +
    'an early warning from routine vital signs and laboratory values.',
  evidence: [
    { title: 'Regional sepsis audit 2024', url: 'https://www.sergas.es/audit-sepsis-2024.pdf' },
  ],
});

function eventAt(index: number, needId: string, org: string): { type: string; data: object } {
  if (index === 0) return { type: 'NeedRecorded', data: recordedNeed(needId, org) };
  if (index === 1)
    return {
      type: 'NeedValidated',
      data: { needId, org, region: 'ES11', rationale: 'Board approved' },
    };
  return {
    type: 'NeedPrioritised',
    data: { needId, org, score: (index * 7) % 100, criteria: null },
  };
}

/** `count` events of one need, as its stream holds them. */
export function needEvents(needId: string, org: string, count: number): NewEvent[] {
  const actor = procurer(org);
  return Array.from({ length: count }, (_, i) => ({
    ...eventAt(i, needId, org),
    actor,
    correlationId: randomUUID(),
  }));
}

/** One payload for the append scenarios: the event a `POST /needs` records. */
export function needRecordedPayload(): { type: string; data: unknown; actor: Actor } {
  return {
    type: 'NeedRecorded',
    data: recordedNeed(randomUUID(), 'org-bench'),
    actor: procurer('org-bench'),
  };
}

export interface NeedLog {
  /** The last stream written: a single NeedRecorded of `lastOrg`, seen last by any reader. */
  lastNeedId: string;
  lastOrg: string;
  events: number;
}

/**
 * Fills a store with `total` needs events, `perStream` per need, in appends of one whole
 * stream each, from `writers` concurrent writers (one on PGlite, which has one connection).
 */
export async function writeNeedLog(
  store: EventStore,
  total: number,
  perStream: number,
  writers: number,
  onProgress?: (written: number) => void,
): Promise<NeedLog> {
  const body = Math.max(0, total - 1);
  const streams = Math.ceil(body / perStream);
  let written = 0;
  await runConcurrently(streams, writers, async (i) => {
    const size = Math.min(perStream, body - i * perStream);
    const needId = randomUUID();
    await store.append(needStreamId(needId), needEvents(needId, `org-${i % 50}`, size), NO_STREAM);
    written += size;
    if (onProgress && i % 2000 === 0) onProgress(written);
  });
  const lastNeedId = randomUUID();
  const lastOrg = 'org-bench-last';
  await store.append(needStreamId(lastNeedId), needEvents(lastNeedId, lastOrg, 1), NO_STREAM);
  return { lastNeedId, lastOrg, events: written + 1 };
}
