import type { EventEnvelope } from '../store/event-store';

/** Turns the data of one schema version into the next version's shape. */
export type Upcaster = (data: unknown, event: EventEnvelope) => unknown;

/** One step a context declares: events of `type` stored at `fromVersion` read as `fromVersion + 1`. */
export interface UpcasterStep {
  type: string;
  fromVersion: number;
  upcast: Upcaster;
}

export class UpcasterConflictError extends Error {
  constructor(type: string, fromVersion: number) {
    super(`An upcaster for ${type} v${fromVersion} is already registered`);
    this.name = 'UpcasterConflictError';
  }
}

/**
 * Upcasters keyed by (type, fromVersion). Reading applies them in a chain, v1 -> v2 -> ...,
 * until no upcaster takes the event further. Stored events are never rewritten.
 */
export class UpcasterRegistry {
  private readonly upcasters = new Map<string, Map<number, Upcaster>>();

  /** Registers `upcast` from `fromVersion` to `fromVersion + 1` of `type`. */
  register(type: string, fromVersion: number, upcast: Upcaster): this {
    if (!Number.isInteger(fromVersion) || fromVersion < 1)
      throw new RangeError('fromVersion must be a positive integer');
    let byVersion = this.upcasters.get(type);
    if (!byVersion) {
      byVersion = new Map();
      this.upcasters.set(type, byVersion);
    }
    if (byVersion.has(fromVersion)) throw new UpcasterConflictError(type, fromVersion);
    byVersion.set(fromVersion, upcast);
    return this;
  }

  /** A registry of the given steps; two steps from the same version of a type conflict. */
  static of(steps: readonly UpcasterStep[]): UpcasterRegistry {
    const registry = new UpcasterRegistry();
    for (const step of steps) registry.register(step.type, step.fromVersion, step.upcast);
    return registry;
  }

  /** The version reading brings an event of `type` stored at `version` to. */
  currentVersion(type: string, version = 1): number {
    const byVersion = this.upcasters.get(type);
    while (byVersion?.has(version)) version += 1;
    return version;
  }

  /** The event in its current shape; the same object when nothing applies. */
  upcast<T = unknown>(event: EventEnvelope): EventEnvelope<T> {
    const byVersion = this.upcasters.get(event.type);
    if (!byVersion?.has(event.schemaVersion)) return event as EventEnvelope<T>;
    let current = event;
    for (
      let upcast = byVersion.get(current.schemaVersion);
      upcast;
      upcast = byVersion.get(current.schemaVersion)
    ) {
      current = {
        ...current,
        data: upcast(current.data, current),
        schemaVersion: current.schemaVersion + 1,
      };
    }
    return current as EventEnvelope<T>;
  }
}
