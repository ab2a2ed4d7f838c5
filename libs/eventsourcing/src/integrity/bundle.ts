/**
 * The audit bundle: everything an auditor needs to check the record of one subject (an
 * innovation and the streams that concern it) without access to the store. Each stream comes
 * whole from revision 0, so its hash chain can be recomputed; the latest anchor's root and,
 * per stream, the Merkle path from its anchored head to that root tie the streams to the
 * anchor. `tools/verify-bundle/verify-bundle.js` checks a bundle offline.
 */
import type { EventEnvelope } from '../store/event-store';
import { type EventEnvelopeJson, envelopeToJson } from '../store/envelope-json';
import type { Anchor } from './anchors';
import { headProof, type MerkleStep } from './merkle';

export const AUDIT_BUNDLE_FORMAT = 'pcp-audit-bundle';
export const AUDIT_BUNDLE_VERSION = 1;

/** A stream head as JSON: the revision as a decimal string. */
export interface StreamHeadJson {
  streamId: string;
  revision: string;
  hash: string;
}

export interface AuditBundle {
  format: typeof AUDIT_BUNDLE_FORMAT;
  version: typeof AUDIT_BUNDLE_VERSION;
  /** What the bundle is the record of, e.g. `innovation:<id>`. */
  subject: string;
  createdAt: string;
  /** Whole streams in streamId order, each event as stored (revision and position as strings). */
  streams: { streamId: string; events: EventEnvelopeJson[] }[];
  /** The anchor the proofs lead to; null when the store has none yet. */
  anchor: {
    id: string;
    createdAt: string;
    root: string;
    streamCount: number;
    /** Every anchored head, only when asked for: it names streams outside the subject. */
    heads?: StreamHeadJson[];
  } | null;
  /**
   * One per stream the anchor saw: the head it anchored and the path to its root. Streams
   * begun after the anchor have none; events past an anchored head are not yet anchored.
   */
  proofs: { streamId: string; head: { revision: string; hash: string }; path: MerkleStep[] }[];
}

export interface AuditBundleInput {
  subject: string;
  /** Whole streams, every event from revision 0 in revision order, read beneath any upcasting. */
  streams: { streamId: string; events: EventEnvelope[] }[];
  /** The latest anchor, heads included. */
  anchor: Anchor | null;
  /** Default: now. */
  createdAt?: string;
  /** Put every anchored head in the bundle (lets the root be recomputed; names all streams). */
  includeAnchorHeads?: boolean;
}

export class AuditBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditBundleError';
  }
}

const byStreamId = (a: { streamId: string }, b: { streamId: string }) =>
  a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0;

/**
 * Packages the streams as they are: the builder does not judge their integrity (a broken
 * chain must reach the auditor, not be hidden), it only refuses input that is not a subject's
 * record (an empty or repeated stream, an event of another stream).
 */
export function buildAuditBundle(input: AuditBundleInput): AuditBundle {
  if (typeof input.subject !== 'string' || input.subject.length === 0)
    throw new AuditBundleError('An audit bundle needs a subject');
  const seen = new Set<string>();
  for (const stream of input.streams) {
    if (seen.has(stream.streamId))
      throw new AuditBundleError(`Stream ${stream.streamId} is given twice`);
    seen.add(stream.streamId);
    if (stream.events.length === 0)
      throw new AuditBundleError(`Stream ${stream.streamId} has no events`);
    const stranger = stream.events.find((event) => event.streamId !== stream.streamId);
    if (stranger)
      throw new AuditBundleError(
        `Event ${stranger.id} of stream ${stranger.streamId} is given under stream ${stream.streamId}`,
      );
  }
  const streams = [...input.streams].sort(byStreamId);
  const anchor = input.anchor;
  const proofs: AuditBundle['proofs'] = [];
  if (anchor) {
    for (const stream of streams) {
      const proof = headProof(anchor.heads, stream.streamId);
      if (!proof) continue;
      proofs.push({
        streamId: stream.streamId,
        head: { revision: proof.head.revision.toString(), hash: proof.head.hash },
        path: proof.path,
      });
    }
  }
  return {
    format: AUDIT_BUNDLE_FORMAT,
    version: AUDIT_BUNDLE_VERSION,
    subject: input.subject,
    createdAt: input.createdAt ?? new Date().toISOString(),
    streams: streams.map((stream) => ({
      streamId: stream.streamId,
      events: stream.events.map((event) => envelopeToJson(event)),
    })),
    anchor: anchor
      ? {
          id: anchor.id,
          createdAt: anchor.createdAt,
          root: anchor.root,
          streamCount: anchor.streamCount,
          ...(input.includeAnchorHeads
            ? {
                heads: anchor.heads.map((head) => ({
                  streamId: head.streamId,
                  revision: head.revision.toString(),
                  hash: head.hash,
                })),
              }
            : {}),
        }
      : null,
    proofs,
  };
}

