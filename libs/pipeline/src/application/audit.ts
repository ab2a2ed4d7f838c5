import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  AUDIT_SOURCES,
  type AnchorJson,
  type AnchorRef,
  type AuditEvent,
  type AuditEventFilters,
  type AuditSource,
  type IntegrityBreakJson,
  type StoreVerification,
} from '@pcp/platform';
import { mergedPage } from './merged-pages';

export type { AuditEvent } from '@pcp/platform';

export interface AuditFilters extends AuditEventFilters {
  limit?: number;
  cursor?: string;
}

export interface VerifyOutcome {
  ok: boolean;
  checkedStreams: number;
  checkedEvents: number;
  /** The first problem, in the order of `stores`, with the context whose store holds it. */
  firstBroken?: IntegrityBreakJson & { context: string };
  /** The anchor compared against when one store holds every context (embedded); else null. */
  anchor: AnchorRef | null;
  /** Each store verified: every context's own in the distributed setup, the shared log embedded. */
  stores: StoreVerification[];
}

export type ListedAnchor = AnchorJson & { context: string };

/** The context a stream belongs to: the first part of its id (`tenders-tender-<id>`). */
export const contextOfStream = (streamId: string): string => streamId.split('-')[0];

/**
 * The audit across every context's store. Embedded, every context appends to one shared log
 * and this service's own store is the only source; distributed, each service holds its own
 * store, audits it at `/internal/audit`, and the sources are this service's store and those of
 * AUDIT_SERVICES. An answer is complete or an error: a service that does not answer is a 503.
 */
@Injectable()
export class AuditTrail {
  constructor(@Inject(AUDIT_SOURCES) private readonly sources: AuditSource[]) {}

  /** Events of every store, by time recorded; one store's alone keeps its log order and cursor. */
  async events(
    filters: AuditFilters,
    authorization?: string,
  ): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
    const { limit = 50, cursor, ...criteria } = filters;
    if (this.sources.length === 1) return this.sources[0].events(criteria, { limit, cursor });
    return mergedPage<AuditEvent>({
      sources: this.sources.map((s) => s.name),
      cursor,
      limit,
      fetch: (source, after) =>
        this.named(source).events(criteria, { limit, cursor: after }, authorization),
      resumeAt: (event) => {
        const position = BigInt(event.globalPosition);
        return position > 0n ? (position - 1n).toString() : '';
      },
      compare: (a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt),
    });
  }

  async verify(streamId?: string, authorization?: string): Promise<VerifyOutcome> {
    const stores =
      streamId === undefined
        ? await Promise.all(this.sources.map((s) => s.verify(undefined, authorization)))
        : [await this.verifyStream(streamId, authorization)];
    const broken = stores.find((s) => s.firstBroken !== undefined);
    const one = this.sources.length === 1;
    return {
      ok: stores.every((s) => s.ok),
      checkedStreams: stores.reduce((n, s) => n + s.checkedStreams, 0),
      checkedEvents: stores.reduce((n, s) => n + s.checkedEvents, 0),
      ...(broken?.firstBroken
        ? {
            firstBroken: {
              ...broken.firstBroken,
              // One shared log names the context by the stream; else the store is the context's.
              context:
                one && broken.firstBroken.streamId
                  ? contextOfStream(broken.firstBroken.streamId)
                  : broken.source,
            },
          }
        : {}),
      anchor: one ? stores[0].anchor : null,
      stores,
    };
  }

  /** Anchors of every store, newest first, each with the context whose store recorded it. */
  async anchors(
    page: { limit?: number; cursor?: string },
    authorization?: string,
  ): Promise<{ items: ListedAnchor[]; nextCursor: string | null }> {
    const limit = page.limit ?? 50;
    const tag = (source: string, items: AnchorJson[]) =>
      items.map((anchor) => ({ ...anchor, context: source }));
    if (this.sources.length === 1) {
      const own = await this.sources[0].anchors({ limit, cursor: page.cursor });
      return { items: tag(own.source, own.items), nextCursor: own.nextCursor };
    }
    return mergedPage<ListedAnchor>({
      sources: this.sources.map((s) => s.name),
      cursor: page.cursor,
      limit,
      fetch: async (source, before) => {
        const found = await this.named(source).anchors({ limit, cursor: before }, authorization);
        return { items: tag(source, found.items), nextCursor: found.nextCursor };
      },
      resumeAt: (anchor) => (BigInt(anchor.id) + 1n).toString(),
      compare: (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
    });
  }

  /** The store that holds a context's streams: its own service's, else this one's (embedded). */
  sourceOf(context: string): AuditSource {
    return this.sources.find((s) => s.name === context) ?? this.sources[0];
  }

  /** Every source, this service's own first. */
  get allSources(): readonly AuditSource[] {
    return this.sources;
  }

  private named(name: string): AuditSource {
    const source = this.sources.find((s) => s.name === name);
    if (!source) throw new Error(`No audit source ${name}`);
    return source;
  }

  private async verifyStream(streamId: string, authorization?: string) {
    const owner = this.sources.find((s) => s.name === contextOfStream(streamId));
    const candidates = owner ? [owner] : this.sources;
    for (const source of candidates) {
      try {
        return await source.verify(streamId, authorization);
      } catch (error) {
        if (!(error instanceof NotFoundException) && !isNotFound(error)) throw error;
      }
    }
    throw new NotFoundException(`No stream ${streamId} in any context's log`);
  }
}

const isNotFound = (error: unknown): boolean =>
  (error as { getStatus?: () => number } | null)?.getStatus?.() === 404;
