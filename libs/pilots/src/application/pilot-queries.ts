import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import {
  DOCUMENT_STORE,
  InvalidCursorError,
  InvalidQueryError,
  type DocumentData,
  type DocumentStore,
  type Filter,
  type FindOptions,
} from '@pcp/documents';
import { EVENT_STORE, NotFoundError, type EventStore } from '@pcp/eventsourcing';
import {
  RequestValidationError,
  pageOf,
  toHistoryItem,
  type HistoryItem,
  type ListPage,
  type PageQuery,
} from '@pcp/http';
import {
  pilotViewOf,
  testbedViewOf,
  type PilotView,
  type TestbedView,
} from '../read-models/pilot-view';
import { PILOTS_COLLECTION, TESTBEDS_COLLECTION } from '../read-models/pilots.projection';
import { pilotStream, testbedStream } from './streams';

/** Who reads: the user, organisation and roles of the token. */
export interface Viewer {
  userId: string;
  org: string;
  roles: readonly string[];
}

/** A pilot as the API shows it: the view without its list-scoping keys. */
export type PilotResource = Omit<PilotView, 'readers'>;

export type PilotItemKind = 'measurements' | 'incidents' | 'trlAssessments' | 'rollouts';

const ITEM_NAMES: Record<PilotItemKind, string> = {
  measurements: 'measurement',
  incidents: 'incident',
  trlAssessments: 'TRL assessment',
  rollouts: 'roll-out',
};

export interface PilotListQuery {
  status?: string;
  testbedId?: string;
  innovationId?: string;
  contractId?: string;
  limit?: number;
  cursor?: string;
}

export interface TestbedListQuery {
  type?: string;
  region?: string;
  limit?: number;
  cursor?: string;
}

/** Auditors and platform admins read every pilot. */
const readsEverything = (viewer: Viewer) =>
  viewer.roles.includes('auditor') || viewer.roles.includes('admin');

/**
 * The running procurer's organisation, the contract holder, the assigned evaluators,
 * auditors and admins read a pilot; nobody else.
 */
export function mayRead(view: Pick<PilotView, 'readers'>, viewer: Viewer): boolean {
  return (
    readsEverything(viewer) ||
    view.readers.includes(`org:${viewer.org}`) ||
    view.readers.includes(`user:${viewer.userId}`)
  );
}

export function toResource(view: PilotView): PilotResource {
  const { readers: _readers, ...resource } = view;
  return resource;
}

