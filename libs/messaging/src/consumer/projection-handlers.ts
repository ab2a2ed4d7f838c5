/**
 * Read models fed from Kafka use the same projections as those fed from the log: each
 * message becomes a ProjectedEvent (stream id = ce_subject, revision = streamRevision), so
 * the revision guard holds whichever way the event arrived.
 */
import type { IntegrationEventDefinition } from '@pcp/contracts';
import {
  type DocumentStore,
  type ProjectedEvent,
  type Projection,
  applyToProjection,
} from '@pcp/documents';
import type { IntegrationMessage } from '../integration-message';
import { type HandlerBinding, on } from './integration-consumer';

export const projectedEventOf = (message: IntegrationMessage): ProjectedEvent => ({
  id: message.id,
  type: message.type,
  streamId: message.subject,
  revision: message.streamRevision,
  occurredAt: message.time,
  data: message.data,
});

/** Handlers that apply each of the given events to the projection. */
export function projectionHandlers(
  projection: Projection,
  documents: DocumentStore,
  definitions: IntegrationEventDefinition[],
): HandlerBinding[] {
  const unread = definitions.filter((d) => !projection.eventTypes.includes(d.type));
  if (unread.length > 0) {
    throw new Error(
      `Projection ${projection.name} does not read ${unread.map((d) => d.type).join(', ')}`,
    );
  }
  return definitions.map((definition) =>
    on(definition, async (message) => {
      await applyToProjection(projection, documents, projectedEventOf(message));
    }),
  );
}
