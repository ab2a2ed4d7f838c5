import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '@pcp/auth';
import { assembleAuditBundle, type SourcedAuditBundle } from '@pcp/eventsourcing';
import { AuditTrail } from './audit';
import { InnovationQueries } from './innovation-queries';

export type InnovationAuditBundle = SourcedAuditBundle & {
  /** Streams of the record that no store holds any more (a deletion the auditor must see). */
  missing: string[];
  /** Sealed bids left out until their tender opens bids. */
  withheld: string[];
};

/**
 * An innovation's complete audit record as one document: every stream its timeline draws on
 * (its need or buyers group, consultation, tender, its opened bid, pilots), whole from
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
    const streamsBySource = new Map<string, Set<string>>();
    for (const item of timeline) {
      const source = this.audit.sourceOf(item.context).name;
      const streams = streamsBySource.get(source) ?? new Set<string>();
      streams.add(item.streamId);
      streamsBySource.set(source, streams);
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
    };
  }
}
