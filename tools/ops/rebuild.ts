import { type DocumentStore, type Projection, ProjectionRunner } from '@pcp/documents';
import type { EventStore } from '@pcp/eventsourcing';
import { Progress, type ProgressOptions } from './progress';

export interface RebuildOptions {
  store: EventStore;
  documents: DocumentStore;
  projections: Projection[];
  /** Where progress is drawn; default stderr. */
  progressOut?: ProgressOptions['out'];
  /** How often the progress is looked at; default 100 ms. */
  pollMs?: number;
}

export interface RebuiltProjection {
  name: string;
  /** Global position of the last event replayed. */
  position: bigint;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drops each projection's collections and checkpoint and replays the log into it up to the
 * head as it was at the start, one projection after the other. The first failure stops the
 * work: a read model half rebuilt is rebuilt again on the next run.
 */
export async function rebuildProjections(options: RebuildOptions): Promise<RebuiltProjection[]> {
  const { store, documents, projections } = options;
  const head = await store.headPosition();
  const rebuilt: RebuiltProjection[] = [];
  for (const projection of projections) {
    let failure: unknown = null;
    const runner = new ProjectionRunner({
      events: store,
      documents,
      projection,
      pollIntervalMs: 50,
      onError: (error) => (failure ??= error),
    });
    // Counted by global position: close to the event count (a sequence may skip numbers).
    const progress = new Progress({
      label: `rebuild ${projection.name}`,
      unit: 'events',
      total: Number(head < 0n ? 0n : head),
      out: options.progressOut,
    });
    await runner.rebuild();
    runner.start();
    try {
      while (runner.status().position < head && failure === null) {
        await sleep(options.pollMs ?? 100);
        progress.update(Number(runner.status().position < 0n ? 0n : runner.status().position));
      }
    } finally {
      await runner.stop();
      progress.finish();
    }
    if (failure !== null) {
      const message = failure instanceof Error ? failure.message : String(failure);
      throw new Error(`Rebuilding ${projection.name} failed: ${message}`);
    }
    rebuilt.push({ name: projection.name, position: runner.status().position });
  }
  return rebuilt;
}
