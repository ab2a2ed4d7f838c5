import type { DocumentStore } from '@pcp/documents';

export interface Effect extends Record<string, unknown> {
  /** How many times a handler took effect for this key: the figure idempotency protects. */
  count: number;
  eventIds: string[];
  revisions: string[];
}

/** A handler's visible effect: one increment per handled event, per aggregate key. */
export async function recordEffect(
  documents: DocumentStore,
  collection: string,
  key: string,
  eventId: string,
  revision: bigint,
): Promise<void> {
  const effects = documents.collection<Effect>(collection);
  for (;;) {
    const current = await effects.get(key);
    const next: Effect = {
      count: (current?.data.count ?? 0) + 1,
      eventIds: [...(current?.data.eventIds ?? []), eventId],
      revisions: [...(current?.data.revisions ?? []), revision.toString()],
    };
    if ((await effects.upsert(key, next, { expectedVersion: current?.version ?? 0 })).written)
      return;
  }
}

export async function allEffects(
  documents: DocumentStore,
  collection: string,
): Promise<Map<string, Effect>> {
  const out = new Map<string, Effect>();
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<ReturnType<DocumentStore['collection']>['find']>> =
      await documents.collection<Effect>(collection).find({ limit: 500, cursor });
    for (const item of page.items) out.set(item.id, item.data as Effect);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export const totalCount = (effects: Map<string, Effect>): number =>
  [...effects.values()].reduce((n, e) => n + e.count, 0);
