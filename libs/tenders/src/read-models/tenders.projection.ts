import type { Projection } from '@pcp/documents';
import { tenderDecider, type TenderEvent, type TenderState } from '../domain';
import { TENDER_STREAM_PREFIX } from '../application/streams';

export const TENDERS_COLLECTION = 'tenders';

/**
 * A tender in the list: the decided state (read through the same visibility as a single
 * tender, never returned as it is) and the fields lists filter and sort on.
 */
export type TenderDocument = {
  id: string;
  org: string;
  procedure: string;
  regions: string[];
  status: string;
  /** The submission deadline in epoch milliseconds, for the deadline scheduler. */
  deadlineMs: number;
  createdAt: string;
  revision: number;
  state: TenderState;
};

const TENDER_EVENT_TYPES: TenderEvent['type'][] = [
  'TenderDrafted',
  'TenderPublished',
  'TenderAmended',
  'BidSubmitted',
  'BidReplaced',
  'BidWithdrawn',
  'LateBidRefused',
  'BiddingClosed',
  'BidsOpened',
  'BidRejected',
  'EvaluatorsAssigned',
  'ConflictDeclared',
  'BidScored',
  'EvaluationCompleted',
  'PhaseContractsAwarded',
  'DeliverableSubmitted',
  'DeliverableAccepted',
  'PhaseCompleted',
  'TrlAssessedInPhase',
  'SuppliersDownSelected',
  'TenderCompleted',
  'TenderCancelled',
];

/** The tenders list, fed from the tender streams. */
export const tendersProjection: Projection = {
  name: 'tenders',
  collections: [TENDERS_COLLECTION],
  eventTypes: TENDER_EVENT_TYPES,
  async apply(event, view) {
    if (!event.streamId.startsWith(TENDER_STREAM_PREFIX)) return;
    const id = event.streamId.slice(TENDER_STREAM_PREFIX.length);
    await view.update<TenderDocument>(
      TENDERS_COLLECTION,
      id,
      (current) => {
        if (current === null && event.type !== 'TenderDrafted') return undefined;
        const before = current?.state ?? tenderDecider.initialState();
        const state = tenderDecider.evolve(before, {
          type: event.type,
          data: event.data,
        } as TenderEvent);
        if (state.terms === null) return undefined;
        return {
          id,
          org: state.org as string,
          procedure: state.terms.procedure,
          regions: state.regions,
          status: state.status,
          deadlineMs: Date.parse(state.terms.submissionDeadline),
          createdAt: current?.createdAt ?? event.occurredAt,
          revision: Number(event.revision),
          state,
        };
      },
      { streamView: true },
    );
  },
};
