import { createHash } from 'node:crypto';
import {
  BadRequestException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import type { AuthenticatedUser } from '@pcp/auth';
import {
  DOCUMENT_STORE,
  encodeCursor,
  InvalidCursorError,
  InvalidQueryError,
  type DocumentStore,
  type Filter,
  type Page,
} from '@pcp/documents';
import type { Journey } from '../domain';
import {
  CONSULTATIONS,
  INNOVATIONS,
  NEEDS,
  TIMELINE_EVENTS,
  type KnownConsultation,
  type NeedJourney,
  type TimelineEntry,
} from '../integration/collections';

/** Something on an innovation's way that a reader should notice. */
export interface JourneyWarning {
  /** SHORT_LEAD_TIME: its consultation's prior information notice came less than 30 days ahead. */
  code: 'SHORT_LEAD_TIME';
  consultationId: string;
  leadTimeDays: number;
  message: string;
}

export type JourneyAnswer = Journey & { warnings: JourneyWarning[] };

/** The warnings of one journey, from what the pipeline knows of its consultation. */
export function journeyWarnings(
  journey: Journey,
  consultation: KnownConsultation | undefined,
): JourneyWarning[] {
  if (!consultation?.shortLeadTime || journey.consultationId === null) return [];
  const days = consultation.leadTimeDays ?? 0;
  return [
    {
      code: 'SHORT_LEAD_TIME',
      consultationId: journey.consultationId,
      leadTimeDays: days,
      message: `The consultation's prior information notice came ${days} day(s) before it opened; practice is at least 30`,
    },
  ];
}

export interface InnovationFilters {
  stage?: string;
  region?: string;
  procedure?: string;
  minTrl?: number;
  limit?: number;
  cursor?: string;
}

export interface TimelineJson {
  json: Buffer;
  /** SHA-1 of `json`, base64url. */
  digest: string;
}

const LAST_TIMELINES_KEPT = 16;

export interface TimelineItem {
  eventId: string;
  type: string;
  context: string;
  streamId: string;
  revision: number;
  occurredAt: string;
  actor: TimelineEntry['actor'];
  reason: string | null;
  hash: string | null;
}

/**
 * The procurer's decisions over a whole call: they concern every bidder (an award or a
 * down-selection that leaves one out moves it too), and their actor is the procurer.
 * Other innovations' own events (a competitor's response, deliverable or pilot) stay out.
 */
const CALL_DECISIONS = new Set([
  'BidsOpened',
  'EvaluationCompleted',
  'PhaseContractsAwarded',
  'PhaseCompleted',
  'SuppliersDownSelected',
]);

/** Roles that see every innovation: they watch the process rather than take part in it. */
const OVERSEERS = ['auditor', 'evaluator', 'admin'];

/**
 * Who sees which innovation: auditors, evaluators and admins see all; a supplier its own
 * (its organisation's); a procurer those of its organisation's needs, buyers groups,
 * consultations and tenders.
 */
export function mayRead(user: AuthenticatedUser, journey: Journey): boolean {
  if (user.roles.some((r) => OVERSEERS.includes(r))) return true;
  if (user.roles.includes('supplier') && journey.supplierOrg === user.org) return true;
  return user.roles.includes('procurer') && journey.procurerOrgs.includes(user.org);
}

/** The timeline: the innovation's procurers and supplier, evaluators and auditors. */
export function mayReadTimeline(user: AuthenticatedUser, journey: Journey): boolean {
  if (user.roles.some((r) => r === 'auditor' || r === 'evaluator')) return true;
  if (user.roles.includes('supplier') && journey.supplierOrg === user.org) return true;
  return user.roles.includes('procurer') && journey.procurerOrgs.includes(user.org);
}

function scopeOf(user: AuthenticatedUser): Filter | null {
  if (user.roles.some((r) => OVERSEERS.includes(r))) return {};
  const supplier = user.roles.includes('supplier');
  const procurer = user.roles.includes('procurer');
  if (supplier && procurer) return null;
  if (supplier) return { supplierOrg: user.org };
  if (procurer) return { procurerOrgs: user.org };
  return { id: { $in: [] } };
}

@Injectable()
export class InnovationQueries {
  private readonly lastTimelines = new Map<
    string,
    {
      journey: Journey;
      found: Set<TimelineEntry>;
      /** The timeline collection's write mark when `found` was read, where it has one. */
      mark: number | undefined;
      answer: TimelineJson;
    }
  >();

  constructor(@Inject(DOCUMENT_STORE) private readonly documents: DocumentStore) {}

  async list(
    user: AuthenticatedUser,
    filters: InnovationFilters,
  ): Promise<{ items: JourneyAnswer[]; nextCursor: string | null }> {
    const criteria: Filter = {};
    if (filters.stage) criteria.stage = filters.stage;
    if (filters.region) criteria.regions = filters.region;
    if (filters.procedure) criteria.procedure = filters.procedure;
    if (filters.minTrl !== undefined) criteria.currentTrl = { $gte: filters.minTrl };
    const scope = scopeOf(user);
    const innovations = this.documents.collection<Journey>(INNOVATIONS);
    if (scope) {
      const page = await guarded(() =>
        innovations.find({
          filter: { ...criteria, ...scope },
          limit: filters.limit,
          cursor: filters.cursor,
        }),
      );
      return {
        items: await this.withWarnings(page.items.map((d) => d.data)),
        nextCursor: page.nextCursor,
      };
    }
    // A user who is both supplier and procurer: filter by either scope in one ordered walk.
    const page = await guarded(() =>
      innovations.find({ filter: criteria, limit: 500, cursor: filters.cursor }),
    );
    const limit = filters.limit ?? 50;
    const items: Journey[] = [];
    let nextCursor: string | null = null;
    for (const [index, doc] of page.items.entries()) {
      if (!mayRead(user, doc.data)) continue;
      items.push(doc.data);
      if (items.length === limit) {
        if (index < page.items.length - 1 || page.nextCursor)
          nextCursor = encodeCursor({ id: doc.id });
        break;
      }
    }
    return {
      items: await this.withWarnings(items),
      nextCursor: items.length < limit ? page.nextCursor : nextCursor,
    };
  }

  async get(user: AuthenticatedUser, id: string): Promise<JourneyAnswer> {
    const journey = await this.journey(id);
    if (!mayRead(user, journey))
      throw new ForbiddenException('This innovation is not one of yours');
    return (await this.withWarnings([journey]))[0];
  }

  /** The journeys with their warnings, each consultation read once. */
  private async withWarnings(journeys: Journey[]): Promise<JourneyAnswer[]> {
    const consultations = new Map<string, KnownConsultation | undefined>();
    for (const { consultationId } of journeys) {
      if (consultationId === null || consultations.has(consultationId)) continue;
      const doc = await this.documents
        .collection<KnownConsultation>(CONSULTATIONS)
        .get(consultationId);
      consultations.set(consultationId, doc?.data);
    }
    return journeys.map((journey) => ({
      ...journey,
      warnings: journeyWarnings(
        journey,
        journey.consultationId === null ? undefined : consultations.get(journey.consultationId),
      ),
    }));
  }

  async need(id: string): Promise<NeedJourney> {
    const doc = await this.documents.collection<NeedJourney>(NEEDS).get(id);
    if (!doc) throw new NotFoundException(`No need ${id} is known to the pipeline`);
    return doc.data;
  }

  /**
   * Every event that concerns the innovation, in order: its need's (or buyers group's) and
   * consultation's from before it existed, those that name it, and the procurer's decisions
   * over its call. Other innovations' own events are left out (other suppliers' data), and a
   * sealed bid appears only once opening has tied it to this innovation.
   */
  async timeline(user: AuthenticatedUser, id: string): Promise<TimelineItem[]> {
    const journey = await this.readableJourney(user, id);
    return inTimelineOrder(id, journey, await this.timelineCandidates(id, journey)).map(
      timelineItem,
    );
  }

  /**
   * The timeline's answer, `{"items": [...]}`, as JSON bytes with a digest of them: each
   * entry's JSON is made once and reused while the store hands out that same unchangeable
   * (frozen) entry, and the whole answer is reused while the journey and the entries found
   * are the same frozen objects, so a long timeline is not sorted, serialised and hashed
   * anew on every request.
   */
  async timelineJson(user: AuthenticatedUser, id: string): Promise<TimelineJson> {
    const journey = await this.readableJourney(user, id);
    const last = this.lastTimelines.get(id);
    // Nothing written to the timeline since, same journey: the same entries would be found.
    const mark = this.documents.collection<TimelineEntry>(TIMELINE_EVENTS).writeMark?.();
    if (last && last.journey === journey && mark !== undefined && last.mark === mark)
      return last.answer;
    const found = await this.timelineCandidates(id, journey);
    if (last && last.journey === journey && sameMembers(last.found, found)) {
      last.mark = mark;
      return last.answer;
    }
    const entries = inTimelineOrder(id, journey, found);
    const json = Buffer.from(`{"items":[${entries.map(timelineItemJson).join(',')}]}`, 'utf8');
    const answer = { json, digest: createHash('sha1').update(json).digest('base64url') };
    const unchangeable =
      Object.isFrozen(journey) &&
      Object.isFrozen(journey.bidIds) &&
      [...found.values()].every(isUnchangeable);
    if (unchangeable) {
      this.lastTimelines.delete(id);
      this.lastTimelines.set(id, { journey, found: new Set(found.values()), mark, answer });
      // the most recently asked timelines only
      if (this.lastTimelines.size > LAST_TIMELINES_KEPT)
        this.lastTimelines.delete(this.lastTimelines.keys().next().value as string);
    }
    return answer;
  }

  private async readableJourney(user: AuthenticatedUser, id: string): Promise<Journey> {
    const journey = await this.journey(id);
    if (!mayReadTimeline(user, journey))
      throw new ForbiddenException(
        "Only the innovation's procurers and supplier, evaluators and auditors see its timeline",
      );
    return journey;
  }

  /** The entries that may belong to the timeline, by event id, before the bid and call rules. */
  private async timelineCandidates(
    id: string,
    journey: Journey,
  ): Promise<Map<string, TimelineEntry>> {
    const queries: Filter[] = [{ innovationIds: id }];
    for (const needId of journey.needIds) queries.push({ needIds: needId });
    if (journey.buyersGroupId) queries.push({ buyersGroupId: journey.buyersGroupId });
    if (journey.consultationId) queries.push({ consultationId: journey.consultationId });
    if (journey.tenderId) queries.push({ tenderId: journey.tenderId });
    const found = new Map<string, TimelineEntry>();
    for (const filter of queries)
      for (const entry of await this.entries(filter)) found.set(entry.eventId, entry);
    return found;
  }

  /** Every journey matching `filter` (analytics). */
  async all(filter: Filter): Promise<Journey[]> {
    const out: Journey[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Journey> = await this.documents
        .collection<Journey>(INNOVATIONS)
        .find({ filter, limit: 500, cursor });
      out.push(...page.items.map((d) => d.data));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  }

  private async journey(id: string): Promise<Journey> {
    const doc = await this.documents.collection<Journey>(INNOVATIONS).get(id);
    if (!doc) throw new NotFoundException(`No innovation ${id} is known to the pipeline`);
    return doc.data;
  }

  private async entries(filter: Filter): Promise<TimelineEntry[]> {
    const out: TimelineEntry[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<TimelineEntry> = await this.documents
        .collection<TimelineEntry>(TIMELINE_EVENTS)
        .find({ filter, limit: 500, cursor });
      out.push(...page.items.map((d) => d.data));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  }
}

const timelineItem = (e: TimelineEntry): TimelineItem => ({
  eventId: e.eventId,
  type: e.type,
  context: e.context,
  streamId: e.streamId,
  revision: e.revision,
  occurredAt: e.occurredAt,
  actor: e.actor,
  reason: e.reason,
  hash: e.hash,
});

/** JSON of frozen entries: they cannot change, so their text stays right as long as they live. */
const itemJson = new WeakMap<TimelineEntry, string>();

/**
 * Every event that concerns the innovation, in order: its need's (or buyers group's) and
 * consultation's from before it existed, those that name it, and the procurer's decisions
 * over its call. Other innovations' own events are left out (other suppliers' data), and a
 * sealed bid appears only once opening has tied it to this innovation.
 */
function inTimelineOrder(
  id: string,
  journey: Journey,
  found: Map<string, TimelineEntry>,
): TimelineEntry[] {
  const bids = new Set(journey.bidIds);
  return (
    [...found.values()]
      .filter((e) =>
        e.bidId !== null
          ? bids.has(e.bidId)
          : e.innovationIds.length === 0 ||
            e.innovationIds.includes(id) ||
            CALL_DECISIONS.has(e.type),
      )
      // each time parsed once, not at every comparison
      .map((e) => ({ e, at: Date.parse(e.occurredAt) }))
      .sort(inOrder)
      .map(({ e }) => e)
  );
}

/** Frozen where the answer reads it: the same object always gives the same item. */
const isUnchangeable = (entry: TimelineEntry): boolean =>
  Object.isFrozen(entry) &&
  (entry.actor === null || (Object.isFrozen(entry.actor) && Object.isFrozen(entry.actor.roles)));

const sameMembers = (last: Set<TimelineEntry>, found: Map<string, TimelineEntry>): boolean => {
  if (last.size !== found.size) return false;
  for (const entry of found.values()) if (!last.has(entry)) return false;
  return true;
};

function timelineItemJson(entry: TimelineEntry): string {
  let json = itemJson.get(entry);
  if (json === undefined) {
    json = JSON.stringify(timelineItem(entry));
    if (isUnchangeable(entry)) itemJson.set(entry, json);
  }
  return json;
}

/** By time; ties in one stream by revision, else by log position (one log embedded). */
function inOrder(a: { e: TimelineEntry; at: number }, b: { e: TimelineEntry; at: number }): number {
  const t = a.at - b.at;
  if (t !== 0) return t;
  if (a.e.streamId === b.e.streamId) return a.e.revision - b.e.revision;
  return a.e.globalPosition - b.e.globalPosition;
}

async function guarded<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError || error instanceof InvalidQueryError)
      throw new BadRequestException(error.message);
    throw error;
  }
}
