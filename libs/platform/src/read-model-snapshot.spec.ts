import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryDocumentStore } from '@pcp/documents';
import {
  codeFingerprint,
  loadSnapshot,
  readSnapshotFile,
  saveSnapshot,
  snapshotFile,
} from './read-model-snapshot';

describe('codeFingerprint', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pcp-fingerprint-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('digests the build an entry point runs from, and changes with any compiled file', () => {
    write('dist/apps/platform/src/main.js', 'main');
    write('dist/libs/needs/src/projection.js', 'v1');
    write('dist/libs/needs/src/projection.js.map', 'map');
    const entry = join(root, 'dist/apps/platform/src/main.js');
    const first = codeFingerprint(entry, '/');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    write('dist/libs/needs/src/projection.js.map', 'another map');
    expect(codeFingerprint(entry, '/')).toBe(first);
    write('dist/libs/needs/src/projection.js', 'v2');
    expect(codeFingerprint(entry, '/')).not.toBe(first);
  });

  it('digests the sources of apps/ and libs/ when run from source, specs left out', () => {
    write('package.json', '{}');
    write('libs/needs/src/projection.ts', 'v1');
    const first = codeFingerprint(join(root, 'node_modules/jest/bin/jest.js'), join(root, 'libs'));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    write('libs/needs/src/projection.spec.ts', 'a test');
    expect(codeFingerprint(undefined, root)).toBe(first);
    write('apps/platform/src/main.ts', 'main');
    expect(codeFingerprint(undefined, root)).not.toBe(first);
  });

  it('gives none outside a workspace or a build', () => {
    expect(codeFingerprint(join(root, 'main.js'), root)).toBeNull();
  });
});

/** A test given a snapshot file's path in a new folder, removed afterwards. */
async function inSnapshotDir(test: (file: string, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pcp-snapshot-'));
  try {
    await test(snapshotFile(dir, 'platform'), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('saveSnapshot', () => {
  it('removes what a save cut short left behind, and leaves one snapshot readable', () =>
    inSnapshotDir(async (file, dir) => {
      writeFileSync(`${file}.0badf00d.tmp`, 'half a snapshot');
      writeFileSync(join(dir, 'other.tmp'), 'not ours');
      await saveSnapshot(file, { fingerprint: 'f', head: null, consumers: {}, collections: [] });
      expect(readdirSync(dir).sort()).toEqual(['other.tmp', 'read-models.platform.snapshot']);
      expect((await readSnapshotFile(file)).snapshot?.fingerprint).toBe('f');
    }));
});

describe('a snapshot taken back document by document', () => {
  it('fills the in-memory store frozen, sharing what documents repeat, dates kept', () =>
    inSnapshotDir(async (file) => {
      const actor = { userId: 'u-1', org: 'org-1', roles: ['procurer'] };
      const entry = (id: string, revision: number) => ({
        id,
        version: 1,
        applied: { 'needs-need-1': revision },
        data: { eventId: id, streamId: 'needs-need-1', revision, actor, needIds: ['n-1'] },
      });
      const at = new Date('2026-03-01T00:00:00.000Z');
      await saveSnapshot(file, {
        fingerprint: 'f',
        head: null,
        consumers: {},
        collections: [
          { name: 'timeline', documents: [entry('e-1', 0), entry('e-2', 1)] },
          {
            name: 'dated',
            documents: [{ id: 'd', version: 1, applied: {}, data: { at }, exotic: true }],
          },
        ],
      });
      const store = new InMemoryDocumentStore();
      const found = await loadSnapshot(file, 'f', { readAll: async () => [] }, (name, doc) =>
        store.restoreDocument(name, doc),
      );
      expect(found.problem).toBeNull();
      const timeline = store.collection<ReturnType<typeof entry>['data']>('timeline');
      const one = await timeline.get('e-1');
      const two = await timeline.get('e-2');
      expect(two?.data).toEqual(entry('e-2', 1).data);
      expect({ ...two?.applied }).toEqual({ 'needs-need-1': 1 });
      expect(two?.data.actor).toBe(one?.data.actor);
      expect(two?.data.needIds).toBe(one?.data.needIds);
      expect(Object.isFrozen(two?.data.actor)).toBe(true);
      expect((await store.collection('dated').get('d'))?.data.at).toEqual(at);
    }));
});

describe('loadSnapshot', () => {
  it('hands the documents over one by one, and none when the header refuses the file', () =>
    inSnapshotDir(async (file) => {
      const documents = [1, 2, 3].map((n) => ({
        id: `d-${n}`,
        version: n,
        applied: { 's-1': n },
        data: { n },
      }));
      await saveSnapshot(file, {
        fingerprint: 'f',
        head: null,
        consumers: { 'consumer:a': '7' },
        collections: [{ name: 'c', documents }],
      });
      const store = { readAll: async () => [] };
      const taken: [string, string][] = [];
      const found = await loadSnapshot(file, 'f', store, (name, doc) => taken.push([name, doc.id]));
      expect(found.problem).toBeNull();
      expect(found.snapshot?.consumers).toEqual({ 'consumer:a': '7' });
      expect(found.snapshot?.collections).toEqual([{ name: 'c', documents: [] }]);
      expect(taken).toEqual([
        ['c', 'd-1'],
        ['c', 'd-2'],
        ['c', 'd-3'],
      ]);

      taken.length = 0;
      expect(
        (await loadSnapshot(file, 'other', store, (n, d) => taken.push([n, d.id]))).problem,
      ).toBe('made by another version of the code');
      expect(taken).toEqual([]);

      // cut after two documents: taken so far, then refused as cut short
      const lines = readFileSync(file, 'utf8').split('\n');
      writeFileSync(file, `${lines.slice(0, 4).join('\n')}\n`);
      const cut = await loadSnapshot(file, 'f', store, (n, d) => taken.push([n, d.id]));
      expect(cut).toEqual({ snapshot: null, problem: 'unreadable (cut short)' });
      expect(taken).toEqual([
        ['c', 'd-1'],
        ['c', 'd-2'],
      ]);
    }));
});
