import type { IdempotencyStore } from './idempotency-store';

/**
 * The behaviour every IdempotencyStore must show; run by each adapter's spec.
 * `open` returns a fresh, empty store; `close` releases it.
 */
export function idempotencyStoreContract(
  name: string,
  open: () => Promise<{ store: IdempotencyStore; close: () => Promise<void> }>,
): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let store: IdempotencyStore;
    let close: () => Promise<void>;
    const t0 = new Date('2030-01-01T00:00:00Z');
    const later = (ms: number) => new Date(t0.getTime() + ms);
    const claim = (
      key: string,
      fingerprint = 'fp-1',
      now = t0,
      ttlMs = 60_000,
      scope = 'org-a/u1',
    ) => store.claim({ scope, key, fingerprint, now, expiresAt: new Date(now.getTime() + ttlMs) });

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('claims a new key once, then shows the pending record', async () => {
      expect(await claim('k1')).toEqual({ claimed: true });
      expect(await claim('k1', 'fp-other')).toEqual({
        claimed: false,
        record: { fingerprint: 'fp-1', state: 'pending' },
      });
    });

    it('keeps the completed response exactly', async () => {
      await claim('k2');
      const response = {
        statusCode: 201,
        body: {
          id: 'n-1',
          title: 'Détection précoce 🩺',
          nested: { list: [1, 'two', null, true] },
        },
        headers: { location: '/needs/n-1' },
      };
      await store.complete('org-a/u1', 'k2', response);
      expect(await claim('k2')).toEqual({
        claimed: false,
        record: { fingerprint: 'fp-1', state: 'completed', response },
      });
    });

    it('stores an empty body as null', async () => {
      await claim('k-empty');
      await store.complete('org-a/u1', 'k-empty', {
        statusCode: 204,
        body: undefined,
        headers: {},
      });
      const result = await claim('k-empty');
      expect(result).toEqual({
        claimed: false,
        record: {
          fingerprint: 'fp-1',
          state: 'completed',
          response: { statusCode: 204, body: null, headers: {} },
        },
      });
    });

    it('releases a pending key but never a completed one', async () => {
      await claim('k3');
      await store.release('org-a/u1', 'k3');
      expect(await claim('k3', 'fp-2')).toEqual({ claimed: true });
      await store.complete('org-a/u1', 'k3', { statusCode: 200, body: { ok: true }, headers: {} });
      await store.release('org-a/u1', 'k3');
      expect(await claim('k3', 'fp-2')).toMatchObject({
        claimed: false,
        record: { state: 'completed' },
      });
    });

    it('does not complete a key that is no longer pending', async () => {
      await claim('k4');
      await store.release('org-a/u1', 'k4');
      await store.complete('org-a/u1', 'k4', { statusCode: 200, body: {}, headers: {} });
      expect(await claim('k4')).toEqual({ claimed: true });
    });

    it('treats an expired key as absent', async () => {
      await claim('k5', 'fp-old', t0, 1_000);
      await store.complete('org-a/u1', 'k5', { statusCode: 201, body: { n: 1 }, headers: {} });
      expect(await claim('k5', 'fp-new', later(999))).toMatchObject({ claimed: false });
      expect(await claim('k5', 'fp-new', later(1_000))).toEqual({ claimed: true });
      expect(await claim('k5', 'fp-x', later(1_001))).toEqual({
        claimed: false,
        record: { fingerprint: 'fp-new', state: 'pending' },
      });
    });

    it('keeps scopes apart', async () => {
      expect(await claim('k6', 'fp', t0, 60_000, 'org-a/u1')).toEqual({ claimed: true });
      expect(await claim('k6', 'fp', t0, 60_000, 'org-a/u2')).toEqual({ claimed: true });
      expect(await claim('k6', 'fp', t0, 60_000, 'org-b/u1')).toEqual({ claimed: true });
    });

    it('lets exactly one of many concurrent claims win', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => claim('k7', `fp-${i}`)),
      );
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      const winner = results.findIndex((r) => r.claimed);
      for (const result of results.filter((r) => !r.claimed)) {
        expect(result).toEqual({
          claimed: false,
          record: { fingerprint: `fp-${winner}`, state: 'pending' },
        });
      }
    });

    it('purges expired keys only', async () => {
      await claim('short-1', 'fp', t0, 1_000);
      await claim('short-2', 'fp', t0, 2_000);
      await claim('long', 'fp', t0, 60_000);
      expect(await store.purgeExpired(later(2_000))).toBe(2);
      expect(await store.purgeExpired(later(2_000))).toBe(0);
      expect(await claim('long', 'fp', later(2_000))).toMatchObject({ claimed: false });
    });
  });
}
