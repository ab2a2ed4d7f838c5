import type { Projection } from '@pcp/documents';
import { CONSULTATION_STREAM_PREFIX } from '../application/streams';
import {
  CONSULTATION_VIEW_EVENT_TYPES,
  evolveConsultationView,
  type ConsultationView,
} from './consultation-view';

export const CONSULTATIONS_COLLECTION = 'consultations';

/** The consultations list, fed from the context's own streams. */
export const consultationsProjection: Projection = {
  name: 'consultations',
  collections: [CONSULTATIONS_COLLECTION],
  eventTypes: CONSULTATION_VIEW_EVENT_TYPES,
  async apply(event, view) {
    if (!event.streamId.startsWith(CONSULTATION_STREAM_PREFIX)) return;
    const id = event.streamId.slice(CONSULTATION_STREAM_PREFIX.length);
    await view.update<ConsultationView>(
      CONSULTATIONS_COLLECTION,
      id,
      (current) => evolveConsultationView(current, event),
      { streamView: true },
    );
  },
};
