import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireEngine } from '@pcp/testing';
import { findChainBreak } from '../../integrity/hash-chain';
import { ConcurrencyError, type NewEvent, NO_STREAM, systemActor } from '../event-store';
import { PgSqlClient } from './pg-sql-client';
import { PgliteSqlClient } from './pglite-sql-client';
import { PostgresEventStore } from './postgres-event-store';
import type { SqlClient, SqlQueryable, SqlRow } from './sql-client';

const event = (n: number): NewEvent => ({
  type: 'ThingHappened',
  data: { n },
  actor: systemActor('known-heads'),
  correlationId: randomUUID(),
});

/** A client that counts the transactions it is asked for: the two-statement way of appending. */
class CountingClient implements SqlClient {
  transactions = 0;

  constructor(private readonly inner: SqlClient) {}

  query<R extends SqlRow = SqlRow>(text: string, params?: unknown[]): Promise<R[]> {
    return this.inner.query<R>(text, params);
  }

  exec(script: string): Promise<void> {
    return this.inner.exec(script);
  }

  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    this.transactions += 1;
    return this.inner.transaction(work);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function knownHeadBehaviour(name: string, connect: () => Promise<SqlClient>): void {
  describe(`Appends at known heads: ${name}`, () => {
    const schema = `es_heads_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    let counting: CountingClient;
    let writer: PostgresEventStore;
    let other: PostgresEventStore;

    beforeAll(async () => {
      counting = new CountingClient(await connect());
      writer = await PostgresEventStore.open(counting, { schema });
      other = await PostgresEventStore.open(await connect(), { schema });
    }, 60_000);
    afterAll(async () => {
      await writer?.client.exec(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await other?.close();
      await writer?.close();
    });

    it('writes a new stream, and the next events of a stream it wrote or read, in one statement', async () => {
      const stream = `thing-${randomUUID()}`;
      const before = counting.transactions;
      await writer.append(stream, [event(0)], NO_STREAM);
      await writer.append(stream, [event(1), event(2)], 0n);
      expect(counting.transactions).toBe(before);

      // Written by the other store: unknown here until read.
      const elsewhere = `thing-${randomUUID()}`;
      await other.append(elsewhere, [event(0)], NO_STREAM);
      const read = await writer.readStream(elsewhere);
      await writer.append(elsewhere, [event(1)], read[read.length - 1].revision);
      expect(counting.transactions).toBe(before);

      const stored = await writer.readStream(stream);
      expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect(findChainBreak(stream, stored)).toBeNull();
      const positions = stored.map((e) => e.globalPosition);
      expect(positions[1]).toBeGreaterThan(positions[0]);
      expect(positions[2]).toBe(positions[1] + 1n);
    });

    it('answers with the stored events, positions included', async () => {
      const stream = `thing-${randomUUID()}`;
      const result = await writer.append(stream, [event(0), event(1)], NO_STREAM);
      expect(await writer.readStream(stream)).toEqual(result.appended);
      expect(result.lastPosition).toBe(result.appended[1].globalPosition);
    });

    it('finds a head moved on by another writer, writes nothing on it, and tells the conflict', async () => {
      const stream = `thing-${randomUUID()}`;
      await writer.append(stream, [event(0)], NO_STREAM);
      await other.append(stream, [event(1)], 0n);

      // The writer still knows revision 0 as the head: the statement finds revision 1.
      const before = counting.transactions;
      const stale = writer.append(stream, [event(2)], 0n);
      await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(stale).rejects.toMatchObject({ actual: 1n });
      expect(counting.transactions).toBeGreaterThan(before);

      await writer.append(stream, [event(2)], 1n);
      const stored = await writer.readStream(stream);
      expect(stored.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2]);
      expect(findChainBreak(stream, stored)).toBeNull();
    });

    it('writes a stream begun elsewhere, expected not to exist, the two-statement way: a conflict', async () => {
      const stream = `thing-${randomUUID()}`;
      await other.append(stream, [event(0)], NO_STREAM);
      await expect(writer.append(stream, [event(0)], NO_STREAM)).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      expect(await writer.readStream(stream)).toHaveLength(1);
    });

    it("leaves a stream whose last event is recorded after this process's clock to the two statements", async () => {
      const stream = `thing-${randomUUID()}`;
      await writer.append(stream, [event(0)], NO_STREAM);
      // The stream's last event recorded ahead of this process's clock (another writer's).
      await writer.client.exec(
        `UPDATE ${schema}.events SET recorded_at = now() + interval '1 hour' WHERE stream_id = '${stream}'`,
      );
      const before = counting.transactions;
      await writer.append(stream, [event(1)], 0n);
      // The statement refused the known head; the two statements wrote the event.
      expect(counting.transactions).toBe(before + 1);
      expect(await writer.readStream(stream)).toHaveLength(2);
    });

    it('takes back a group the statement refused for a repeated id, and tells the repeat', async () => {
      const stream = `thing-${randomUUID()}`;
      const first = { ...event(0), id: randomUUID() };
      await writer.append(stream, [first], NO_STREAM);
      await writer.append(stream, [event(1)], 0n);
      // The same event again, expecting any revision: the head is known, the id is stored.
      const again = await writer.append(stream, [first], 'ANY');
      expect(again.appended).toEqual([]);
      expect(again.lastRevision).toBe(0n);
      expect(await writer.readStream(stream)).toHaveLength(2);
    });
  });
}

knownHeadBehaviour('PostgreSQL server', async () => new PgSqlClient(requireEngine('postgres')));

const dataDir = mkdtempSync(join(tmpdir(), 'pcp-known-heads-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
knownHeadBehaviour('PGlite', () => PgliteSqlClient.open(dataDir));
