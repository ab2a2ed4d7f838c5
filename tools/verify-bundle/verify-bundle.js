#!/usr/bin/env node
/**
 * Checks an audit bundle (format `pcp-audit-bundle`, version 1 or 2) offline:
 *   node verify-bundle.js bundle.json
 * Prints `ok` and what was checked (exit 0), or the first problem with its stream and
 * revision (exit 1). Needs nothing but Node.js: copy this one file anywhere.
 *
 * What it checks:
 * - every stream's events carry revisions 0, 1, 2... in order, none missing;
 * - every event's prevHash is the previous event's hash (64 zeros for revision 0) and its hash
 *   is SHA-256(prevHash || canonical JSON of the envelope without hash and globalPosition);
 * - every proof: the anchored head is an event of the bundle with that very hash, and its
 *   Merkle path leads to the anchor's root (and, when the bundle lists the anchored heads,
 *   that they give the root and that no anchored stream of the bundle lacks its proof).
 * Events after an anchored head, and streams begun after the anchor, are reported as not
 * yet anchored: their chain is checked, but no anchor vouches for them yet.
 *
 * Version 2 gathers streams from several stores (one per service): `anchors` lists the latest
 * anchor of each, named by its `source`, and each proof names the source whose anchor root
 * it leads to. Each anchor is checked as a version 1 anchor is, over the proofs naming it.
 *
 * Canonical JSON, the hash and the Merkle leaf are computed exactly as the product's
 * libs/eventsourcing/src/integrity (canonical-json.ts, hash-chain.ts, merkle.ts) does.
 */
'use strict';

const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

const FORMAT = 'pcp-audit-bundle';
const VERSIONS = [1, 2];
const GENESIS_HASH = '0'.repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Object keys sorted by UTF-16 code units, no whitespace, bigints as decimal strings. */
function canonicalJson(value) {
  const out = write(value, new Set());
  if (out === undefined) throw new Error('A top-level value must be JSON-serialisable');
  return out;
}

