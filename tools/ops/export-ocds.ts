import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Progress, type ProgressOptions } from './progress';

export interface ExportOcdsOptions {
  /** Base URL of a running instance (the platform, the gateway or the tenders service). */
  url: string;
  /** Bearer token for the tender list (any role); the OCDS documents themselves are public. */
  token: string;
  outDir: string;
  /** Tenders per list page; default 100. */
  pageSize?: number;
  progressOut?: ProgressOptions['out'];
}

export interface ExportOcdsResult {
  tenders: number;
  files: string[];
}

async function getJson(url: string, token: string | null): Promise<unknown> {
  const res = await fetch(url, {
    headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  const text = await res.text();
  if (res.status !== 200)
    throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`GET ${url} answered with something that is not JSON`);
  }
}

/** Tender ids are UUIDs; anything else is kept out of file names. */
const fileNameOf = (id: string): string => `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.ocds.json`;

/**
 * Lists every tender through the public API (GET /tenders, page by page) and saves each
 * one's OCDS release package (GET /tenders/{id}/ocds) as `<id>.ocds.json` in `outDir`.
 */
export async function exportOcds(options: ExportOcdsOptions): Promise<ExportOcdsResult> {
  const base = options.url.replace(/\/+$/, '');
  const limit = options.pageSize ?? 100;
  const listing = new Progress({
    label: 'list tenders',
    unit: 'tenders',
    out: options.progressOut,
  });
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    const page = (await getJson(`${base}/tenders?${query.toString()}`, options.token)) as {
      items?: { id?: unknown }[];
      nextCursor?: unknown;
    };
    if (!Array.isArray(page.items)) throw new Error(`GET ${base}/tenders did not answer a page`);
    for (const item of page.items) if (typeof item.id === 'string') ids.push(item.id);
    listing.update(ids.length);
    cursor = typeof page.nextCursor === 'string' && page.nextCursor ? page.nextCursor : null;
  } while (cursor);
  listing.finish();

  await mkdir(options.outDir, { recursive: true });
  const download = new Progress({
    label: 'export OCDS',
    unit: 'tenders',
    total: ids.length,
    out: options.progressOut,
  });
  const files: string[] = [];
  for (const id of ids) {
    const release = await getJson(`${base}/tenders/${encodeURIComponent(id)}/ocds`, null);
    const file = join(options.outDir, fileNameOf(id));
    await writeFile(file, `${JSON.stringify(release, null, 2)}\n`);
    files.push(file);
    download.tick();
  }
  download.finish();
  return { tenders: ids.length, files };
}
