import {
  anchorNow,
  assembleAuditBundle,
  buildAuditBundlePart,
  NO_STREAM,
  PostgresAnchorStore,
  PostgresEventStore,
  type SourcedAuditBundle,
} from '@pcp/eventsourcing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyBundle } from './verify-bundle';

const procurer = { userId: 'user-ana', org: 'org-sergas', roles: ['procurer'] };

// Version 2: the streams of one innovation held by two services' stores, each with its anchor.
describe('verify-bundle on a bundle gathered from two stores', () => {
  let dir: string;
  const stores: PostgresEventStore[] = [];
  let bundle: SourcedAuditBundle;
  const copy = (): SourcedAuditBundle => JSON.parse(JSON.stringify(bundle));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'verify-sourced-'));
    const part = async (source: string, streams: Record<string, number>, after: number) => {
      const store = await PostgresEventStore.embedded(join(dir, source));
      stores.push(store);
      const anchors = new PostgresAnchorStore(store.client, store.schema);
      const append = (streamId: string, count: number) =>
        store.append(
          streamId,
          Array.from({ length: count }, (_, n) => ({
            type: `Step${n}`,
            data: { n, source },
            actor: procurer,
            correlationId: randomUUID(),
          })),
          NO_STREAM,
        );
      for (const [streamId, count] of Object.entries(streams)) await append(streamId, count);
      await append(`${source}-other-${randomUUID()}`, 2);
      const anchor = await anchorNow(store, anchors);
      if (after > 0) await append(`${source}-late-1`, after);
      const ids = [...Object.keys(streams), ...(after > 0 ? [`${source}-late-1`] : [])];
      return buildAuditBundlePart({
        source,
        streams: await Promise.all(
          ids.map(async (streamId) => ({ streamId, events: await store.readStream(streamId) })),
        ),
        anchor,
      });
    };
    bundle = assembleAuditBundle({
      subject: 'innovation:1',
      parts: [
        await part('needs', { 'needs-need-1': 3 }, 0),
        await part('tenders', { 'tenders-tender-1': 4, 'tenders-bid-1': 2 }, 1),
      ],
    });
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes: every chain, every proof to its own store’s anchor', () => {
    expect(bundle.version).toBe(2);
    expect(bundle.anchors.map((a) => a.source)).toEqual(['needs', 'tenders']);
    expect(verifyBundle(bundle)).toMatchObject({
      ok: true,
      streams: 4,
      events: 10,
      anchoredEvents: 9,
      anchors: [{ source: 'needs' }, { source: 'tenders' }],
      notYetAnchored: [{ streamId: 'tenders-late-1', fromRevision: '0', toRevision: '0' }],
    });
  });

  it('fails on an edited byte, a proof led to the other store’s root, or a missing anchor', () => {
    const edited = copy();
    edited.streams[0].events[1].data = { n: 2, source: 'needs' };
    expect(verifyBundle(edited)).toMatchObject({
      ok: false,
      problem: { streamId: 'needs-need-1', revision: '1' },
    });
    const crossed = copy();
    for (const proof of crossed.proofs)
      if (proof.streamId === 'needs-need-1') proof.source = 'tenders';
    expect(verifyBundle(crossed)).toMatchObject({
      ok: false,
      problem: {
        streamId: 'needs-need-1',
        what: 'the Merkle path does not lead to the anchor root',
      },
    });
    const orphan = copy();
    orphan.anchors = orphan.anchors.filter((a) => a.source !== 'needs');
    expect(verifyBundle(orphan)).toMatchObject({
      ok: false,
      problem: { streamId: 'needs-need-1', what: 'no anchor of source needs' },
    });
    const twice = copy();
    twice.anchors.push({ ...twice.anchors[0] });
    expect(verifyBundle(twice)).toMatchObject({ ok: false });
  });

  it('refuses the same stream from two stores', () => {
    const part = { source: 'a', streams: bundle.streams.slice(0, 1), anchor: null, proofs: [] };
    expect(() =>
      assembleAuditBundle({ subject: 's', parts: [part, { ...part, source: 'b' }] }),
    ).toThrow(/given twice/);
  });
});
