import { assertSchemaName } from '../postgres/schema';

/**
 * How a service names its streams in an EventStoreDB database that other services may share.
 * With a scope (the service's `EVENT_STORE_SCHEMA`, as each service has its own schema on a
 * shared PostgreSQL server) a stream is stored as `<scope>:<streamId>`, and the service reads
 * back only its own: its projections, relay, anchors and audit never see another service's
 * events. Without one the service owns every user stream (a database of its own).
 * Bookkeeping streams (checkpoints, anchors) start with `$pcp-` and carry the scope too.
 */
export interface StreamNames {
  readonly scope: string | null;
  /** The stored name of a domain stream. */
  stored(streamId: string): string;
  /** The domain stream id of a stored name, or null when the stream is not this service's. */
  own(storedName: string): string | null;
  /** Where a subscription's checkpoints are kept. */
  checkpoint(subscription: string): string;
  /** Where anchors are kept. */
  readonly anchors: string;
}

export function streamNames(scope?: string | null): StreamNames {
  if (scope === undefined || scope === null) {
    return {
      scope: null,
      stored: (streamId) => streamId,
      // Streams whose name starts with $ are the database's and this adapter's bookkeeping.
      own: (storedName) => (storedName.startsWith('$') ? null : storedName),
      checkpoint: (subscription) => `$pcp-checkpoints-${subscription}`,
      anchors: '$pcp-anchors',
    };
  }
  // The same names as a schema on PostgreSQL: EVENT_STORE_SCHEMA serves both.
  assertSchemaName(scope);
  const prefix = `${scope}:`;
  return {
    scope,
    stored: (streamId) => prefix + streamId,
    own: (storedName) => (storedName.startsWith(prefix) ? storedName.slice(prefix.length) : null),
    checkpoint: (subscription) => `$pcp-${scope}-checkpoints-${subscription}`,
    anchors: `$pcp-${scope}-anchors`,
  };
}
