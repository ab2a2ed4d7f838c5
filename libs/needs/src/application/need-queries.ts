import { Inject, Injectable } from '@nestjs/common';
import {
  DOCUMENT_STORE,
  InvalidCursorError,
  InvalidQueryError,
  type DocumentData,
  type DocumentStore,
  type Filter,
} from '@pcp/documents';
import {
  EVENT_STORE,
  NotFoundError,
  type EventEnvelope,
  type EventStore,
} from '@pcp/eventsourcing';
import { RequestValidationError, toHistoryItem, type HistoryItem, type ListPage } from '@pcp/http';
import { buyersGroupViewOf, type BuyersGroupView } from '../read-models/buyers-group-view';
import { needViewOf, type NeedView } from '../read-models/need-view';
import { BUYERS_GROUPS_COLLECTION, NEEDS_COLLECTION } from '../read-models/needs.projection';
import { buyersGroupStream, needStream } from './streams';

export interface NeedListQuery {
  status?: string;
  region?: string;
  diseaseField?: string;
  org?: string;
  limit?: number;
  cursor?: string;
}

export interface BuyersGroupListQuery {
  org?: string;
  region?: string;
  limit?: number;
  cursor?: string;
}

/** Reads needs and buyers groups: single ones fresh from their streams, lists from the read model. */
@Injectable()
export class NeedQueries {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
  ) {}

  async need(id: string, asOf?: Date): Promise<NeedView> {
    const view = needViewOf(await this.events(needStream(id), asOf));
    if (!view) throw notFound('need', id, asOf);
    return view;
  }

  async buyersGroup(id: string, asOf?: Date): Promise<BuyersGroupView> {
    const view = buyersGroupViewOf(await this.events(buyersGroupStream(id), asOf));
    if (!view) throw notFound('buyers group', id, asOf);
    return view;
  }

  async needHistory(id: string): Promise<{ streamId: string; items: HistoryItem[] }> {
    return this.history(needStream(id), 'need', id);
  }

  async buyersGroupHistory(id: string): Promise<{ streamId: string; items: HistoryItem[] }> {
    return this.history(buyersGroupStream(id), 'buyers group', id);
  }

  needs(query: NeedListQuery): Promise<ListPage<NeedView>> {
    const filter: Filter = {};
    for (const field of ['status', 'region', 'diseaseField', 'org'] as const) {
      if (query[field] !== undefined) filter[field] = query[field];
    }
    return page<NeedView>(this.documents, NEEDS_COLLECTION, filter, query, 'recordedAt');
  }

  buyersGroups(query: BuyersGroupListQuery): Promise<ListPage<BuyersGroupView>> {
    const filter: Filter = {};
    if (query.org !== undefined) filter['memberOrgs'] = query.org;
    if (query.region !== undefined) filter['regions'] = query.region;
    return page<BuyersGroupView>(
      this.documents,
      BUYERS_GROUPS_COLLECTION,
      filter,
      query,
      'formedAt',
    );
  }

  private async history(streamId: string, what: string, id: string) {
    const events = await this.store.readStream(streamId);
    if (events.length === 0) throw notFound(what, id);
    return { streamId, items: events.map((e) => toHistoryItem(e)) };
  }

  /**
   * A stream as it was at `asOf`: the events that had occurred by then (their `occurredAt`,
   * the time the history shows), so any time read off the history gives the state right
   * after that event.
   */
  private async events(streamId: string, asOf?: Date): Promise<EventEnvelope[]> {
    const events = await this.store.readStream(streamId);
    if (!asOf) return events;
    return events.filter((e) => Date.parse(e.occurredAt) <= asOf.getTime());
  }
}

function notFound(what: string, id: string, asOf?: Date): NotFoundError {
  return asOf
    ? new NotFoundError(`The ${what} ${id} did not exist yet at ${asOf.toISOString()}`)
    : new NotFoundError(`There is no ${what} with the id ${id}`);
}

/** One page of a read-model collection, oldest first; a foreign cursor is a 400. */
export async function page<T extends DocumentData>(
  documents: DocumentStore,
  collection: string,
  filter: Filter,
  query: { limit?: number; cursor?: string },
  sortField: string,
): Promise<ListPage<T>> {
  try {
    const found = await documents.collection<T>(collection).find({
      filter,
      limit: query.limit,
      cursor: query.cursor,
      sort: { field: sortField, direction: 'asc' },
    });
    return { items: found.items.map((d) => d.data), nextCursor: found.nextCursor };
  } catch (error) {
    if (error instanceof InvalidCursorError || error instanceof InvalidQueryError) {
      throw new RequestValidationError([
        { field: 'cursor', constraints: { isCursor: error.message } },
      ]);
    }
    throw error;
  }
}
