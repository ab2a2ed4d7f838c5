import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import {
  DOCUMENT_STORE,
  InvalidCursorError,
  InvalidQueryError,
  type DocumentStore,
  type Filter,
} from '@pcp/documents';
import {
  EVENT_STORE,
  NotFoundError,
  PERSONAL_DATA_VAULT,
  type EventEnvelope,
  type EventStore,
  type PersonalDataVault,
} from '@pcp/eventsourcing';
import {
  RequestValidationError,
  pageOf,
  toHistoryItem,
  type HistoryItem,
  type ListPage,
  type PageQuery,
} from '@pcp/http';
import {
  consultationViewOf,
  type ClarificationView,
  type ConsultationView,
  type ResponseView,
} from '../read-models/consultation-view';
import { CONSULTATIONS_COLLECTION } from '../read-models/consultations.projection';
import {
  clarificationsFor,
  consultationFor,
  historyFor,
  isRespondent,
  seesEverything,
  type Viewer,
} from '../read-models/visibility';
import { consultationStream } from './streams';

export interface ConsultationListQuery {
  status?: string;
  region?: string;
  needId?: string;
  buyersGroupId?: string;
  org?: string;
  limit?: number;
  cursor?: string;
}

/**
 * Reads consultations as the caller may see them: single ones fresh from the stream, lists
 * from the read model. Contact persons are stored sealed and opened here, on every read, so
 * an erasure shows at once in every answer without touching the read model.
 */
@Injectable()
export class ConsultationQueries {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
  ) {}

  async consultation(id: string, viewer: Viewer, asOf?: Date): Promise<ConsultationView> {
    return this.vault.reveal(consultationFor(await this.view(id, asOf), viewer));
  }

  async list(query: ConsultationListQuery, viewer: Viewer): Promise<ListPage<ConsultationView>> {
    const filter: Filter = {};
    if (query.status !== undefined) filter['status'] = query.status;
    if (query.region !== undefined) filter['regions'] = query.region;
    if (query.needId !== undefined) filter['needId'] = query.needId;
    if (query.buyersGroupId !== undefined) filter['buyersGroupId'] = query.buyersGroupId;
    if (query.org !== undefined) filter['org'] = query.org;
    try {
      const page = await this.documents
        .collection<ConsultationView>(CONSULTATIONS_COLLECTION)
        .find({
          filter,
          limit: query.limit,
          cursor: query.cursor,
          sort: { field: 'createdAt', direction: 'asc' },
        });
      return {
        items: await this.vault.reveal(page.items.map((d) => consultationFor(d.data, viewer))),
        nextCursor: page.nextCursor,
      };
    } catch (error) {
      if (error instanceof InvalidCursorError || error instanceof InvalidQueryError) {
        throw new RequestValidationError([
          { field: 'cursor', constraints: { isCursor: error.message } },
        ]);
      }
      throw error;
    }
  }

  async history(id: string, viewer: Viewer): Promise<{ streamId: string; items: HistoryItem[] }> {
    const streamId = consultationStream(id);
    const events = await this.store.readStream(streamId);
    const view = consultationViewOf(events);
    if (!view) throw notFound(id);
    return {
      streamId,
      items: await this.vault.reveal(
        historyFor(
          view,
          events.map((e) => toHistoryItem(e)),
          viewer,
        ),
      ),
    };
  }

  /** The organiser sees every question; a respondent every answered one and its own. */
  async clarifications(
    id: string,
    viewer: Viewer,
    page: PageQuery,
  ): Promise<ListPage<ClarificationView>> {
    const view = await this.view(id);
    if (!seesEverything(view, viewer) && !isRespondent(view, viewer.org)) {
      throw new ForbiddenException(
        'Clarifications are read by the organising procurers and by suppliers that responded to this consultation',
      );
    }
    const place = placesOf(view.clarifications);
    return pageOf(clarificationsFor(view, viewer), page, (c) => place.get(c.id) as number);
  }

  async clarification(id: string, questionId: string, viewer: Viewer): Promise<ClarificationView> {
    const view = await this.view(id);
    const asked = view.clarifications.find((c) => c.id === questionId);
    if (!asked) throw new NotFoundError(`There is no question ${questionId} in this consultation`);
    const mayRead =
      seesEverything(view, viewer) ||
      asked.askedByOrg === viewer.org ||
      (asked.answer !== null && isRespondent(view, viewer.org));
    if (!mayRead) {
      throw new ForbiddenException(
        'A question is read by its asker and the organisers, and by every respondent once answered',
      );
    }
    return clarificationsFor(view, viewer).find((c) => c.id === questionId) as ClarificationView;
  }

  /** The organiser sees every response; a supplier its organisation's own. */
  async responses(id: string, viewer: Viewer, page: PageQuery): Promise<ListPage<ResponseView>> {
    const view = await this.view(id);
    const place = placesOf(view.responses);
    const { items, nextCursor } = pageOf(
      consultationFor(view, viewer).responses,
      page,
      (r) => place.get(r.id) as number,
    );
    return { items: await this.vault.reveal(items), nextCursor };
  }

  async response(id: string, responseId: string, viewer: Viewer): Promise<ResponseView> {
    const view = await this.view(id);
    const response = view.responses.find((r) => r.id === responseId);
    if (!response)
      throw new NotFoundError(`There is no response ${responseId} in this consultation`);
    if (!seesEverything(view, viewer) && response.supplierOrg !== viewer.org) {
      throw new ForbiddenException(
        "A response is read by its supplier and the consultation's organisers",
      );
    }
    return this.vault.reveal(response);
  }

  private async view(id: string, asOf?: Date): Promise<ConsultationView> {
    const view = consultationViewOf(await this.events(id, asOf));
    if (!view) throw notFound(id, asOf);
    return view;
  }

  /** Events that had occurred by `asOf` (the time the history shows), or all of them. */
  private async events(id: string, asOf?: Date): Promise<EventEnvelope[]> {
    const events = await this.store.readStream(consultationStream(id));
    return asOf ? events.filter((e) => Date.parse(e.occurredAt) <= asOf.getTime()) : events;
  }
}

/**
 * Each item's place in the consultation's full list, its key in pages: what a viewer may
 * not see leaves gaps instead of shifting the pages of those who see it.
 */
function placesOf(items: readonly { id: string }[]): Map<string, number> {
  return new Map(items.map((item, index) => [item.id, index]));
}

function notFound(id: string, asOf?: Date): NotFoundError {
  return asOf
    ? new NotFoundError(`The consultation ${id} did not exist yet at ${asOf.toISOString()}`)
    : new NotFoundError(`There is no consultation with the id ${id}`);
}
