import {
  type AnchorStore,
  type EventStore,
  type VerificationReport,
  verifyEventStore,
} from '@pcp/eventsourcing';
import { Progress } from './progress';

/**
 * The product's verifier over the whole store, with progress over the streams it walks:
 * the store is seen through a view that counts each stream read.
 */
export async function verifyWithProgress(
  store: EventStore,
  anchors: AnchorStore,
  progress: Progress,
): Promise<VerificationReport> {
  const [heads, anchor] = await Promise.all([store.streamHeads(), anchors.latestAnchor()]);
  progress.setTotal(
    new Set([...heads, ...(anchor?.heads ?? [])].map((head) => head.streamId)).size,
  );
  const counted: EventStore = {
    append: (...args) => store.append(...args),
    readStream: async (...args) => {
      const events = await store.readStream(...args);
      progress.tick();
      return events;
    },
    readAll: (...args) => store.readAll(...args),
    subscribe: (...args) => store.subscribe(...args),
    readCheckpoint: (...args) => store.readCheckpoint(...args),
    writeCheckpoint: (...args) => store.writeCheckpoint(...args),
    headPosition: () => store.headPosition(),
    streamHeads: () => store.streamHeads(),
    close: () => store.close(),
  };
  try {
    return await verifyEventStore(counted, anchors);
  } finally {
    progress.finish();
  }
}

/** What `ops verify` prints: a summary, then each broken stream's first problem. */
export function describeReport(report: VerificationReport, where: string): string {
  const anchor = report.anchor
    ? `latest anchor ${report.anchor.id} of ${report.anchor.createdAt} (root ${report.anchor.root})`
    : 'no anchor recorded yet';
  const counts = `${report.checkedStreams} streams, ${report.checkedEvents} events`;
  if (report.ok) return `ok: ${where}: ${counts}, hash chains intact, ${anchor}\n`;
  const lines = [
    `FAILED: ${where}: ${report.problems.length} broken of ${counts}, compared with ${anchor}`,
    ...report.problems.map((p) =>
      p.problem === 'anchor-root-mismatch'
        ? `  anchor: its heads do not give its recorded root`
        : `  stream ${p.streamId}, revision ${p.revision}: ${p.problem}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