/**
 * Version 2: the record of a subject whose streams sit in several stores (one per service
 * in the distributed setup), each with its own anchors. Every anchor names its `source`
 * (the service holding the store), and every proof names the source whose anchor it leads to.
 */
export const AUDIT_BUNDLE_VERSION_SOURCES = 2;

/** An anchor as a bundle carries it: its root and, when asked for, the heads it covers. */
export interface BundleAnchor {
  id: string;
  createdAt: string;
  root: string;
  streamCount: number;
  heads?: StreamHeadJson[];
}

/** One store's share of a bundle: its streams, its latest anchor and the proofs leading to it. */
export interface AuditBundlePart {
  source: string;
  streams: { streamId: string; events: EventEnvelopeJson[] }[];
  anchor: BundleAnchor | null;
  proofs: AuditBundle['proofs'];
}

export interface SourcedAuditBundle {
  format: typeof AUDIT_BUNDLE_FORMAT;
  version: typeof AUDIT_BUNDLE_VERSION_SOURCES;
  subject: string;
  createdAt: string;
  streams: AuditBundle['streams'];
  /** The latest anchor of each store that holds a stream of the bundle, by source. */
  anchors: (BundleAnchor & { source: string })[];
  proofs: (AuditBundle['proofs'][number] & { source: string })[];
}

/** The part of one store, built where the store is (see `buildAuditBundle` for the checks). */
export function buildAuditBundlePart(
  input: Omit<AuditBundleInput, 'subject' | 'createdAt'> & { source: string },
): AuditBundlePart {
  const built =
    input.streams.length === 0
      ? null
      : buildAuditBundle({
          subject: input.source,
          streams: input.streams,
          anchor: input.anchor,
          includeAnchorHeads: input.includeAnchorHeads,
        });
  const anchor = input.anchor;
  return {
    source: input.source,
    streams: built?.streams ?? [],
    anchor:
      built?.anchor ??
      (anchor
        ? {
            id: anchor.id,
            createdAt: anchor.createdAt,
            root: anchor.root,
            streamCount: anchor.streamCount,
          }
        : null),
    proofs: built?.proofs ?? [],
  };
}

/** Puts the parts of several stores together into one bundle. */
export function assembleAuditBundle(input: {
  subject: string;
  parts: AuditBundlePart[];
  createdAt?: string;
}): SourcedAuditBundle {
  if (typeof input.subject !== 'string' || input.subject.length === 0)
    throw new AuditBundleError('An audit bundle needs a subject');
  const sources = new Set<string>();
  const streamIds = new Set<string>();
  for (const part of input.parts) {
    if (sources.has(part.source))
      throw new AuditBundleError(`Source ${part.source} is given twice`);
    sources.add(part.source);
    for (const stream of part.streams) {
      if (streamIds.has(stream.streamId))
        throw new AuditBundleError(`Stream ${stream.streamId} is given twice`);
      streamIds.add(stream.streamId);
    }
  }
  const parts = input.parts.filter((part) => part.streams.length > 0);
  return {
    format: AUDIT_BUNDLE_FORMAT,
    version: AUDIT_BUNDLE_VERSION_SOURCES,
    subject: input.subject,
    createdAt: input.createdAt ?? new Date().toISOString(),
    streams: parts.flatMap((part) => part.streams).sort(byStreamId),
    anchors: parts.flatMap((part) =>
      part.anchor ? [{ source: part.source, ...part.anchor }] : [],
    ),
    proofs: parts
      .flatMap((part) => part.proofs.map((proof) => ({ ...proof, source: part.source })))
      .sort(byStreamId),
  };
}
