import type { EventEnvelope } from '../store/event-store';
import { UpcasterConflictError, UpcasterRegistry } from './upcasters';

const stored = (type: string, schemaVersion: number, data: unknown): EventEnvelope => ({
  id: '6f1c3d4e-0000-4000-8000-000000000001',
  type,
  schemaVersion,
  streamId: 'need-1',
  revision: 0n,
  globalPosition: 1n,
  occurredAt: '2024-01-01T00:00:00.000Z',
  recordedAt: '2024-01-01T00:00:00.000Z',
  actor: { userId: 'u', org: null, roles: [] },
  reason: null,
  correlationId: 'c',
  causationId: null,
  data,
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
});

describe('UpcasterRegistry', () => {
  const registry = new UpcasterRegistry()
    .register('NeedSubmitted', 1, (data) => {
      const { budget, ...rest } = data as { budget: number };
      return { ...rest, budget: { amount: budget, currency: 'EUR' } };
    })
    .register('NeedSubmitted', 2, (data) => ({ ...(data as object), tags: [] }));

  it('chains upcasters from the stored version to the current one', () => {
    const event = registry.upcast(stored('NeedSubmitted', 1, { title: 'Lighting', budget: 100 }));
    expect(event.schemaVersion).toBe(3);
    expect(event.data).toEqual({
      title: 'Lighting',
      budget: { amount: 100, currency: 'EUR' },
      tags: [],
    });
    expect(registry.currentVersion('NeedSubmitted')).toBe(3);
  });

  it('starts from the stored version', () => {
    const event = registry.upcast(
      stored('NeedSubmitted', 2, { budget: { amount: 5, currency: 'EUR' } }),
    );
    expect(event.schemaVersion).toBe(3);
    expect(event.data).toEqual({ budget: { amount: 5, currency: 'EUR' }, tags: [] });
  });

  it('leaves current and unknown events untouched, keeping the stored hash', () => {
    const current = stored('NeedSubmitted', 3, { x: 1 });
    expect(registry.upcast(current)).toBe(current);
    const other = stored('TenderOpened', 1, { y: 1 });
    expect(registry.upcast(other)).toBe(other);
    const old = stored('NeedSubmitted', 1, { budget: 1 });
    expect(registry.upcast(old).hash).toBe(old.hash);
    expect(old.data).toEqual({ budget: 1 });
  });

  it('refuses two upcasters for the same type and version', () => {
    expect(() => registry.register('NeedSubmitted', 1, (data) => data)).toThrow(
      UpcasterConflictError,
    );
    expect(() => new UpcasterRegistry().register('A', 0, (data) => data)).toThrow(RangeError);
  });
});
