import type { Projection } from '@pcp/documents';
import { PILOT_STREAM_PREFIX, TESTBED_STREAM_PREFIX } from '../application/streams';
import type { TrlAssessedData } from '../domain';
import {
  PILOT_VIEW_EVENT_TYPES,
  TESTBED_VIEW_EVENT_TYPES,
  evolvePilotView,
  evolveTestbedView,
  type PilotView,
  type TestbedView,
} from './pilot-view';

export const PILOTS_COLLECTION = 'pilots';
export const TESTBEDS_COLLECTION = 'pilots_testbeds';
/** Per innovation, the latest TRL assessed in any pilot. */
export const INNOVATION_TRLS = 'pilots_innovation_trls';

export type InnovationTrl = {
  innovationId: string;
  trl: number;
  assessedAt: string;
  /** The pilot id, or the tender and phase. */
  source: string;
};

/** Pilots, testbeds and the innovations' assessed TRLs, fed from the context's own streams. */
export const pilotsProjection: Projection = {
  name: 'pilots',
  collections: [PILOTS_COLLECTION, TESTBEDS_COLLECTION, INNOVATION_TRLS],
  eventTypes: [...PILOT_VIEW_EVENT_TYPES, ...TESTBED_VIEW_EVENT_TYPES],
  async apply(event, view) {
    if (event.streamId.startsWith(TESTBED_STREAM_PREFIX)) {
      const id = event.streamId.slice(TESTBED_STREAM_PREFIX.length);
      await view.update<TestbedView>(
        TESTBEDS_COLLECTION,
        id,
        (current) => evolveTestbedView(current, event),
        { streamView: true },
      );
      return;
    }
    if (!event.streamId.startsWith(PILOT_STREAM_PREFIX)) return;
    const id = event.streamId.slice(PILOT_STREAM_PREFIX.length);
    await view.update<PilotView>(
      PILOTS_COLLECTION,
      id,
      (current) => evolvePilotView(current, event),
      { streamView: true },
    );
    if (event.type === 'TrlAssessed') {
      const d = event.data as TrlAssessedData;
      const assessed: InnovationTrl = {
        innovationId: d.innovationId,
        trl: d.trl,
        assessedAt: d.assessedAt,
        source: d.pilotId,
      };
      await view.update<InnovationTrl>(INNOVATION_TRLS, d.innovationId, (known) =>
        known && Date.parse(known.assessedAt) > Date.parse(assessed.assessedAt)
          ? undefined
          : assessed,
      );
    }
  },
};
