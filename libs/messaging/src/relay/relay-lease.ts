import type { HeldLock, SqlClient } from '@pcp/eventsourcing';

/**
 * Which of the processes serving a context relays its log: one at a time, so that replicas
 * of a service do not publish every event once each. A process that loses the lease (its
 * database session gone) stops after the batch in hand; another takes over from the
 * checkpoint, so at most that batch goes out twice (at-least-once, as ever).
 */
export interface RelayLease {
  /** True when this process holds the lease now, taking it when it is free. */
  acquire(): Promise<boolean>;
  /** Still held since the last acquire. */
  held(): boolean;
  release(): Promise<void>;
}

/** The lease as a PostgreSQL advisory lock named `key`, where the store's client offers one. */
export function sqlRelayLease(sql: SqlClient, key: string): RelayLease | null {
  const tryLock = sql.tryLock?.bind(sql);
  if (!tryLock) return null;
  let lock: HeldLock | null = null;
  return {
    async acquire() {
      if (lock?.held) return true;
      lock = await tryLock(key);
      return lock !== null;
    },
    held: () => lock?.held ?? false,
    async release() {
      await lock?.release();
      lock = null;
    },
  };
}
