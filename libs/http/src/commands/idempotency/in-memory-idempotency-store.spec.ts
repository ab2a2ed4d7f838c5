import { InMemoryIdempotencyStore } from './idempotency-store';
import { idempotencyStoreContract } from './idempotency-store.contract';

idempotencyStoreContract('in memory', async () => ({
  store: new InMemoryIdempotencyStore(),
  close: async () => undefined,
}));
