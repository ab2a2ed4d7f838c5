import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcurrencyError, NO_STREAM, type EventStore } from '../store/event-store';
import { requireEngine } from '@pcp/testing';
import { PostgresEventStore } from '../store/postgres/postgres-event-store';
import type { Decider } from './decider';
import { DomainRuleError, NotFoundError } from './errors';
import {
  CommandHandler,
  aggregateStreamId,
  handleCommand,
  loadAggregate,
  type CommandMetadata,
  type HandleCommandOptions,
} from './handle-command';
import {
  pilotDecider,
  type PilotCommand,
  type PilotEvent,
  type PilotState,
} from './__fixtures__/pilot-decider';

const metadata: CommandMetadata = {
  actor: { userId: 'u-ana', org: 'org-a', roles: ['procurer'] },
  correlationId: 'corr-1',
  causationId: 'evt-0',
  reason: 'kick-off meeting held',
};
const plan: PilotCommand = { type: 'PlanPilot', title: 'Remote ECG', kpis: ['readmissions'] };
const measure = (value: number): PilotCommand => ({
  type: 'RecordMeasurement',
  kpi: 'readmissions',
  value,
});

/** The decider, counting its decisions. */
function counted(decider = pilotDecider) {
  const calls = { decide: 0 };
  const wrapped: Decider<PilotCommand, PilotState, PilotEvent> = {
    ...decider,
    decide: (command, state) => {
      calls.decide++;
      return decider.decide(command, state);
    },
  };
  return { decider: wrapped, calls };
}

interface OpenedStore {
  store: EventStore;
  /** Another instance on the same database, as another process would have. */
  another: () => Promise<EventStore>;
  dispose: () => Promise<void>;
}

/** Pauses each store's first read until `count` of them have read: they all see one revision. */
function sameRevisionFor(count: number) {
  let arrived = 0;
  let release: () => void = () => undefined;
  const everyone = new Promise<void>((resolve) => (release = resolve));
  return (store: EventStore): EventStore => {
    const gated = Object.create(store) as EventStore;
    let first = true;
    gated.readStream = async (...args) => {
      const events = await store.readStream(...args);
      if (first) {
        first = false;
        if (++arrived >= count) release();
        await everyone;
      }
      return events;
    };
    return gated;
  };
}

