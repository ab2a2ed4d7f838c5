/**
 * kafkajs 2.2 keeps a 1 ms timer running on every broker connection once it has answered a
 * request, with nothing queued (tulios/kafkajs#1704, #1751): about 900 wake-ups a second per
 * connection, a few per cent of a core in an idle service, garbage for the collector, and a
 * TimeoutNegativeWarning on Node 24. The queue is looked at again whenever a request is queued
 * or answered, so a timer is only needed while requests wait (throttled or over the in-flight
 * limit) or a throttle is running; this is kafkajs's own method without the idle timer.
 */
import { createRequire } from 'node:module';

interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval for requests that wait without a throttle. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const PATCHED = Symbol.for('pcp.kafkajs.requestQueue.noIdleTimer');

function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) {
    scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  } else if (scheduleAt <= 0) {
    return;
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

/** kafkajs's RequestQueue class, from the copy of kafkajs this process loads. */
export function kafkajsRequestQueue(): {
  prototype: RequestQueueInternals;
  new (options: Record<string, unknown>): RequestQueueInternals;
} {
  const load = createRequire(require.resolve('kafkajs'));
  return load('./src/network/requestQueue');
}

/**
 * Replaces the idle timer once per process; safe to call again. Throws if kafkajs no longer
 * has the method, so that an upgrade that moved it is noticed (by the spec) rather than ignored.
 */
export function stopIdleRequestQueueTimers(): void {
  const { prototype } = kafkajsRequestQueue();
  const target = prototype as RequestQueueInternals & { [PATCHED]?: true };
  if (target[PATCHED]) return;
  if (typeof target.scheduleCheckPendingRequests !== 'function') {
    throw new Error('kafkajs RequestQueue has no scheduleCheckPendingRequests to replace');
  }
  target.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  target[PATCHED] = true;
}
