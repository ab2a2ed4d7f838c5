import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type {
  ConsultationOpened,
  ConsultationResponseSubmitted,
  ProcurementRoute,
  ProcurementRouteDecided,
} from '@pcp/contracts';
import {
  NO_STREAM,
  aggregateStreamId,
  type Actor,
  type EventStore,
  type NewEvent,
} from '@pcp/eventsourcing';
import type { BoundedContext } from '@pcp/platform';

/*
 * Tenders knows the consultations context only through its published language. These suites
 * make consultations visible the way that context does: they store its events, in its streams,
 * on the log of the app under test; the platform publishes them with the standard translator
 * and tenders learns from what arrives.
 */

@Module({})
class ConsultationsLogOnly {}

/** The consultations context reduced to its log, published under its declared event names. */
export const consultationsAsPublished: BoundedContext = {
  name: 'consultations',
  module: ConsultationsLogOnly,
};

type Log = { store: Pick<EventStore, 'append'> };

export interface RoutedConsultation {
  consultationId: string;
  /** Innovation ids of the respondents, by supplier organisation. */
  innovations: Record<string, string>;
}

const stored = <T>(
  type: string,
  data: T,
  actor: Actor,
  reason: string | null = null,
): NewEvent<T> => ({
  type,
  data,
  actor,
  reason,
  correlationId: randomUUID(),
});

/**
 * A consultation of `org` in `regions`, answered by the given supplier organisations, closed
 * and routed (or left without a route when `route` is null). Appended as the consultations
 * context appends them.
 */
export async function publishRoutedConsultation(
  log: Log,
  org: string,
  route: ProcurementRoute | null,
  respondents: string[] = [],
  regions: string[] = ['ES11'],
): Promise<RoutedConsultation> {
  const consultationId = randomUUID();
  const streamId = aggregateStreamId('consultations', 'consultation', consultationId);
  const procurer: Actor = { userId: `u-${org}`, org, roles: ['procurer'] };
  const needId = randomUUID();
  const opened: ConsultationOpened & { description: string } = {
    consultationId,
    org,
    needId,
    buyersGroupId: null,
    regions,
    title: 'Market consultation: sepsis early warning',
    description: 'Early warning of sepsis in emergency departments.',
    opensAt: '2026-01-10T09:00:00+01:00',
    closesAt: '2026-02-20T17:00:00+01:00',
    questions: [],
    stateOfTheArtTrl: 5,
  };
  const events: NewEvent[] = [stored('ConsultationOpened', opened, procurer)];
  const innovations: Record<string, string> = {};
  for (const supplierOrg of respondents) {
    innovations[supplierOrg] = randomUUID();
    const response: ConsultationResponseSubmitted & { summary: string } = {
      consultationId,
      responseId: randomUUID(),
      innovationId: innovations[supplierOrg],
      supplierOrg,
      needId,
      buyersGroupId: null,
      solutionName: `Solution of ${supplierOrg}`,
      summary: 'A risk score from vital signs.',
      declaredTrl: 5,
    };
    events.push(
      stored('ConsultationResponseSubmitted', response, {
        userId: `u-${supplierOrg}`,
        org: supplierOrg,
        roles: ['supplier'],
      }),
    );
  }
  if (route !== null) {
    const decided: ProcurementRouteDecided = {
      consultationId,
      org,
      needId,
      buyersGroupId: null,
      route,
      rationale: 'Best declared TRL is 5: research and development still needed',
      justification: route === 'PCP' ? null : 'Field-ready solutions exist outside the responses',
      stateOfTheArtTrl: 5,
      againstTrlRule: route !== 'PCP',
    };
    events.push(stored('ProcurementRouteDecided', decided, procurer, decided.rationale));
  }
  await log.store.append(streamId, events, NO_STREAM);
  return { consultationId, innovations };
}
