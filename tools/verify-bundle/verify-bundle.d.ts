/** Types of the standalone verifier (verify-bundle.js), for the workspace's own tests and tools. */
export interface BundleProblem {
  streamId: string | null;
  revision: string | null;
  what: string;
}

export type BundleVerification =
  | {
      ok: true;
      subject: string;
      streams: number;
      events: number;
      /** The first anchor (version 1: the only one). */
      anchor: { id: string; root: string; createdAt: string } | null;
      /** Every anchor, with its source ('' in version 1). */
      anchors: { source: string; id: string; root: string; createdAt: string }[];
      anchoredEvents: number;
      notYetAnchored: { streamId: string; fromRevision: string; toRevision: string }[];
    }
  | { ok: false; problem: BundleProblem };

export function canonicalJson(value: unknown): string;
export function eventHash(event: Record<string, unknown>): string;
export function merkleLeaf(head: { streamId: string; revision: string; hash: string }): string;
export function merkleRoot(heads: { streamId: string; revision: string; hash: string }[]): string;
export function verifyBundle(bundle: unknown): BundleVerification;
export function report(result: BundleVerification): string;
