import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../integrity/canonical-json';
import { eventHash, findChainBreak, GENESIS_HASH } from '../integrity/hash-chain';
import { envelopeToJson, stringifyWithBigInts } from './envelope-json';
import {
  ANY,
  BEFORE_FIRST,
  ConcurrencyError,
  type EventEnvelope,
  EventIdConflictError,
  type EventStore,
  type ExpectedRevision,
  InvalidAppendError,
  type NewEvent,
  NO_STREAM,
  STREAM_EXISTS,
  systemActor,
} from './event-store';

export interface ContractOptions {
  /** Events the concurrent writers append in the ordering test (default 20,000). */
  concurrentEvents?: number;
  /** Writers in the ordering test (default 16). */
  writers?: number;
}

const actor = systemActor('contract');

export function newEvent(type = 'ThingHappened', data: unknown = { n: 1 }, id?: string): NewEvent {
  return { id, type, data, actor, correlationId: randomUUID(), reason: null };
}

const events = (count: number, type = 'ThingHappened'): NewEvent[] =>
  Array.from({ length: count }, (_, n) => newEvent(type, { n }));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The behaviour every EventStore adapter must show. `open` is called once per suite; each
 * test works on fresh stream ids so the tests share one store.
 */
export function eventStoreContract(
  name: string,
  open: () => Promise<EventStore>,
  options: ContractOptions = {},
): void {
  const concurrentEvents = options.concurrentEvents ?? 20_000;
  const writers = options.writers ?? 16;

  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let prefix: string;
    const stream = (suffix: string) => `${prefix}-${suffix}`;

    beforeAll(async () => {
      store = await open();
    }, 120_000);
    afterAll(async () => {
      await store?.close();
    });
    beforeEach(() => {
      prefix = `c${randomUUID().slice(0, 8)}`;
    });

    describe('append', () => {
      it('numbers a new stream from 0, chains hashes and orders positions', async () => {
        const result = await store.append(stream('a'), events(3), NO_STREAM);
        expect(result.lastRevision).toBe(2n);
        expect(result.appended.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
        expect(result.appended[0].prevHash).toBe(GENESIS_HASH);
        expect(result.appended[1].prevHash).toBe(result.appended[0].hash);
        for (const event of result.appended) expect(event.hash).toBe(eventHash(event));
        const read = await store.readStream(stream('a'));
        expect(read.map((event) => event.hash)).toEqual(result.appended.map((event) => event.hash));
        expect(read.map((event) => event.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
        expect(findChainBreak(stream('a'), read)).toBeNull();
        const positions = read.map((event) => event.globalPosition);
        expect(positions[1] > positions[0] && positions[2] > positions[1]).toBe(true);
        expect(read[2].globalPosition).toBe(result.lastPosition);
      });

      it('keeps every envelope field as given', async () => {
        const id = randomUUID();
        const causationId = randomUUID();
        const occurredAt = '2024-02-29T12:34:56.789Z';
        const given: NewEvent = {
          id,
          type: 'NeedPublished',
          schemaVersion: 3,
          data: {
            title: 'Smart lighting',
            budget: { amount: 125000.5, currency: 'EUR' },
            tags: ['iot', 'energy'],
          },
          occurredAt,
          actor: { userId: 'u-1', org: 'org-9', roles: ['buyer'] },
          reason: 'published after review',
          correlationId: 'corr-1',
          causationId,
        };
        const before = Date.now();
        await store.append(stream('fields'), [given], NO_STREAM);
        const [event] = await store.readStream(stream('fields'));
        expect(event).toMatchObject({
          id,
          type: 'NeedPublished',
          schemaVersion: 3,
          streamId: stream('fields'),
          revision: 0n,
          occurredAt,
          actor: { userId: 'u-1', org: 'org-9', roles: ['buyer'] },
          reason: 'published after review',
          correlationId: 'corr-1',
          causationId,
          data: given.data,
        });
        expect(Math.abs(Date.parse(event.recordedAt) - before)).toBeLessThan(60_000);
        expect(event.hash).toBe(eventHash(event));
      });

      it('enforces NO_STREAM', async () => {
        await store.append(stream('x'), events(2), NO_STREAM);
        const error = await rejection(store.append(stream('x'), events(1), NO_STREAM));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect((error as ConcurrencyError).actual).toBe(1n);
        expect((error as ConcurrencyError).expected).toBe(NO_STREAM);
        expect(await store.readStream(stream('x'))).toHaveLength(2);
      });

      it('enforces STREAM_EXISTS', async () => {
        const error = await rejection(store.append(stream('y'), events(1), STREAM_EXISTS));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect((error as ConcurrencyError).actual).toBeNull();
        expect(await store.readStream(stream('y'))).toEqual([]);
        await store.append(stream('y'), events(1), ANY);
        const result = await store.append(stream('y'), events(1), STREAM_EXISTS);
        expect(result.lastRevision).toBe(1n);
      });

      it('enforces an exact revision', async () => {
        const missing = await rejection(store.append(stream('z'), events(1), 0n));
        expect(missing).toBeInstanceOf(ConcurrencyError);
        expect((missing as ConcurrencyError).actual).toBeNull();
        await store.append(stream('z'), events(3), NO_STREAM);
        for (const wrong of [0n, 1n, 3n, 9_007_199_254_740_993n]) {
          const error = await rejection(store.append(stream('z'), events(1), wrong));
          expect(error).toBeInstanceOf(ConcurrencyError);
          expect((error as ConcurrencyError).actual).toBe(2n);
          expect((error as ConcurrencyError).expected).toBe(wrong);
        }
        const result = await store.append(stream('z'), events(2), 2n);
        expect(result.lastRevision).toBe(4n);
        expect(result.appended.map((event) => event.revision)).toEqual([3n, 4n]);
      });

      it('accepts ANY on a new and on an existing stream', async () => {
        expect((await store.append(stream('any'), events(1), ANY)).lastRevision).toBe(0n);
        expect((await store.append(stream('any'), events(2), ANY)).lastRevision).toBe(2n);
      });

      it('lets exactly one of many concurrent appends at the same revision win', async () => {
        await store.append(stream('race'), events(1), NO_STREAM);
        const attempts = await Promise.allSettled(
          Array.from({ length: 8 }, () => store.append(stream('race'), events(2), 0n)),
        );
        const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
        const lost = attempts.filter(
          (attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected',
        );
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(7);
        for (const attempt of lost) {
          expect(attempt.reason).toBeInstanceOf(ConcurrencyError);
          expect((attempt.reason as ConcurrencyError).actual).toBe(2n);
        }
        const read = await store.readStream(stream('race'));
        expect(read.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
        expect(findChainBreak(stream('race'), read)).toBeNull();
      });

      it('lets exactly one concurrent creator of a stream win', async () => {
        const attempts = await Promise.allSettled(
          Array.from({ length: 6 }, () => store.append(stream('create'), events(1), NO_STREAM)),
        );
        expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
        for (const attempt of attempts) {
          if (attempt.status === 'rejected')
            expect(attempt.reason).toBeInstanceOf(ConcurrencyError);
        }
        expect(await store.readStream(stream('create'))).toHaveLength(1);
      });

      it('serialises concurrent ANY appends to one stream without losing any', async () => {
        await Promise.all(
          Array.from({ length: 10 }, () => store.append(stream('pile'), events(3), ANY)),
        );
        const read = await store.readStream(stream('pile'));
        expect(read.map((event) => event.revision)).toEqual(
          Array.from({ length: 30 }, (_, n) => BigInt(n)),
        );
        expect(findChainBreak(stream('pile'), read)).toBeNull();
      });

      it('treats a repeat of the same event ids as a no-op, whatever the expectation', async () => {
        const batch = [
          newEvent('A', { n: 1 }, randomUUID()),
          newEvent('B', { n: 2 }, randomUUID()),
        ];
        const first = await store.append(stream('idem'), batch, NO_STREAM);
        await store.append(stream('idem'), events(1), 1n);
        for (const expected of [NO_STREAM, 1n, ANY, STREAM_EXISTS, 7n] as ExpectedRevision[]) {
          const repeat = await store.append(stream('idem'), batch, expected);
          expect(repeat.appended).toEqual([]);
          expect(repeat.lastRevision).toBe(first.lastRevision);
          expect(repeat.lastPosition).toBe(first.lastPosition);
        }
        expect(await store.readStream(stream('idem'))).toHaveLength(3);
      });

      it('rejects a batch that repeats only some stored ids', async () => {
        const a = newEvent('A', {}, randomUUID());
        await store.append(stream('part'), [a], NO_STREAM);
        const error = await rejection(
          store.append(stream('part'), [a, newEvent('B', {}, randomUUID())], ANY),
        );
        expect(error).toBeInstanceOf(EventIdConflictError);
        expect((error as EventIdConflictError).repeatedIds).toEqual([a.id]);
        expect(await store.readStream(stream('part'))).toHaveLength(1);
      });

      it('allows the same event id in another stream', async () => {
        const id = randomUUID();
        await store.append(stream('one'), [newEvent('A', {}, id)], NO_STREAM);
        const other = await store.append(stream('two'), [newEvent('A', {}, id)], NO_STREAM);
        expect(other.appended).toHaveLength(1);
      });

      it('rejects malformed appends with InvalidAppendError', async () => {
        const bad: Array<[string, NewEvent[]]> = [
          [stream('bad'), []],
          [stream('bad'), [newEvent('A', {}, 'not-a-uuid')]],
          [stream('bad'), [{ ...newEvent('A'), occurredAt: 'yesterday' }]],
          [stream('bad'), [newEvent('$system')]],
          [stream('bad'), [newEvent('A', { n: Number.NaN })]],
          ['', [newEvent('A')]],
        ];
        const id = randomUUID();
        bad.push([stream('bad'), [newEvent('A', {}, id), newEvent('B', {}, id)]]);
        for (const [streamId, batch] of bad) {
          expect(await rejection(store.append(streamId, batch, ANY))).toBeInstanceOf(
            InvalidAppendError,
          );
        }
        expect(await store.readStream(stream('bad'))).toEqual([]);
      });
    });

    describe('readStream', () => {
      it('reads revision ranges and returns nothing for a missing stream', async () => {
        await store.append(stream('r'), events(10), NO_STREAM);
        const revisions = async (opts: { from?: bigint; to?: bigint }) =>
          (await store.readStream(stream('r'), opts)).map((event) => Number(event.revision));
        expect(await revisions({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(await revisions({ from: 7n })).toEqual([7, 8, 9]);
        expect(await revisions({ to: 2n })).toEqual([0, 1, 2]);
        expect(await revisions({ from: 3n, to: 5n })).toEqual([3, 4, 5]);
        expect(await revisions({ from: 12n })).toEqual([]);
        expect(await store.readStream(stream('nothing'))).toEqual([]);
      });

      it('reads the stream as it was at an instant (asOf)', async () => {
        await store.append(stream('t'), events(2), NO_STREAM);
        await sleep(30);
        const between = new Date();
        await sleep(30);
        await store.append(stream('t'), events(1), 1n);
        const then = await store.readStream(stream('t'), { asOf: between });
        expect(then.map((event) => event.revision)).toEqual([0n, 1n]);
        const thenIso = await store.readStream(stream('t'), { asOf: between.toISOString() });
        expect(thenIso).toHaveLength(2);
        expect(
          await store.readStream(stream('t'), { asOf: new Date(Date.now() + 60_000) }),
        ).toHaveLength(3);
        expect(await store.readStream(stream('t'), { asOf: '2000-01-01T00:00:00Z' })).toEqual([]);
      });
    });

    describe('readAll and stream heads', () => {
      it('reads every stream in global order after a position', async () => {
        const first = await store.append(stream('g1'), events(2), NO_STREAM);
        await store.append(stream('g2'), events(2), NO_STREAM);
        await store.append(stream('g1'), events(1), 1n);
        const start = first.appended[0].globalPosition;
        const mine: EventEnvelope[] = [];
        let after = start - 1n;
        for (;;) {
          const batch = await store.readAll(after, 2);
          if (batch.length === 0) break;
          expect(batch.length).toBeLessThanOrEqual(2);
          mine.push(...batch.filter((event) => event.streamId.startsWith(prefix)));
          after = batch[batch.length - 1].globalPosition;
        }
        expect(
          mine.map((event) => `${event.streamId.slice(prefix.length)}@${event.revision}`),
        ).toEqual(['-g1@0', '-g1@1', '-g2@0', '-g2@1', '-g1@2']);
        expect((await store.readAll(after, 10)).length).toBe(0);
        const fromStart = await store.readAll(BEFORE_FIRST, 1);
        expect(fromStart).toHaveLength(1);
      });

      it('lists each stream head with its last revision and hash', async () => {
        const a = await store.append(stream('h1'), events(3), NO_STREAM);
        const b = await store.append(stream('h2'), events(1), NO_STREAM);
        const heads = (await store.streamHeads()).filter((head) =>
          head.streamId.startsWith(prefix),
        );
        expect(heads).toEqual([
          { streamId: stream('h1'), revision: 2n, hash: a.appended[2].hash },
          { streamId: stream('h2'), revision: 0n, hash: b.appended[0].hash },
        ]);
      });
    });

    describe('serialisation', () => {
      it('writes revisions and positions as decimal strings in JSON', async () => {
        const { appended } = await store.append(stream('json'), events(1), NO_STREAM);
        const json = JSON.parse(JSON.stringify(envelopeToJson(appended[0])));
        expect(json.revision).toBe('0');
        expect(json.globalPosition).toBe(appended[0].globalPosition.toString());
        const huge = {
          ...appended[0],
          revision: 9_223_372_036_854_775_807n,
          globalPosition: 2n ** 62n + 1n,
        };
        const hugeJson = JSON.parse(JSON.stringify(envelopeToJson(huge)));
        expect(hugeJson.revision).toBe('9223372036854775807');
        expect(hugeJson.globalPosition).toBe('4611686018427387905');
        expect(JSON.parse(stringifyWithBigInts({ lastRevision: 2n ** 60n })).lastRevision).toBe(
          '1152921504606846976',
        );
        expect(canonicalJson({ revision: 2n ** 64n })).toBe('{"revision":"18446744073709551616"}');
      });
    });

    describe('subscriptions', () => {
      it(`delivers every event exactly once in global order while ${writers} writers append ${concurrentEvents}`, async () => {
        const seen: EventEnvelope[] = [];
        const positions: bigint[] = [];
        const subscription = store.subscribe(
          `${prefix}-ordering`,
          (event) => {
            positions.push(event.globalPosition);
            if (event.streamId.startsWith(prefix)) seen.push(event);
          },
          { batchSize: 1000, pollIntervalMs: 20 },
        );
        const streams = 64;
        const perWriter = Math.ceil(concurrentEvents / writers);
        const written: string[] = [];
        const started = Date.now();
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            let left = perWriter;
            let turn = 0;
            while (left > 0) {
              const size = Math.min(left, 1 + ((writer + turn) % 20));
              const batch = Array.from({ length: size }, (__, n) =>
                newEvent('Written', { writer, turn, n }, randomUUID()),
              );
              const streamId = stream(`w${(writer * 7 + turn) % streams}`);
              await store.append(streamId, batch, ANY);
              for (const event of batch) written.push(event.id as string);
              left -= size;
              turn += 1;
            }
          }),
        );
        const appendMs = Date.now() - started;
        await until(
          () => seen.length >= written.length,
          120_000,
          `${written.length} events in the subscriber`,
        );
        await subscription.stop();
        await expect(subscription.done).resolves.toBeUndefined();
        process.stdout.write(
          `[${name}] ${written.length} events by ${writers} writers in ${appendMs} ms; delivered after ${Date.now() - started} ms\n`,
        );

        expect(seen).toHaveLength(written.length);
        expect(new Set(seen.map((event) => event.id))).toEqual(new Set(written));
        for (let i = 1; i < positions.length; i += 1) {
          if (positions[i] <= positions[i - 1])
            throw new Error(`position ${positions[i]} after ${positions[i - 1]}`);
        }
        // Each stream's events reach the subscriber in revision order.
        const lastRevision = new Map<string, bigint>();
        for (const event of seen) {
          expect(event.revision).toBe((lastRevision.get(event.streamId) ?? -1n) + 1n);
          lastRevision.set(event.streamId, event.revision);
        }
        expect(await store.readCheckpoint(`${prefix}-ordering`)).toBe(
          positions[positions.length - 1],
        );
      }, 240_000);

      it('resumes a stopped subscription from its checkpoint without gaps or repeats', async () => {
        const name = `${prefix}-resume`;
        const appended = (await store.append(stream('s'), events(50), NO_STREAM)).appended;
        const ids = appended.map((event) => event.id);
        const firstRun: string[] = [];
        const first = store.subscribe(
          name,
          (event) => {
            if (!event.streamId.startsWith(prefix)) return;
            firstRun.push(event.id);
            if (firstRun.length === 20) void first.stop();
          },
          { batchSize: 7 },
        );
        await first.done;
        expect(firstRun).toEqual(ids.slice(0, 20));
        expect(await store.readCheckpoint(name)).toBe(appended[19].globalPosition);

        const secondRun: string[] = [];
        const second = store.subscribe(
          name,
          (event) => {
            if (event.streamId.startsWith(prefix)) secondRun.push(event.id);
          },
          { batchSize: 7, pollIntervalMs: 10 },
        );
        await until(() => secondRun.length >= 30, 30_000, 'the rest of the events');
        await second.stop();
        expect(secondRun).toEqual(ids.slice(20));
        expect(await store.readCheckpoint(name)).toBeGreaterThanOrEqual(
          appended[49].globalPosition,
        );
      });

      it('reports the head position and starts a subscription over from a reset checkpoint', async () => {
        const name = `${prefix}-restart`;
        const last = await store.append(stream('h'), events(3), NO_STREAM);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(last.lastPosition);
        const seen: string[] = [];
        const first = store.subscribe(name, (event) => {
          if (event.streamId === stream('h')) seen.push(event.id);
        });
        await until(() => seen.length >= 3, 30_000, 'the first pass');
        await first.stop();
        await store.writeCheckpoint(name, BEFORE_FIRST);
        expect(await store.readCheckpoint(name)).toBe(BEFORE_FIRST);
        const again = store.subscribe(name, (event) => {
          if (event.streamId === stream('h')) seen.push(event.id);
        });
        await until(() => seen.length >= 6, 30_000, 'the second pass');
        await again.stop();
        expect(seen.slice(3)).toEqual(seen.slice(0, 3));
      });

      it('stops on a handler error, rejects done, and keeps the progress before it', async () => {
        const name = `${prefix}-fail`;
        const appended = (await store.append(stream('f'), events(10), NO_STREAM)).appended;
        const handled: bigint[] = [];
        const failing = store.subscribe(name, (event) => {
          if (!event.streamId.startsWith(prefix)) return;
          if (event.revision === 6n) throw new Error('projection failed');
          handled.push(event.revision);
        });
        await expect(failing.done).rejects.toThrow('projection failed');
        expect(handled).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
        expect(await store.readCheckpoint(name)).toBe(appended[5].globalPosition);

        const retried: bigint[] = [];
        const retry = store.subscribe(name, (event) => {
          if (event.streamId.startsWith(prefix)) retried.push(event.revision);
        });
        await until(() => retried.length >= 4, 30_000, 'the retried events');
        await retry.stop();
        expect(retried).toEqual([6n, 7n, 8n, 9n]);
      });

      it('hands only the wanted event types to the handler and still moves past the rest', async () => {
        const name = `${prefix}-types`;
        await store.append(
          stream('k'),
          [newEvent('Kept'), newEvent('Skipped'), newEvent('Kept')],
          NO_STREAM,
        );
        const last = await store.append(stream('k'), [newEvent('Skipped')], 2n);
        const types: string[] = [];
        const subscription = store.subscribe(
          name,
          (event) => {
            if (event.streamId.startsWith(prefix)) types.push(event.type);
          },
          { eventTypes: ['Kept'], pollIntervalMs: 10 },
        );
        await until(() => types.length >= 2, 30_000, 'the kept events');
        // The checkpoint passes the trailing skipped event too.
        const deadline = Date.now() + 10_000;
        while (
          ((await store.readCheckpoint(name)) ?? -1n) < last.lastPosition &&
          Date.now() < deadline
        )
          await sleep(20);
        await subscription.stop();
        expect(types).toEqual(['Kept', 'Kept']);
        expect(await store.readCheckpoint(name)).toBeGreaterThanOrEqual(last.lastPosition);
      });
    });
  });
}
