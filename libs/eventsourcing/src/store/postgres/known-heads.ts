/** A stream's last event as a writer last saw it: what the next events chain on. */
export interface KnownHead {
  revision: bigint;
  hash: string;
  recordedAt: string;
}

/**
 * The heads of the streams this process last wrote, or read to their end, at most `limit`
 * of them (the least recently touched go first). A guess, never the truth: another writer may
 * have moved a head on since, so an append chained on a known head is checked against the
 * stored one, under the stream's lock, before anything is written.
 */
export class KnownHeads {
  private readonly heads = new Map<string, KnownHead>();

  constructor(private readonly limit = 10_000) {}

  get(streamId: string): KnownHead | undefined {
    return this.heads.get(streamId);
  }

  set(streamId: string, head: KnownHead): void {
    // Re-inserted: the map's order is then the order of last use.
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.limit) this.heads.delete(this.heads.keys().next().value as string);
  }

  forget(streamId: string): void {
    this.heads.delete(streamId);
  }
}

/**
 * Whether appending at known heads is worth a round trip: when most of the last attempts were
 * refused (this process's clock ahead of the server's, other writers on the same streams),
 * each would be one more statement before the usual two, so the store stops trying for a while.
 */
export class KnownHeadAttempts {
  private tried = 0;
  private refused = 0;
  private pausedUntil = 0;

  constructor(
    private readonly window = 32,
    private readonly pauseMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  worthTrying(): boolean {
    return this.now() >= this.pausedUntil;
  }

  record(written: boolean): void {
    this.tried += 1;
    if (!written) this.refused += 1;
    if (this.tried < this.window) return;
    if (this.refused * 2 > this.window) this.pausedUntil = this.now() + this.pauseMs;
    this.tried = 0;
    this.refused = 0;
  }
}
