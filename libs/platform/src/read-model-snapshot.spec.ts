import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  codeFingerprint,
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

describe('saveSnapshot', () => {
  it('removes what a save cut short left behind, and leaves one snapshot readable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcp-snapshot-save-'));
    try {
      const file = snapshotFile(dir, 'platform');
      writeFileSync(`${file}.0badf00d.tmp`, 'half a snapshot');
      writeFileSync(join(dir, 'other.tmp'), 'not ours');
      await saveSnapshot(file, { fingerprint: 'f', head: null, consumers: {}, collections: [] });
      expect(readdirSync(dir).sort()).toEqual(['other.tmp', 'read-models.platform.snapshot']);
      expect((await readSnapshotFile(file)).snapshot?.fingerprint).toBe('f');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