/** The runtime against one real store; `open` gives a store, `dispose` cleans up after it. */
function runtimeSuite(name: string, open: () => Promise<OpenedStore>) {
  describe(`handleCommand on ${name}`, () => {
    let store: EventStore;
    let another: () => Promise<EventStore>;
    let dispose: () => Promise<void>;
    const newStream = () => aggregateStreamId('pilots', 'pilot', randomUUID());
    const run = (
      streamId: string,
      command: PilotCommand,
      extra: Partial<HandleCommandOptions<PilotCommand, PilotState, PilotEvent>> = {},
    ) => handleCommand(store, { streamId, decider: pilotDecider, command, metadata, ...extra });
    const started = async () => {
      const streamId = newStream();
      await run(streamId, plan);
      await run(streamId, { type: 'StartPilot' });
      return streamId;
    };

    beforeAll(async () => {
      ({ store, another, dispose } = await open());
    });
    afterAll(() => dispose());

    it('starts a stream and copies the metadata into every event', async () => {
      const streamId = newStream();
      const at = new Date('2030-05-01T10:00:00.000Z');
      const result = await run(streamId, plan, { now: () => at });
      expect(result.revision).toBe(0n);
      expect(result.state).toEqual({ status: 'PLANNED', kpis: ['readmissions'], measurements: 0 });
      expect(result.events).toHaveLength(1);

      const [stored] = await store.readStream(streamId);
      expect(stored).toMatchObject({
        type: 'PilotPlanned',
        schemaVersion: 1,
        streamId,
        revision: 0n,
        data: { title: 'Remote ECG', kpis: ['readmissions'] },
        actor: metadata.actor,
        reason: 'kick-off meeting held',
        correlationId: 'corr-1',
        causationId: 'evt-0',
        occurredAt: at.toISOString(),
      });
      expect(result.events[0].id).toBe(stored.id);
    });

    it('decides against the folded stream and appends after it', async () => {
      const streamId = await started();
      const result = await run(streamId, measure(4));
      expect(result.revision).toBe(2n);
      expect(result.state.measurements).toBe(1);
      expect((await store.readStream(streamId)).map((e) => e.type)).toEqual([
        'PilotPlanned',
        'PilotStarted',
        'MeasurementRecorded',
      ]);
    });

    it("prefers the event's own reason over the command's", async () => {
      const streamId = await started();
      await run(
        streamId,
        { type: 'CompletePilot', reason: 'targets met' },
        { metadata: { ...metadata, reason: 'other' } },
      );
      const events = await store.readStream(streamId);
      expect(events[2].reason).toBe('targets met');
      expect(events[1].reason).toBe('kick-off meeting held');
    });

    it('appends nothing when the decider records nothing', async () => {
      const streamId = await started();
      const result = await run(streamId, { type: 'StartPilot' });
      expect(result).toMatchObject({ revision: 1n, events: [] });
      expect(await store.readStream(streamId)).toHaveLength(2);
    });

    it('appends nothing when the decider refuses', async () => {
      const missing = newStream();
      await expect(run(missing, { type: 'StartPilot' })).rejects.toThrow(NotFoundError);
      expect(await store.readStream(missing)).toEqual([]);

      const streamId = await started();
      await expect(
        run(streamId, { type: 'RecordMeasurement', kpi: 'cost', value: 1 }),
      ).rejects.toThrow(DomainRuleError);
      expect(await store.readStream(streamId)).toHaveLength(2);
    });

    it('accepts a matching expected revision', async () => {
      const streamId = await started();
      const result = await run(streamId, measure(3), { expectedRevision: 1n });
      expect(result.revision).toBe(2n);
    });

    it('fails at once on a stale expected revision, with the current revision, without deciding', async () => {
      const streamId = await started();
      await run(streamId, measure(1));
      const { decider, calls } = counted();
      const error = await handleCommand(store, {
        streamId,
        decider,
        command: measure(2),
        metadata,
        expectedRevision: 1n,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect((error as ConcurrencyError).actual).toBe(2n);
      expect((error as ConcurrencyError).expected).toBe(1n);
      expect(calls.decide).toBe(0);
      expect(await store.readStream(streamId)).toHaveLength(3);
    });

    it('starts a stream expected not to exist without reading it', async () => {
      const streamId = newStream();
      const unread = Object.create(store) as EventStore;
      unread.readStream = () => Promise.reject(new Error('read a stream expected not to exist'));
      const result = await handleCommand(unread, {
        streamId,
        decider: pilotDecider,
        command: plan,
        metadata,
        expectedRevision: NO_STREAM,
      });
      expect(result.revision).toBe(0n);
      expect(result.stream.map((e) => e.type)).toEqual(['PilotPlanned']);
      expect(await store.readStream(streamId)).toHaveLength(1);
    });

    it('refuses to start a stream that exists, with its revision, appending nothing', async () => {
      const streamId = await started();
      const error = await run(streamId, plan, { expectedRevision: NO_STREAM }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect((error as ConcurrencyError).actual).toBe(1n);
      expect(await store.readStream(streamId)).toHaveLength(2);
    });

    it('reports a missing stream as null to an expected revision', async () => {
      const error = await run(newStream(), plan, { expectedRevision: 0n }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect((error as ConcurrencyError).actual).toBeNull();
    });

    it('converges when 20 writers race on one stream without If-Match', async () => {
      const streamId = await started();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => run(streamId, measure(i))),
      );
      const events = await store.readStream(streamId);
      expect(events).toHaveLength(22);
      expect(events.slice(2).every((e) => e.type === 'MeasurementRecorded')).toBe(true);
      expect(new Set(results.map((r) => r.revision))).toEqual(
        new Set(Array.from({ length: 20 }, (_, i) => BigInt(i + 2))),
      );
      expect(
        events
          .slice(2)
          .map((e) => (e.data as { value: number }).value)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect((await loadAggregate(store, streamId, pilotDecider)).state.measurements).toBe(20);
    });

    it('lets one of the writers that read the same revision win; without retries the others fail', async () => {
      const streamId = await started();
      const others = await Promise.all([1, 2, 3, 4].map(() => another()));
      try {
        const gate = sameRevisionFor(5);
        const writers = [store, ...others].map(gate);
        const settled = await Promise.allSettled(
          writers.map((writer, i) =>
            handleCommand(writer, {
              streamId,
              decider: pilotDecider,
              command: measure(i),
              metadata,
              maxRetries: 0,
            }),
          ),
        );
        expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
        for (const s of settled.filter((s) => s.status === 'rejected')) {
          expect((s as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
        }
        expect(await store.readStream(streamId)).toHaveLength(3);
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
    });

    it('retries those writers until every one of them is recorded', async () => {
      const streamId = await started();
      const others = await Promise.all([1, 2, 3, 4].map(() => another()));
      try {
        const gate = sameRevisionFor(5);
        const writers = [store, ...others].map(gate);
        const results = await Promise.all(
          writers.map((writer, i) =>
            handleCommand(writer, {
              streamId,
              decider: pilotDecider,
              command: measure(i),
              metadata,
            }),
          ),
        );
        expect(results.map((r) => r.revision).sort()).toEqual([2n, 3n, 4n, 5n, 6n]);
        expect(await store.readStream(streamId)).toHaveLength(7);
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
    });

    it('converges when 20 writers in 4 processes race on one stream', async () => {
      const streamId = await started();
      const others = await Promise.all([1, 2, 3].map(() => another()));
      try {
        const writers = [store, ...others];
        // A writer only loses to another writer's append, so 19 retries always suffice for 20
        // writers; the default 5 would make the outcome depend on the machine's scheduling.
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            handleCommand(writers[i % 4], {
              streamId,
              decider: pilotDecider,
              command: measure(i),
              metadata,
              maxRetries: 19,
            }),
          ),
        );
        expect(new Set(results.map((r) => r.revision)).size).toBe(20);
        expect(await store.readStream(streamId)).toHaveLength(22);
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
    });

    it('gives up after maxRetries when another writer always wins, with the current revision', async () => {
      const streamId = await started();
      const { decider, calls } = counted();
      // The same store, except that someone else appends to the stream just before each append.
      const contested = Object.create(store) as EventStore;
      contested.append = async (id, events, expected) => {
        await store.append(
          id,
          [
            {
              type: 'MeasurementRecorded',
              data: { kpi: 'readmissions', value: -1 },
              actor: metadata.actor,
              correlationId: 'rival',
            },
          ],
          'ANY',
        );
        return store.append(id, events, expected);
      };
      const error = await handleCommand(contested, {
        streamId,
        decider,
        command: measure(9),
        metadata,
        maxRetries: 3,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(calls.decide).toBe(4);
      const events = await store.readStream(streamId);
      expect(events.filter((e) => e.correlationId === 'rival')).toHaveLength(4);
      expect(
        events.some(
          (e) => e.correlationId === 'corr-1' && (e.data as { value: number }).value === 9,
        ),
      ).toBe(false);
      expect((error as ConcurrencyError).actual).toBe(events[events.length - 1].revision);
    });

    it('answers with the stream up to its revision, as a read of the stream would', async () => {
      const streamId = await started();
      const result = await run(streamId, measure(5));
      expect(result.stream).toEqual(await store.readStream(streamId, { to: result.revision }));
      expect(result.stream.map((e) => e.type)).toEqual([
        'PilotPlanned',
        'PilotStarted',
        'MeasurementRecorded',
      ]);
      // a command that records nothing answers with the stream as it found it
      const unchanged = await run(streamId, { type: 'StartPilot' });
      expect(unchanged.events).toEqual([]);
      expect(unchanged.stream).toEqual(await store.readStream(streamId));
    });

    it('loads the state as it was at an earlier time', async () => {
      const streamId = await started();
      await new Promise((resolve) => setTimeout(resolve, 30));
      const between = new Date();
      await new Promise((resolve) => setTimeout(resolve, 30));
      await run(streamId, measure(5));
      expect((await loadAggregate(store, streamId, pilotDecider)).state.measurements).toBe(1);
      const then = await loadAggregate(store, streamId, pilotDecider, { asOf: between });
      expect({ ...then, events: then.events.map((e) => [e.type, e.revision]) }).toEqual({
        state: { status: 'RUNNING', kpis: ['readmissions'], measurements: 0 },
        revision: 1n,
        events: [
          ['PilotPlanned', 0n],
          ['PilotStarted', 1n],
        ],
      });
      expect(await loadAggregate(store, newStream(), pilotDecider)).toEqual({
        state: pilotDecider.initialState(),
        revision: null,
        events: [],
      });
    });

    it('reads old event shapes through toEvent (upcasting)', async () => {
      const streamId = newStream();
      // Version 1 of PilotPlanned had a single `kpi` string.
      await store.append(
        streamId,
        [
          {
            type: 'PilotPlanned',
            schemaVersion: 1,
            data: { title: 'Old', kpi: 'waiting' },
            actor: metadata.actor,
            correlationId: 'c',
          },
        ],
        'NO_STREAM',
      );
      const handler = new CommandHandler(store, pilotDecider, {
        toEvent: (envelope) =>
          envelope.type === 'PilotPlanned' && 'kpi' in (envelope.data as object)
            ? {
                type: 'PilotPlanned',
                data: {
                  title: (envelope.data as { title: string }).title,
                  kpis: [(envelope.data as { kpi: string }).kpi],
                },
              }
            : ({ type: envelope.type, data: envelope.data } as PilotEvent),
      });
      expect((await handler.load(streamId)).state.kpis).toEqual(['waiting']);
      await handler.handle(streamId, { type: 'StartPilot' }, metadata);
      const result = await handler.handle(
        streamId,
        { type: 'RecordMeasurement', kpi: 'waiting', value: 12 },
        metadata,
        1n,
      );
      expect(result).toMatchObject({ revision: 2n, state: { status: 'RUNNING', measurements: 1 } });
    });
  });
}

runtimeSuite('the PostgreSQL store on PGlite', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-decider-'));
  const store = await PostgresEventStore.embedded(dataDir);
  return {
    store,
    another: () => PostgresEventStore.embedded(dataDir),
    dispose: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

// A server runs the racing writers on parallel connections, unlike PGlite's single one.
runtimeSuite('the PostgreSQL store on a PostgreSQL server', async () => {
  const schema = `decider_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const store = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
  return {
    store,
    another: () => PostgresEventStore.connect(requireEngine('postgres'), { schema }),
    dispose: async () => {
      await store.client.exec(`DROP SCHEMA ${schema} CASCADE`);
      await store.close();
    },
  };
});
