import {
  type AuditBundle,
  anchorNow,
  buildAuditBundle,
  canonicalJson as libraryCanonicalJson,
  envelopeToJson,
  type EventEnvelope,
  eventHash as libraryEventHash,
  merkleLeaf as libraryMerkleLeaf,
  NO_STREAM,
  PostgresAnchorStore,
  PostgresEventStore,
  systemActor,
} from '@pcp/eventsourcing';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, eventHash, merkleLeaf, verifyBundle } from './verify-bundle';

const procurer = { userId: 'user-ana', org: 'org-sergas', roles: ['procurer'] };

/** Payloads with the forms canonical JSON must agree on: unicode, escapes, numbers, nesting. */
const payloads = [
  {
    title: 'Détection précoce de la septicémie',
    trl: 5,
    budget: { amount: 1.5e6, currency: 'EUR' },
  },
  { note: 'line\nbreak "quoted" \u2028 tab\t', ratio: 0.1, tiny: 1e-7, huge: 1e21, neg: -0 },
  { z: 1, a: [3, { y: null, b: true }], é: 'accent', '\u00e9\u0301': 'combining', A: false },
  { emoji: '🚑', keys: { b10: 1, b9: 2, B: 3 }, list: [] },
];

describe('verify-bundle against a bundle built from a real embedded store', () => {
  let dir: string;
  let store: PostgresEventStore;
  let bundle: AuditBundle;
  let innovation: EventEnvelope[];
  let withHeads: AuditBundle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'verify-bundle-'));
    store = await PostgresEventStore.embedded(join(dir, 'eventstore'));
    const anchors = new PostgresAnchorStore(store.client, store.schema);
    const append = (streamId: string, data: unknown[], expected: bigint | typeof NO_STREAM) =>
      store.append(
        streamId,
        data.map((d, n) => ({
          type: `Step${n}`,
          data: d,
          actor: procurer,
          reason: n === 1 ? 'Board decision of 12 March' : null,
          correlationId: randomUUID(),
        })),
        expected,
      );
    await append('innovation-1', payloads, NO_STREAM);
    await append('tender-1', payloads.slice(0, 3), NO_STREAM);
    await append('need-1', payloads.slice(0, 2), NO_STREAM);
    await store.append(
      'pilot-1',
      [
        {
          type: 'PilotPlanned',
          data: { n: 1 },
          actor: systemActor('scheduler'),
          correlationId: randomUUID(),
        },
      ],
      NO_STREAM,
    );
    const anchor = await anchorNow(store, anchors);
    // After the anchor: one more event of an anchored stream, and a new stream.
    await append('innovation-1', [{ closed: true }], 3n);
    await append('pipeline-1', payloads.slice(0, 2), NO_STREAM);
    innovation = await store.readStream('innovation-1');
    const streams = await Promise.all(
      ['innovation-1', 'tender-1', 'pilot-1', 'pipeline-1'].map(async (streamId) => ({
        streamId,
        events: await store.readStream(streamId),
      })),
    );
    bundle = JSON.parse(
      JSON.stringify(buildAuditBundle({ subject: 'innovation:1', streams, anchor })),
    ) as AuditBundle;
    withHeads = JSON.parse(
      JSON.stringify(
        buildAuditBundle({ subject: 'innovation:1', streams, anchor, includeAnchorHeads: true }),
      ),
    ) as AuditBundle;
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const copy = (): AuditBundle => JSON.parse(JSON.stringify(bundle)) as AuditBundle;
  const stream = (b: AuditBundle, streamId: string) => {
    const found = b.streams.find((s) => s.streamId === streamId);
    if (!found) throw new Error(`no ${streamId} in the bundle`);
    return found;
  };

  it('computes the same canonical JSON, event hashes and leaves as the library', () => {
    for (const value of [...payloads, { revision: 12n, nested: [1n, { at: 2n }] }]) {
      expect(canonicalJson(value)).toBe(libraryCanonicalJson(value));
    }
    // A bigint revision in the library and its decimal string in the bundle hash alike.
    expect(canonicalJson({ revision: '12' })).toBe(libraryCanonicalJson({ revision: 12n }));
    expect(innovation).toHaveLength(5);
    for (const event of innovation) {
      const json = envelopeToJson(event) as unknown as Record<string, unknown>;
      expect(eventHash(json)).toBe(event.hash);
      expect(libraryEventHash(event)).toBe(event.hash);
    }
    const head = innovation[4];
    expect(merkleLeaf({ streamId: head.streamId, revision: '4', hash: head.hash })).toBe(
      libraryMerkleLeaf({ streamId: head.streamId, revision: 4n, hash: head.hash }),
    );
  });

  it('passes the untouched bundle and reports what no anchor vouches for yet', () => {
    const result = verifyBundle(bundle);
    expect(result).toMatchObject({
      ok: true,
      subject: 'innovation:1',
      streams: 4,
      events: 5 + 3 + 1 + 2,
      anchoredEvents: 4 + 3 + 1,
      notYetAnchored: [
        { streamId: 'innovation-1', fromRevision: '4', toRevision: '4' },
        { streamId: 'pipeline-1', fromRevision: '0', toRevision: '1' },
      ],
    });
  });

  it.each([
    {
      edit: 'a payload changed',
      tamper: (b: AuditBundle) => {
        (stream(b, 'tender-1').events[1].data as Record<string, unknown>)['trl'] = 9;
      },
      problem: {
        streamId: 'tender-1',
        revision: '1',
        what: expect.stringContaining('hash does not match'),
      },
    },
    {
      edit: 'an event removed',
      tamper: (b: AuditBundle) => {
        stream(b, 'innovation-1').events.splice(2, 1);
      },
      problem: {
        streamId: 'innovation-1',
        revision: '2',
        what: expect.stringContaining('revision 2 is missing'),
      },
    },
    {
      edit: 'two events swapped',
      tamper: (b: AuditBundle) => {
        const events = stream(b, 'innovation-1').events;
        [events[1], events[2]] = [events[2], events[1]];
      },
      problem: {
        streamId: 'innovation-1',
        revision: '1',
        what: expect.stringContaining('out of order'),
      },
    },
    {
      edit: 'a hash changed',
      tamper: (b: AuditBundle) => {
        stream(b, 'tender-1').events[0].hash = 'ab'.repeat(32);
      },
      problem: {
        streamId: 'tender-1',
        revision: '0',
        what: expect.stringContaining('hash does not match'),
      },
    },
    {
      edit: 'a hash and the next prevHash changed together',
      tamper: (b: AuditBundle) => {
        const events = stream(b, 'tender-1').events;
        events[0].hash = 'ab'.repeat(32);
        events[1].prevHash = events[0].hash;
      },
      problem: {
        streamId: 'tender-1',
        revision: '0',
        what: expect.stringContaining('hash does not match'),
      },
    },
    {
      edit: 'the anchor root changed',
      tamper: (b: AuditBundle) => {
        if (b.anchor) b.anchor.root = 'cd'.repeat(32);
      },
      problem: {
        streamId: 'innovation-1',
        revision: '3',
        what: 'the Merkle path does not lead to the anchor root',
      },
    },
    {
      edit: 'a proof path changed',
      tamper: (b: AuditBundle) => {
        const proof = b.proofs.find((p) => p.streamId === 'tender-1');
        if (proof) proof.path[0].hash = 'ef'.repeat(32);
      },
      problem: {
        streamId: 'tender-1',
        revision: '2',
        what: 'the Merkle path does not lead to the anchor root',
      },
    },
    {
      edit: 'a whole stream rewritten with a fresh valid chain',
      tamper: (b: AuditBundle) => {
        const events = stream(b, 'pilot-1').events as unknown as Record<string, unknown>[];
        events[0]['data'] = { n: 2 };
        events[0]['hash'] = eventHash(events[0]);
      },
      problem: {
        streamId: 'pilot-1',
        revision: '0',
        what: 'the event differs from the head the anchor recorded',
      },
    },
  ])('fails and names the place when $edit', ({ tamper, problem }) => {
    const edited = copy();
    tamper(edited);
    expect(verifyBundle(edited)).toEqual({ ok: false, problem });
  });

  it('with the anchored heads listed, checks the root and that no anchored stream lost its proof', () => {
    expect(verifyBundle(withHeads)).toMatchObject({ ok: true, anchoredEvents: 8 });
    const stripped = JSON.parse(JSON.stringify(withHeads)) as AuditBundle;
    stripped.proofs = stripped.proofs.filter((p) => p.streamId !== 'tender-1');
    expect(verifyBundle(stripped)).toEqual({
      ok: false,
      problem: { streamId: 'tender-1', revision: '2', what: 'the anchored stream has no proof' },
    });
    const forged = JSON.parse(JSON.stringify(withHeads)) as AuditBundle;
    forged.anchor?.heads?.pop();
    expect(verifyBundle(forged)).toMatchObject({
      ok: false,
      problem: { what: 'the anchored heads do not give the anchor root' },
    });
  });

  it('without an anchor, checks the chains and reports every event as not yet anchored', () => {
    const unanchored = copy();
    unanchored.anchor = null;
    unanchored.proofs = [];
    expect(verifyBundle(unanchored)).toMatchObject({ ok: true, anchor: null, anchoredEvents: 0 });
    unanchored.proofs = copy().proofs;
    expect(verifyBundle(unanchored)).toMatchObject({
      ok: false,
      problem: { what: 'proofs without an anchor' },
    });
  });

  it('runs as a command: exit 0 with ok, exit 1 with the first problem', () => {
    const run = (b: unknown) => {
      const file = join(dir, `${randomUUID()}.json`);
      writeFileSync(file, JSON.stringify(b, null, 2));
      return spawnSync(process.execPath, [join(__dirname, 'verify-bundle.js'), file], {
        encoding: 'utf8',
      });
    };
    const good = run(bundle);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^ok: innovation:1: 4 streams, 11 events/);
    expect(good.stdout).toContain('not yet anchored: stream pipeline-1, revisions 0 to 1');

    const edited = copy();
    stream(edited, 'innovation-1').events[3].reason = 'rewritten later';
    const bad = run(edited);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe(
      "FAILED: stream innovation-1, revision 3: hash does not match the event's content\n",
    );

    const missing = spawnSync(
      process.execPath,
      [join(__dirname, 'verify-bundle.js'), join(dir, 'none.json')],
      {
        encoding: 'utf8',
      },
    );
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain('FAILED: cannot read');
  });
});
