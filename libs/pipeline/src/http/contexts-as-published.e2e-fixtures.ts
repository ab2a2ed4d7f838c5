import { Module } from '@nestjs/common';
import type { ContextName } from '@pcp/contracts';
import { aggregateStreamId, NO_STREAM, type Actor, type EventStore } from '@pcp/eventsourcing';
import type { BoundedContext } from '@pcp/platform';
import { randomUUID } from 'node:crypto';

/*
 * The pipeline knows the other contexts only through their published language. These suites
 * make them visible the way they publish themselves: events stored on the log of the app
 * under test, in their streams, named and shaped as the published schemas (plus private
 * stored events the translators never publish, such as a sealed bid's own stream); the
 * platform publishes them with each context's default translator.
 */

@Module({})
class LogOnly {}

const asPublished = (name: ContextName): BoundedContext => ({ name, module: LogOnly });

/** Needs, consultations, tenders and pilots reduced to their logs. */
export const otherContextsAsPublished: BoundedContext[] = [
  asPublished('needs'),
  asPublished('consultations'),
  asPublished('tenders'),
  asPublished('pilots'),
];

export const person = (userId: string, org: string, role: string): Actor & { org: string } => ({
  userId,
  org,
  roles: [role],
});

/** Who stands behind a sealed bid on the tender's stream: nobody named. */
export const SEALED: Actor = { userId: 'sealed-bid', org: null, roles: [] };

/** The data of a NeedRecorded event as the needs context publishes it: a need in Galicia. */
export const recordedNeed = (needId: string, org: string): Record<string, unknown> => ({
  needId,
  org,
  title: 'Early detection of sepsis',
  region: 'ES11',
  diseaseField: 'infectious',
  scope: ['early_detection'],
  patientPopulation: 12000,
  budgetEstimateEur: 2_500_000,
  barriers: [],
});

/** The data of a ConsultationOpened event as the consultations context publishes it. */
export const openedConsultation = (
  consultationId: string,
  needId: string,
  org: string,
  dates: { opensAt: string; closesAt: string } = {
    opensAt: '2026-02-01T00:00:00.000Z',
    closesAt: '2026-03-01T00:00:00.000Z',
  },
): Record<string, unknown> => ({
  consultationId,
  org,
  needId,
  buyersGroupId: null,
  regions: ['ES11'],
  title: 'Sepsis market consultation',
  ...dates,
  questions: [],
  stateOfTheArtTrl: 4,
});

/** Appends to the other contexts' streams in order, one event at a time. */
export class OtherContextsLog {
  private readonly revisions = new Map<string, bigint>();

  constructor(private readonly store: Pick<EventStore, 'append'>) {}

  stream(context: string, aggregate: string, id: string): string {
    return aggregateStreamId(context, aggregate, id);
  }

  async emit(
    streamId: string,
    type: string,
    data: Record<string, unknown>,
    actor: Actor,
    reason: string | null = null,
  ): Promise<void> {
    const last = this.revisions.get(streamId);
    await this.store.append(
      streamId,
      [{ type, data, actor, reason, correlationId: randomUUID() }],
      last === undefined ? NO_STREAM : last,
    );
    this.revisions.set(streamId, (last ?? -1n) + 1n);
  }
}
