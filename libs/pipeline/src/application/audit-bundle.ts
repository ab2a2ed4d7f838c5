import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '@pcp/auth';
import { assembleAuditBundle, type SourcedAuditBundle } from '@pcp/eventsourcing';
import type { OpenedBidStream } from '@pcp/platform';
import { AuditTrail } from './audit';
import { InnovationQueries } from './innovation-queries';

export type InnovationAuditBundle = SourcedAuditBundle & {
  /** Streams of the record that no store holds any more (a deletion the auditor must see). */
  missing: string[];
  /** Sealed bids left out until their tender opens bids. */
  withheld: string[];
  /**
   * Bids sealed at rest, opened by the tenders context beside their stored events: the
   * proofs cover the stored (sealed) form, this is what it says.
   */
  openedBids: OpenedBidStream[];
};

/**
 * An innovation's complete audit record as one document: every stream its timeline draws on
 * (its need or buyers group, consultation, tender, pilots) and its bid's own stream once the
 * tender has opened bids (`tenders-bid-<id>`, as the tenders context names it), whole from
 * revision 0, each with the proof from its head to its own store's latest anchor. The offline
 * verifier (tools/verify-bundle) checks it without the product.
 */
@Injectable()
export class AuditBundles {
  constructor(
    private readonly innovations: InnovationQueries,
    private readonly audit: AuditTrail,
  ) {}

  async ofInnovation(
    user: AuthenticatedUser,
    id: string,
    authorization?: string,
  ): Promise<InnovationAuditBundle> {
    // The timeline already knows which streams concern the innovation, sealed bids left out.
    const timeline = await this.innovations.timeline(user, id);
    const journey = await this.innovations.get(user, id);
    const streams = timeline.map((item) => ({ context: item.context, streamId: item.streamId }));
    // Its bid's own stream holds the proposal; the journey knows the bid once bids are opened.
    for (const bidId of journey.bidIds)
      streams.push({ context: 'tenders', streamId: `tenders-bid-${bidId}` });
    const streamsBySource = new Map<string, Set<string>>();
    for (const { context, streamId } of streams) {
      const source = this.audit.sourceOf(context).name;
      const held = streamsBySource.get(source) ?? new Set<string>();
      held.add(streamId);
      streamsBySource.set(source, held);
    }
    const parts = await Promise.all(
      this.audit.allSources.flatMap((source) => {
        const streams = streamsBySource.get(source.name);
        return streams ? [source.bundlePart([...streams].sort(), authorization)] : [];
      }),
    );
    const bundle = assembleAuditBundle({
      subject: `innovation:${id}`,
      parts: parts.map(({ source, streams, anchor, proofs }) => ({
        source,
        streams,
        anchor,
        proofs,
      })),
    });
    return {
      ...bundle,
      missing: parts.flatMap((p) => p.missing).sort(),
      withheld: parts.flatMap((p) => p.withheld).sort(),
      openedBids: parts.flatMap((p) => p.openedBids ?? []),
    };
  }
}
