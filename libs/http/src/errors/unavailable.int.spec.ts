import { createServer, type Server } from 'node:net';
import { PgSqlClient } from '@pcp/eventsourcing';
import { requireEngine } from '@pcp/testing';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { Client, Pool } from 'pg';
import { toApiError } from './api-exception.filter';
import { isUnavailable } from './unavailable';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A port that accepts connections and never answers: a store hanging mid-restart. */
async function silentServer(): Promise<{ port: number; server: Server }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

// The drivers' real failures when their server is gone or silent: each must become a 503
// (retry later), never a 500, and the message must not leak where the store lives.
describe('store unavailability is 503', () => {
  it('pg: a refused connection, a pool connect timeout and a server shutting down a session', async () => {
    const port = await closedPort();
    const refused = await failureOf(() =>
      new Pool({ connectionString: `postgres://pcp:pcp@127.0.0.1:${port}/x` }).query('select 1'),
    );
    expect(isUnavailable(refused)).toBe(true);
    expect(toApiError(refused)).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(toApiError(refused).message).not.toContain(String(port));

    const silent = await silentServer();
    try {
      const pool = new Pool({
        connectionString: `postgres://pcp:pcp@127.0.0.1:${silent.port}/x`,
        connectionTimeoutMillis: 300,
      });
      const timedOut = await failureOf(() => pool.query('select 1'));
      expect(toApiError(timedOut).statusCode).toBe(503);
      await pool.end();
    } finally {
      silent.server.close();
    }

    // A real server ends a session as it would on shutdown: SQLSTATE 57P01.
    const url = requireEngine('postgres');
    const victim = new Client({ connectionString: url });
    victim.on('error', () => undefined);
    await victim.connect();
    const [{ pid }] = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows;
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const terminated = await failureOf(async () => {
        await admin.query('select pg_terminate_backend($1)', [pid]);
        await victim.query('select 1');
      });
      expect(toApiError(terminated).statusCode).toBe(503);
    } finally {
      await admin.end();
      await victim.end().catch(() => undefined);
    }
  });

  it('mongoose: no server to select, and operations buffered while disconnected', async () => {
    const port = await closedPort();
    const connection = mongoose.createConnection(`mongodb://127.0.0.1:${port}/x`, {
      serverSelectionTimeoutMS: 300,
    });
    const selection = await failureOf(() => connection.asPromise());
    expect(isUnavailable(selection)).toBe(true);
    expect(toApiError(selection).statusCode).toBe(503);
    await connection.close().catch(() => undefined);

    const idle = mongoose.createConnection();
    (idle.config as { bufferTimeoutMS?: number }).bufferTimeoutMS = 200;
    const model = idle.model('unavailable_probe', new mongoose.Schema({ a: Number }));
    const started = Date.now();
    const buffered = await failureOf(() => model.findOne({}).exec());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(toApiError(buffered).statusCode).toBe(503);
    await idle.close();
  });

  it('kafkajs: no broker to connect to', async () => {
    const port = await closedPort();
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 50 },
      connectionTimeout: 300,
    });
    const producer = kafka.producer();
    const failure = await failureOf(() => producer.connect());
    expect(isUnavailable(failure)).toBe(true);
    expect(toApiError(failure).statusCode).toBe(503);
  });

  it("the event store's pg client gives up on a silent server within its connect timeout", async () => {
    const silent = await silentServer();
    const client = new PgSqlClient(`postgres://pcp:pcp@127.0.0.1:${silent.port}/x`);
    try {
      const started = Date.now();
      const failure = await failureOf(() => client.query('select 1'));
      expect(Date.now() - started).toBeLessThan(7_000);
      expect(toApiError(failure).statusCode).toBe(503);
    } finally {
      await client.close();
      silent.server.close();
    }
  });

  it("a NUL byte PostgreSQL refuses to store is the client's 400, not a 500", async () => {
    const pool = new Pool({ connectionString: requireEngine('postgres') });
    try {
      const refused = await failureOf(() => pool.query('SELECT $1::text AS t', ['a\u0000b']));
      expect((refused as { code?: string }).code).toBe('22021');
      expect(toApiError(refused)).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    } finally {
      await pool.end();
    }
  });

  it('leaves other errors alone', () => {
    expect(isUnavailable(new Error('x is undefined'))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isUnavailable(null)).toBe(false);
    expect(toApiError(new TypeError('boom')).statusCode).toBe(500);
  });
});