function write(value, path) {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`Number ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  if (typeof value.toJSON === 'function') return write(value.toJSON(), path);
  if (path.has(value)) throw new Error('Cyclic value has no JSON form');
  path.add(value);
  try {
    if (Array.isArray(value))
      return `[${value.map((item) => write(item, path) ?? 'null').join(',')}]`;
    const members = [];
    for (const key of Object.keys(value).sort()) {
      const member = write(value[key], path);
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    path.delete(value);
  }
}

/** The envelope as the hash sees it: named fields only, without hash and globalPosition. */
function hashedContent(event) {
  return {
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    revision: event.revision,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    actor: event.actor,
    reason: event.reason,
    correlationId: event.correlationId,
    causationId: event.causationId,
    data: event.data,
    prevHash: event.prevHash,
  };
}

function eventHash(event) {
  return createHash('sha256')
    .update(String(event.prevHash), 'utf8')
    .update(canonicalJson(hashedContent(event)), 'utf8')
    .digest('hex');
}

const merkleLeaf = (head) =>
  sha256(
    `leaf:${canonicalJson({ streamId: head.streamId, revision: head.revision, hash: head.hash })}`,
  );
const merkleNode = (left, right) => sha256(`node:${left}${right}`);

function merkleRoot(heads) {
  if (heads.length === 0) return sha256('');
  const sorted = [...heads].sort((a, b) =>
    a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0,
  );
  let level = sorted.map(merkleLeaf);
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? merkleNode(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}

function climb(leaf, path) {
  let hash = leaf;
  for (const step of path) {
    if (!step || typeof step.hash !== 'string') return null;
    if (step.side === 'left') hash = merkleNode(step.hash, hash);
    else if (step.side === 'right') hash = merkleNode(hash, step.hash);
    else return null;
  }
  return hash;
}

class BundleProblem extends Error {
  constructor(streamId, revision, what) {
    super(what);
    this.streamId = streamId;
    this.revision = revision;
    this.what = what;
  }
}

const isRecord = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const revisionText = (value) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '?';

function checkStream(stream) {
  const { streamId, events } = stream;
  if (!Array.isArray(events) || events.length === 0)
    throw new BundleProblem(streamId, null, 'the stream has no events');
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const expected = String(i);
    if (!isRecord(event)) throw new BundleProblem(streamId, expected, 'the event is not an object');
    if (event.streamId !== streamId)
      throw new BundleProblem(
        streamId,
        expected,
        `the event belongs to stream ${String(event.streamId)}`,
      );
    if (revisionText(event.revision) !== expected) {
      const later = events
        .slice(i + 1)
        .some((e) => isRecord(e) && revisionText(e.revision) === expected);
      throw new BundleProblem(
        streamId,
        expected,
        later
          ? `events out of order: revision ${revisionText(event.revision)} stands where revision ${expected} should be`
          : `revision ${expected} is missing (found revision ${revisionText(event.revision)} in its place)`,
      );
    }
    if (event.prevHash !== prevHash)
      throw new BundleProblem(streamId, expected, "prevHash is not the previous event's hash");
    if (eventHash(event) !== event.hash)
      throw new BundleProblem(streamId, expected, "hash does not match the event's content");
    prevHash = event.hash;
  }
}

/**
 * Verifies a parsed bundle. Returns `{ ok: true, streams, events, anchor, anchoredEvents,
 * notYetAnchored: [{ streamId, fromRevision, toRevision }] }` or `{ ok: false, problem:
 * { streamId, revision, what } }` for the first problem found.
 */
function verifyBundle(bundle) {
  try {
    return { ok: true, ...check(bundle) };
  } catch (error) {
    if (error instanceof BundleProblem)
      return {
        ok: false,
        problem: { streamId: error.streamId, revision: error.revision, what: error.what },
      };
    return { ok: false, problem: { streamId: null, revision: null, what: error.message } };
  }
}

function check(bundle) {
  if (!isRecord(bundle) || bundle.format !== FORMAT)
    throw new BundleProblem(null, null, `not a ${FORMAT} document`);
  if (!VERSIONS.includes(bundle.version))
    throw new BundleProblem(
      null,
      null,
      `bundle version ${String(bundle.version)} is not one of ${VERSIONS.join(', ')}`,
    );
  if (!Array.isArray(bundle.streams))
    throw new BundleProblem(null, null, 'the bundle has no streams');
  if (!Array.isArray(bundle.proofs))
    throw new BundleProblem(null, null, 'the bundle has no proofs list');

  const streams = new Map();
  let events = 0;
  for (const stream of bundle.streams) {
    if (!isRecord(stream) || typeof stream.streamId !== 'string')
      throw new BundleProblem(null, null, 'a stream without a streamId');
    if (streams.has(stream.streamId))
      throw new BundleProblem(stream.streamId, null, 'the stream appears twice');
    checkStream(stream);
    streams.set(stream.streamId, stream.events);
    events += stream.events.length;
  }

  const anchors = anchorsOf(bundle);
  const anchoredUpTo = new Map();
  const bySource = new Map();
  for (const anchor of anchors) {
    if (bySource.has(anchor.source))
      throw new BundleProblem(null, null, `two anchors of source ${anchor.source}`);
    bySource.set(anchor.source, anchor);
  }
  for (const proof of bundle.proofs) {
    if (!isRecord(proof) || !isRecord(proof.head) || !Array.isArray(proof.path))
      throw new BundleProblem(null, null, 'a malformed proof');
    const source = bundle.version === 1 ? '' : proof.source;
    const anchor = bySource.get(source);
    if (!anchor)
      throw new BundleProblem(
        typeof proof.streamId === 'string' ? proof.streamId : null,
        null,
        anchors.length === 0 ? 'proofs without an anchor' : `no anchor of source ${String(source)}`,
      );
    checkProof(proof, anchor, streams, anchoredUpTo);
  }
  for (const anchor of anchors) {
    if (!anchor.listed) continue;
    for (const streamId of streams.keys()) {
      // With several sources, a stream belongs to the anchor whose proofs name it.
      const proved = bundle.proofs.find((p) => p.streamId === streamId);
      if (proved && (bundle.version === 1 ? '' : proved.source) !== anchor.source) continue;
      if (anchor.listed.has(streamId) && !anchoredUpTo.has(streamId))
        throw new BundleProblem(
          streamId,
          revisionText(anchor.listed.get(streamId).revision),
          'the anchored stream has no proof',
        );
    }
  }

  const notYetAnchored = [];
  let anchoredEvents = 0;
  for (const [streamId, streamEvents] of streams) {
    const upTo = anchoredUpTo.has(streamId) ? anchoredUpTo.get(streamId) : -1;
    anchoredEvents += upTo + 1;
    if (upTo < streamEvents.length - 1)
      notYetAnchored.push({
        streamId,
        fromRevision: String(upTo + 1),
        toRevision: String(streamEvents.length - 1),
      });
  }
  const summary = (a) => ({ id: a.id, root: a.root, createdAt: a.createdAt });
  return {
    subject: bundle.subject,
    streams: streams.size,
    events,
    anchor: anchors.length > 0 ? summary(anchors[0]) : null,
    anchors: anchors.map((a) => ({ source: a.source, ...summary(a) })),
    anchoredEvents,
    notYetAnchored,
  };
}

/** The bundle's anchors, each checked, with `source` ('' in version 1) and its listed heads. */
function anchorsOf(bundle) {
  let given;
  if (bundle.version === 1) {
    given = bundle.anchor === null || bundle.anchor === undefined ? [] : [bundle.anchor];
    if (given.length === 1 && isRecord(given[0])) given = [{ ...given[0], source: '' }];
  } else {
    if (!Array.isArray(bundle.anchors))
      throw new BundleProblem(null, null, 'the bundle has no anchors list');
    given = bundle.anchors;
  }
  return given.map((anchor) => {
    if (!isRecord(anchor) || typeof anchor.root !== 'string' || !HEX64.test(anchor.root))
      throw new BundleProblem(null, null, 'the anchor has no valid root');
    if (typeof anchor.source !== 'string')
      throw new BundleProblem(null, null, 'an anchor without a source');
    let listed = null;
    if (anchor.heads !== undefined) {
      if (!Array.isArray(anchor.heads))
        throw new BundleProblem(null, null, 'the anchor heads are not a list');
      if (merkleRoot(anchor.heads) !== anchor.root)
        throw new BundleProblem(null, null, 'the anchored heads do not give the anchor root');
      listed = new Map(anchor.heads.map((head) => [head.streamId, head]));
    }
    return { ...anchor, listed };
  });
}

/** One proof: the anchored head is an event of the bundle, and its path leads to the root. */
function checkProof(proof, anchor, streams, anchoredUpTo) {
  const { streamId, head } = proof;
  const revision = revisionText(head.revision);
  const stream = streams.get(streamId);
  if (!stream)
    throw new BundleProblem(streamId, revision, 'a proof for a stream the bundle does not hold');
  if (anchoredUpTo.has(streamId))
    throw new BundleProblem(streamId, revision, 'the stream has two proofs');
  const event = stream[Number(revision)];
  if (!/^\d+$/.test(revision) || !event)
    throw new BundleProblem(streamId, revision, 'the anchored revision is missing from the stream');
  if (event.hash !== head.hash)
    throw new BundleProblem(
      streamId,
      revision,
      'the event differs from the head the anchor recorded',
    );
  if (climb(merkleLeaf({ streamId, revision, hash: head.hash }), proof.path) !== anchor.root)
    throw new BundleProblem(streamId, revision, 'the Merkle path does not lead to the anchor root');
  if (anchor.listed) {
    const entry = anchor.listed.get(streamId);
    if (!entry || revisionText(entry.revision) !== revision || entry.hash !== head.hash)
      throw new BundleProblem(streamId, revision, 'the proof head is not the anchored head');
  }
  anchoredUpTo.set(streamId, Number(revision));
}

function report(result) {
  if (!result.ok) {
    const { streamId, revision, what } = result.problem;
    const where = [
      streamId !== null ? `stream ${streamId}` : null,
      revision !== null ? `revision ${revision}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    return `FAILED: ${where ? `${where}: ` : ''}${what}\n`;
  }
  const lines = [
    `ok: ${String(result.subject)}: ${result.streams} streams, ${result.events} events, hash chains intact`,
    result.anchors.length === 0
      ? 'anchored: none (the bundle has no anchor)'
      : `anchored: ${result.anchoredEvents} events under ${result.anchors
          .map(
            (a) =>
              `${a.source ? `${a.source}'s ` : ''}anchor ${String(a.id)} of ${String(a.createdAt)} (root ${a.root})`,
          )
          .join(', ')}`,
  ];
  for (const range of result.notYetAnchored) {
    lines.push(
      `not yet anchored: stream ${range.streamId}, revisions ${range.fromRevision} to ${range.toRevision}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function main(argv) {
  if (argv.length !== 1) {
    process.stderr.write('usage: node verify-bundle.js <bundle.json>\n');
    return 1;
  }
  let bundle;
  try {
    bundle = JSON.parse(readFileSync(argv[0], 'utf8'));
  } catch (error) {
    process.stdout.write(`FAILED: cannot read ${argv[0]}: ${error.message}\n`);
    return 1;
  }
  const result = verifyBundle(bundle);
  process.stdout.write(report(result));
  return result.ok ? 0 : 1;
}

module.exports = { canonicalJson, eventHash, merkleLeaf, merkleRoot, verifyBundle, report };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
