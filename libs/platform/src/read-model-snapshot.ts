/**
 * In-memory read models saved when the service stops and taken back when it starts, so that
 * an embedded installation with a long log does not replay all of it at every start: only
 * the events appended after the snapshot are applied.
 *
 * A snapshot is used only when it was made by the same code (a fingerprint of the service's
 * compiled files) from the same log (the event at its furthest position is still there,
 * with the same id). Anything else, or a file that cannot be read, is set aside with a
 * warning and the read models are rebuilt from the log as without a snapshot. A crash
 * leaves the previous snapshot, which is as consistent as when it was written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { DocumentData, StoredDocument } from '@pcp/documents';
import type { EventStore } from '@pcp/eventsourcing';

/**
 * Lines of JSON: a header, then per collection a line naming it followed by one line per
 * document (`[id, version, applied, data]`, or `{"v8": base64}` for data JSON cannot carry,
 * such as dates), then an end line counting the documents, so that a cut file is refused.
 * Read and written a line at a time: the file is never held whole in memory.
 */
const FORMAT = 2;

export interface ReadModelSnapshot {
  format: number;
  fingerprint: string;
  /** The furthest position any projection or consumer had reached, and that event's id. */
  head: { position: string; eventId: string } | null;
  /** Per log-fed consumer (subscription name), the position it had handled up to. */
  consumers: Record<string, string>;
  collections: { name: string; documents: SnapshotDocument[] }[];
  savedAt: string;
}

/** A stored document; `exotic` when its data holds values JSON cannot carry. */
export type SnapshotDocument = StoredDocument & { exotic?: boolean };

type Header = Omit<ReadModelSnapshot, 'collections'>;
type DocumentLine = [string, number, Record<string, number>, DocumentData] | { v8: string };

export const snapshotFile = (dataDir: string, service: string): string =>
  join(dataDir, `read-models.${service}.snapshot`);

/** Takes each document as it is read, instead of the snapshot holding them. */
export type TakeDocument = (collection: string, doc: SnapshotDocument) => void;

/**
 * Reads a snapshot file, checking that it is complete; `accept` may refuse it by its header
 * (why, or null), before any document is read. With `take`, the documents are handed to it
 * one by one and the snapshot's collections come back empty: a caller given a problem after
 * taking some must drop what it took.
 */
export async function readSnapshotFile(
  file: string,
  accept: (header: Header) => string | null | Promise<string | null> = () => null,
  take?: TakeDocument,
): Promise<{ snapshot: ReadModelSnapshot | null; problem: string | null }> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header: Header | null = null;
  const collections: ReadModelSnapshot['collections'] = [];
  let current: SnapshotDocument[] | null = null;
  let currentName = '';
  let remaining = 0;
  let total = 0;
  try {
    for await (const line of lines) {
      if (header === null) {
        header = JSON.parse(line) as Header;
        if (header?.format !== FORMAT) return { snapshot: null, problem: 'of another format' };
        const refused = await accept(header);
        if (refused) return { snapshot: null, problem: refused };
        continue;
      }
      if (remaining > 0 && current) {
        const doc = documentOf(JSON.parse(line) as DocumentLine);
        if (take) take(currentName, doc);
        else current.push(doc);
        remaining--;
        continue;
      }
      const mark = JSON.parse(line) as { collection?: string; count?: number; end?: number };
      if (mark.end !== undefined) {
        if (mark.end !== total) break;
        return { snapshot: { ...header, collections }, problem: null };
      }
      if (typeof mark.collection !== 'string' || typeof mark.count !== 'number') break;
      current = [];
      currentName = mark.collection;
      collections.push({ name: mark.collection, documents: current });
      remaining = mark.count;
      total += mark.count;
    }
    return { snapshot: null, problem: 'unreadable (cut short)' };
  } catch (error) {
    return { snapshot: null, problem: `unreadable (${(error as Error).message})` };
  } finally {
    lines.close();
  }
}

function documentOf(line: DocumentLine): SnapshotDocument {
  if (!Array.isArray(line)) return deserialize(Buffer.from(line.v8, 'base64')) as SnapshotDocument;
  const [id, version, applied, data] = line;
  return { id, version, applied, data };
}

