import {
  BEFORE_FIRST,
  type EventEnvelope,
  type EventHandler,
  type SubscribeOptions,
  type Subscription,
} from './event-store';

/** Where a subscription's durable position lives. */
export interface CheckpointStore {
  readCheckpoint(name: string): Promise<bigint | null>;
  writeCheckpoint(name: string, position: bigint): Promise<void>;
}

export interface PollingSource extends CheckpointStore {
  readAll(after: bigint, batchSize: number): Promise<EventEnvelope[]>;
  /** Optional early wake-up when new events are committed; returns an unsubscribe. */
  onAppended?(wake: () => void): () => void;
}

export interface PollingOptions extends SubscribeOptions {
  /**
   * Store the checkpoint at most this often while running (always on stop and before
   * failing); default 0, after every batch. A crash may then hand the events since the last
   * stored checkpoint again, so only for handlers that tolerate a repeat.
   */
  checkpointIntervalMs?: number;
  /** Told the position from the checkpoint at start and after each event, handled or passed. */
  onPosition?: (position: bigint) => void;
  /** Told each position once it is stored as the checkpoint: nothing up to it comes again. */
  onCheckpoint?: (position: bigint) => void;
}

/**
 * Catch-up subscription over `readAll`: reads from the stored checkpoint, hands each event
 * to the handler in order, and stores the position after each batch, on stop and before
 * failing, so a restart neither skips nor repeats a handled event.
 */
export function pollingSubscription(
  source: PollingSource,
  name: string,
  handler: EventHandler,
  options: PollingOptions = {},
): Subscription {
  const checkpointIntervalMs = options.checkpointIntervalMs ?? 0;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const types = options.eventTypes ? new Set(options.eventTypes) : null;
  let stopping = false;
  let wakeUp: (() => void) | null = null;
  // A wake-up that came while reading: the next pause must not wait for another.
  let woken = false;
  const wake = () => {
    const resolve = wakeUp;
    wakeUp = null;
    if (resolve) resolve();
    else woken = true;
  };
  const unsubscribe = source.onAppended?.(wake);

  const pause = () =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        wakeUp = null;
        resolve();
      }, pollIntervalMs);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const store = async (position: bigint): Promise<void> => {
    await source.writeCheckpoint(name, position);
    options.onCheckpoint?.(position);
  };

  const run = async (): Promise<void> => {
    let position = (await source.readCheckpoint(name)) ?? BEFORE_FIRST;
    let stored = position;
    let storedAt = Date.now();
    options.onPosition?.(position);
    try {
      while (!stopping) {
        woken = false;
        const batch = await source.readAll(position, batchSize);
        for (const event of batch) {
          if (stopping) break;
          if (!types || types.has(event.type)) await handler(event);
          position = event.globalPosition;
          options.onPosition?.(position);
        }
        if (position !== stored && Date.now() - storedAt >= checkpointIntervalMs) {
          await store(position);
          stored = position;
          storedAt = Date.now();
        }
        if (batch.length < batchSize && !stopping) await pause();
      }
      if (position !== stored) await store(position);
    } catch (error) {
      // Keep the progress of the events handled before the failure.
      if (position !== stored) await store(position).catch(() => undefined);
      throw error;
    } finally {
      unsubscribe?.();
    }
  };

  const done = run();
  // The caller observes failures through `done`; this only keeps them from going unhandled.
  done.catch(() => undefined);
  return {
    name,
    done,
    async stop() {
      stopping = true;
      wake();
      await done.catch(() => undefined);
    },
  };
}
