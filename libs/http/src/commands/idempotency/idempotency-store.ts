/** The response a completed request gave, replayed for repeats of its key. */
export interface StoredResponse {
  statusCode: number;
  body: unknown;
  /** Headers worth replaying (Location, ETag), lower-case names. */
  headers: Record<string, string>;
}

export type IdempotencyRecord =
  | { fingerprint: string; state: 'pending' }
  | { fingerprint: string; state: 'completed'; response: StoredResponse };

export interface IdempotencyClaim {
  /** Who the key belongs to: keys of different users never meet. */
  scope: string;
  key: string;
  /** Hash of method, path and canonical body. */
  fingerprint: string;
  now: Date;
  expiresAt: Date;
}

export type ClaimResult = { claimed: true } | { claimed: false; record: IdempotencyRecord };

/**
 * Storage of idempotency keys. `claim` is an atomic insert-if-absent: of two concurrent
 * requests with one key exactly one gets `claimed`, the other sees the pending record.
 * Expired records count as absent.
 */
export interface IdempotencyStore {
  claim(claim: IdempotencyClaim): Promise<ClaimResult>;
  /** Stores the response of a claimed key. */
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Gives a pending key back (the request failed, so a retry may run it again). */
  release(scope: string, key: string): Promise<void>;
  /** Deletes expired records; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

interface MemoryRecord {
  record: IdempotencyRecord;
  expiresAt: number;
}

/** In-process store, for tests and single-process setups that accept losing keys on restart. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, MemoryRecord>();

  async claim({ scope, key, fingerprint, now, expiresAt }: IdempotencyClaim): Promise<ClaimResult> {
    const id = this.id(scope, key);
    const existing = this.records.get(id);
    if (existing && existing.expiresAt > now.getTime())
      return { claimed: false, record: existing.record };
    this.records.set(id, {
      record: { fingerprint, state: 'pending' },
      expiresAt: expiresAt.getTime(),
    });
    return { claimed: true };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    const entry = this.records.get(this.id(scope, key));
    if (entry?.record.state === 'pending') {
      // A copy, so that later changes to the handler's object do not alter the replay.
      entry.record = {
        fingerprint: entry.record.fingerprint,
        state: 'completed',
        response: structuredClone({ ...response, body: response.body ?? null }),
      };
    }
  }

  async release(scope: string, key: string): Promise<void> {
    const id = this.id(scope, key);
    if (this.records.get(id)?.record.state === 'pending') this.records.delete(id);
  }

  async purgeExpired(now: Date): Promise<number> {
    let purged = 0;
    for (const [id, entry] of this.records) {
      if (entry.expiresAt <= now.getTime()) {
        this.records.delete(id);
        purged++;
      }
    }
    return purged;
  }

  private id(scope: string, key: string): string {
    return JSON.stringify([scope, key]);
  }
}