/** Reads pilots and testbeds: single ones fresh from the stream, lists from the read model. */
@Injectable()
export class PilotQueries {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
  ) {}

  async pilot(id: string, viewer: Viewer, asOf?: Date): Promise<PilotResource> {
    const events = await this.store.readStream(pilotStream(id));
    const current = pilotViewOf(events);
    if (!current) throw notFound('pilot', id);
    // Who may read is decided on the pilot as it is now, also for its past states.
    this.assertReader(current, viewer);
    if (!asOf) return toResource(current);
    const then = pilotViewOf(events.filter((e) => Date.parse(e.occurredAt) <= asOf.getTime()));
    if (!then) throw notFound('pilot', id, asOf);
    return toResource(then);
  }

  async pilots(query: PilotListQuery, viewer: Viewer): Promise<ListPage<PilotResource>> {
    const filter: Filter = {};
    if (query.status !== undefined) filter['status'] = query.status;
    if (query.testbedId !== undefined) filter['testbedId'] = query.testbedId;
    if (query.innovationId !== undefined) filter['innovationId'] = query.innovationId;
    if (query.contractId !== undefined) filter['contractId'] = query.contractId;
    if (!readsEverything(viewer)) {
      filter['readers'] = { $in: [`org:${viewer.org}`, `user:${viewer.userId}`] };
    }
    const page = await this.page<PilotView>(PILOTS_COLLECTION, {
      filter,
      limit: query.limit,
      cursor: query.cursor,
      sort: { field: 'createdAt', direction: 'asc' },
    });
    return { items: page.items.map(toResource), nextCursor: page.nextCursor };
  }

  /** The measurements, incidents, TRL assessments or roll-outs of a pilot, scoped as the pilot. */
  async pilotItems<K extends PilotItemKind>(
    id: string,
    kind: K,
    viewer: Viewer,
  ): Promise<PilotResource[K]> {
    return (await this.pilot(id, viewer))[kind];
  }

  /**
   * One page of them, oldest first. Whoever reads the pilot reads all its items, so an
   * item's place in the pilot's list is its key.
   */
  async pilotItemPage<K extends PilotItemKind>(
    id: string,
    kind: K,
    viewer: Viewer,
    page: PageQuery,
  ): Promise<ListPage<PilotResource[K][number]>> {
    const items = (await this.pilotItems(id, kind, viewer)) as PilotResource[K][number][];
    return pageOf(items, page);
  }

  async pilotItem<K extends Exclude<PilotItemKind, 'rollouts'>>(
    id: string,
    kind: K,
    itemId: string,
    viewer: Viewer,
  ): Promise<PilotResource[K][number]> {
    const items: readonly { id: string }[] = await this.pilotItems(id, kind, viewer);
    const item = items.find((i) => i.id === itemId);
    if (!item) throw new NotFoundError(`The pilot ${id} has no ${ITEM_NAMES[kind]} ${itemId}`);
    return item as PilotResource[K][number];
  }

  async pilotHistory(
    id: string,
    viewer: Viewer,
  ): Promise<{ streamId: string; items: HistoryItem[] }> {
    const streamId = pilotStream(id);
    const events = await this.store.readStream(streamId);
    const view = pilotViewOf(events);
    if (!view) throw notFound('pilot', id);
    this.assertReader(view, viewer);
    return { streamId, items: events.map((e) => toHistoryItem(e)) };
  }

  async testbed(id: string, asOf?: Date): Promise<TestbedView> {
    const events = await this.store.readStream(testbedStream(id));
    const view = testbedViewOf(
      asOf ? events.filter((e) => Date.parse(e.occurredAt) <= asOf.getTime()) : events,
    );
    if (!view) throw notFound('testbed', id, asOf);
    return view;
  }

  testbeds(query: TestbedListQuery): Promise<ListPage<TestbedView>> {
    const filter: Filter = {};
    if (query.type !== undefined) filter['type'] = query.type;
    if (query.region !== undefined) filter['region'] = query.region;
    return this.page<TestbedView>(TESTBEDS_COLLECTION, {
      filter,
      limit: query.limit,
      cursor: query.cursor,
      sort: { field: 'createdAt', direction: 'asc' },
    });
  }

  async testbedHistory(id: string): Promise<{ streamId: string; items: HistoryItem[] }> {
    const streamId = testbedStream(id);
    const events = await this.store.readStream(streamId);
    if (events.length === 0) throw notFound('testbed', id);
    return { streamId, items: events.map((e) => toHistoryItem(e)) };
  }

  private assertReader(view: PilotView, viewer: Viewer): void {
    if (!mayRead(view, viewer)) {
      throw new ForbiddenException(
        'A pilot is read by the organisation running it, the contract holder, its assigned evaluators, auditors and admins',
      );
    }
  }

  private async page<T extends DocumentData>(
    collection: string,
    options: FindOptions,
  ): Promise<ListPage<T>> {
    try {
      const page = await this.documents.collection<T>(collection).find(options);
      return { items: page.items.map((d) => d.data), nextCursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError || error instanceof InvalidQueryError) {
        throw new RequestValidationError([
          { field: 'cursor', constraints: { isCursor: error.message } },
        ]);
      }
      throw error;
    }
  }
}

function notFound(what: 'pilot' | 'testbed', id: string, asOf?: Date): NotFoundError {
  return asOf
    ? new NotFoundError(`The ${what} ${id} did not exist yet at ${asOf.toISOString()}`)
    : new NotFoundError(`There is no ${what} with the id ${id}`);
}
