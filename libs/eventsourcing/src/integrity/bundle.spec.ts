import { randomUUID } from 'node:crypto';
import { envelopeFromJson } from '../store/envelope-json';
import { type EventEnvelope, systemActor } from '../store/event-store';
import { chainEvents, prepareEvents } from '../store/new-events';
import type { Anchor } from './anchors';
import { AuditBundleError, buildAuditBundle } from './bundle';
import { findChainBreak, GENESIS_HASH } from './hash-chain';
import { merkleLeaf, merkleRoot, sortHeads, verifyMerkleProof } from './merkle';

const actor = systemActor('bundle-test');

function stream(streamId: string, count: number): EventEnvelope[] {
  const prepared = prepareEvents(
    streamId,
    Array.from({ length: count }, (_, n) => ({
      type: 'ThingHappened',
      data: { n, note: `event ${n} of ${streamId}` },
      actor,
      correlationId: randomUUID(),
    })),
  );
  return chainEvents(
    streamId,
    prepared,
    { revision: -1n, hash: GENESIS_HASH },
    '2026-01-01T00:00:00.000Z',
    (i) => BigInt(i + 1),
  );
}

function anchorOf(streams: EventEnvelope[][]): Anchor {
  const heads = sortHeads(
    streams.map((events) => {
      const last = events[events.length - 1];
      return { streamId: last.streamId, revision: last.revision, hash: last.hash };
    }),
  );
  return {
    id: '7',
    createdAt: '2026-01-02T00:00:00.000Z',
    root: merkleRoot(heads),
    streamCount: heads.length,
    eventCount: heads.reduce((sum, h) => sum + h.revision + 1n, 0n),
    heads,
  };
}

describe('buildAuditBundle', () => {
  const innovation = stream('innovation-1', 4);
  const tender = stream('tender-9', 3);
  const other = stream('need-2', 2);
  const pilot = stream('pilot-5', 5);
  const anchor = anchorOf([innovation, tender, other, pilot]);

  it('packages whole streams in streamId order with a proof of each anchored head', () => {
    const bundle = buildAuditBundle({
      subject: 'innovation:1',
      streams: [
        { streamId: 'tender-9', events: tender },
        { streamId: 'innovation-1', events: innovation },
      ],
      anchor,
      createdAt: '2026-01-03T00:00:00.000Z',
    });
    expect(bundle).toMatchObject({
      format: 'pcp-audit-bundle',
      version: 1,
      subject: 'innovation:1',
      createdAt: '2026-01-03T00:00:00.000Z',
      anchor: { id: '7', root: anchor.root, streamCount: 4 },
    });
    expect(bundle.anchor?.heads).toBeUndefined();
    expect(bundle.streams.map((s) => s.streamId)).toEqual(['innovation-1', 'tender-9']);
    expect(bundle.proofs.map((p) => [p.streamId, p.head.revision])).toEqual([
      ['innovation-1', '3'],
      ['tender-9', '2'],
    ]);
    for (const proof of bundle.proofs) {
      const leaf = merkleLeaf({
        streamId: proof.streamId,
        revision: BigInt(proof.head.revision),
        hash: proof.head.hash,
      });
      expect(verifyMerkleProof(leaf, proof.path, anchor.root)).toBe(true);
    }
  });

  it('survives JSON: the events read back still chain and carry string revisions', () => {
    const bundle = buildAuditBundle({
      subject: 'innovation:1',
      streams: [{ streamId: 'pilot-5', events: pilot }],
      anchor,
    });
    const copy = JSON.parse(JSON.stringify(bundle)) as typeof bundle;
    expect(copy.streams[0].events[4].revision).toBe('4');
    expect(findChainBreak('pilot-5', copy.streams[0].events.map(envelopeFromJson))).toBeNull();
  });

  it('keeps events written after the anchor, and streams the anchor never saw, without a proof', () => {
    const later = stream('innovation-1', 6);
    const fresh = stream('pipeline-3', 2);
    const bundle = buildAuditBundle({
      subject: 'innovation:1',
      streams: [
        { streamId: 'innovation-1', events: later },
        { streamId: 'pipeline-3', events: fresh },
      ],
      anchor: anchorOf([innovation, tender]),
    });
    expect(bundle.streams[0].events).toHaveLength(6);
    expect(bundle.proofs).toHaveLength(1);
    expect(bundle.proofs[0]).toMatchObject({ streamId: 'innovation-1', head: { revision: '3' } });
  });

  it('lists every anchored head only when asked, and has no proofs without an anchor', () => {
    const withHeads = buildAuditBundle({
      subject: 's',
      streams: [{ streamId: 'need-2', events: other }],
      anchor,
      includeAnchorHeads: true,
    });
    expect(withHeads.anchor?.heads?.map((h) => h.streamId)).toEqual([
      'innovation-1',
      'need-2',
      'pilot-5',
      'tender-9',
    ]);
    const unanchored = buildAuditBundle({
      subject: 's',
      streams: [{ streamId: 'need-2', events: other }],
      anchor: null,
    });
    expect(unanchored.anchor).toBeNull();
    expect(unanchored.proofs).toEqual([]);
  });

  it('refuses what is not one subject’s record', () => {
    const build =
      (streams: { streamId: string; events: EventEnvelope[] }[], subject = 's') =>
      () =>
        buildAuditBundle({ subject, streams, anchor });
    expect(build([{ streamId: 'need-2', events: other }], '')).toThrow(AuditBundleError);
    expect(build([{ streamId: 'need-2', events: [] }])).toThrow('has no events');
    expect(
      build([
        { streamId: 'need-2', events: other },
        { streamId: 'need-2', events: other },
      ]),
    ).toThrow('given twice');
    expect(build([{ streamId: 'need-2', events: tender }])).toThrow('under stream need-2');
  });
});