/**
 * The snapshot at `file` when it fits this code and this log; otherwise null and why. Both
 * are checked from the header, before any document is read (or handed to `take`).
 */
export async function loadSnapshot(
  file: string,
  fingerprint: string,
  store: Pick<EventStore, 'readAll'>,
  take?: TakeDocument,
): Promise<{ snapshot: ReadModelSnapshot | null; problem: string | null }> {
  if (!existsSync(file)) return { snapshot: null, problem: null };
  return readSnapshotFile(
    file,
    async (header) => {
      if (header.fingerprint !== fingerprint) return 'made by another version of the code';
      if (header.head) {
        const position = BigInt(header.head.position);
        const [event] = await store.readAll(position - 1n, 1);
        if (!event || event.globalPosition !== position || event.id !== header.head.eventId)
          return 'made from another event log';
      }
      return null;
    },
    take,
  );
}

/** Writes the snapshot beside the log: a new file, synced, then renamed over the old one. */
export async function saveSnapshot(
  file: string,
  snapshot: Omit<ReadModelSnapshot, 'format' | 'savedAt'>,
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // what a save cut short by a kill left behind
  const prefix = `${basename(file)}.`;
  for (const name of await readdir(dirname(file)))
    if (name.startsWith(prefix) && name.endsWith('.tmp'))
      await rm(join(dirname(file), name), { force: true });
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    const { collections, ...rest } = snapshot;
    const header: Header = { ...rest, format: FORMAT, savedAt: new Date().toISOString() };
    let chunk: string[] = [JSON.stringify(header)];
    let size = 0;
    const flush = async () => {
      await handle.write(`${chunk.join('\n')}\n`);
      chunk = [];
      size = 0;
    };
    let total = 0;
    for (const { name, documents } of collections) {
      chunk.push(JSON.stringify({ collection: name, count: documents.length }));
      total += documents.length;
      for (const doc of documents) {
        const line: DocumentLine = doc.exotic
          ? {
              v8: serialize({
                id: doc.id,
                version: doc.version,
                applied: doc.applied,
                data: doc.data,
              }).toString('base64'),
            }
          : [doc.id, doc.version, doc.applied, doc.data];
        const text = JSON.stringify(line);
        chunk.push(text);
        size += text.length;
        if (size > 1 << 20) await flush();
      }
    }
    chunk.push(JSON.stringify({ end: total }));
    await flush();
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Moves an unusable snapshot aside (kept for inspection, never read again). */
export async function setAside(file: string): Promise<void> {
  await rename(file, `${file}.unused`).catch(() => undefined);
}

/**
 * A digest of the code that builds the read models: every compiled file of the build the
 * service runs from (the dist/ folder of its entry point) or, run from source, every source
 * file of the workspace's apps/ and libs/. Any change to a projection or a consumer makes
 * earlier snapshots unusable. Null when neither can be found.
 */
export function codeFingerprint(
  entry: string | undefined = require.main?.filename,
  cwd = process.cwd(),
): string | null {
  let roots: string[] = [];
  const parts = entry ? resolve(entry).split(sep) : [];
  // built: <workspace>/dist/apps/<app>/...
  const dist = parts.lastIndexOf('dist');
  if (dist > 0 && parts[dist + 1] === 'apps') roots = [parts.slice(0, dist + 1).join(sep)];
  else {
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'libs'))) {
        roots = ['apps', 'libs'].map((d) => join(dir, d)).filter((d) => existsSync(d));
        break;
      }
      if (dirname(dir) === dir) break;
    }
  }
  if (roots.length === 0) return null;
  const hash = createHash('sha256').update(`${FORMAT}\n`);
  for (const root of roots) {
    for (const file of codeFiles(root)) {
      hash.update(file.slice(root.length)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

function codeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...codeFiles(path));
    else if (/\.(js|ts|json)$/.test(name) && !/\.(spec|d)\.ts$|\.map$/.test(name)) out.push(path);
  }
  return out;
}
