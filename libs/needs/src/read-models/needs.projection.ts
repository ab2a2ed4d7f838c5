import type { Projection } from '@pcp/documents';
import { BUYERS_GROUP_STREAM_PREFIX, NEED_STREAM_PREFIX } from '../application/streams';
import {
  BUYERS_GROUP_VIEW_EVENT_TYPES,
  evolveBuyersGroupView,
  type BuyersGroupView,
} from './buyers-group-view';
import { NEED_VIEW_EVENT_TYPES, evolveNeedView, type NeedView } from './need-view';

export const NEEDS_COLLECTION = 'needs';
export const BUYERS_GROUPS_COLLECTION = 'needs_buyers_groups';

/** The needs and buyers groups lists, fed from the needs context's own streams. */
export const needsProjection: Projection = {
  name: 'needs',
  collections: [NEEDS_COLLECTION, BUYERS_GROUPS_COLLECTION],
  eventTypes: [...NEED_VIEW_EVENT_TYPES, ...BUYERS_GROUP_VIEW_EVENT_TYPES],
  async apply(event, view) {
    if (event.streamId.startsWith(NEED_STREAM_PREFIX)) {
      const id = event.streamId.slice(NEED_STREAM_PREFIX.length);
      await view.update<NeedView>(
        NEEDS_COLLECTION,
        id,
        (current) => evolveNeedView(current, event),
        { streamView: true },
      );
    } else if (event.streamId.startsWith(BUYERS_GROUP_STREAM_PREFIX)) {
      const id = event.streamId.slice(BUYERS_GROUP_STREAM_PREFIX.length);
      await view.update<BuyersGroupView>(
        BUYERS_GROUPS_COLLECTION,
        id,
        (current) => evolveBuyersGroupView(current, event),
        { streamView: true },
      );
    }
  },
};
