/**
 * Requests sent at a fixed rate, each at its own instant, over keep-alive connections, with
 * the latency of each counted from the instant it was due (a request that waits for a free
 * connection counts its wait). The client is kept lean, since it shares the machine with the
 * service it measures: every request is the same bytes written to a socket, and a response is
 * only read for its status and its end (Content-Length, or a chunked body's last chunk), and
 * the instants come from a pacer thread that sleeps until each is due instead of the sending
 * thread spinning through its last millisecond (a third of a core at 700 requests a second,
 * taken from the service on two cores). The client runs in a worker thread of its own, so
 * that a collection of the harness's heap (what earlier scenarios left there: a 47 ms
 * mark-compact landed in one half-load run) never stalls it while it times requests.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { now } from './measure';

export interface PacedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface PacedOptions {
  rate: number;
  /** Seconds whose latencies count. */
  seconds: number;
  /** Seconds sent first at the same rate, not counted (failures there count). */
  leadInSeconds: number;
  connections: number;
}

export interface PacedResult {
  /** Latencies of the counted requests answered 2xx, in ms, ascending. */
  latencies: number[];
  /** Answers other than 2xx, lead-in included. */
  failed: number;
  /** Connections lost or refused. */
  errors: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/** The bytes of one HTTP/1.1 request, written the same every time. */
export function requestBytes(request: PacedRequest): Buffer {
  const target = new URL(request.url);
  const body = Buffer.from(request.body, 'utf8');
  const lines = [
    `${request.method} ${target.pathname}${target.search} HTTP/1.1`,
    `host: ${target.host}`,
    'connection: keep-alive',
    `content-length: ${body.length}`,
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/**
 * Reads responses off one connection: `take` gets each one's status once its last byte came.
 * Answers to HEAD, 1xx, 204 and 304 are not expected here (a POST answered with a body).
 */
export class ResponseReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly take: (status: number) => void) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const end = this.buffered.indexOf(HEADER_END);
      if (end < 0) return;
      const head = this.buffered.toString('latin1', 0, end);
      const status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      let size: number;
      if (length) {
        size = end + 4 + Number(length[1]);
        if (this.buffered.length < size) return;
      } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        const last = this.buffered.indexOf(CHUNKED_END, end + 4);
        if (last < 0) return;
        size = last + CHUNKED_END.length;
      } else {
        size = end + 4;
      }
      this.buffered = this.buffered.subarray(size);
      this.take(status);
    }
  }
}

/**
 * The pacer thread: told the start instant, it sleeps (Atomics.wait, to the microsecond
 * rather than a timer's millisecond) until the next request is due and posts how many are
 * due by then. Both threads read the same monotonic clock.
 */
const PACER = `
const { parentPort, workerData } = require('node:worker_threads');
const { interval, total } = workerData;
const cell = new Int32Array(new SharedArrayBuffer(4));
const now = () => Number(process.hrtime.bigint()) / 1e6;
parentPort.once('message', (started) => {
  for (let due = 0; due < total; ) {
    const wait = started + due * interval - now();
    if (wait > 0) {
      Atomics.wait(cell, 0, 0, wait);
      continue;
    }
    while (due < total && started + due * interval <= now()) due += 1;
    parentPort.postMessage(due);
  }
});
parentPort.postMessage('ready');
`;

interface Connection {
  socket: Socket;
  /** When the request in flight was due; null when idle. */
  due: number | null;
}

/** The client thread: compiles the workspace's TypeScript as scripts/run-ts.sh does. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.register);
const { sendPaced } = require(workerData.module);
sendPaced(workerData.request, workerData.options).then((result) => parentPort.postMessage(result));
`;

/** Runs `sendPaced` in a worker thread of its own (see above) and returns what it measured. */
export async function pacedLoad(
  request: PacedRequest,
  options: PacedOptions,
): Promise<PacedResult> {
  const client = new Worker(CLIENT, {
    eval: true,
    workerData: {
      register: resolve(__dirname, '..', '..', 'scripts', 'lib', 'swc-register.js'),
      module: __filename,
      request,
      options,
    },
  });
  try {
    const [result] = (await Promise.race([
      once(client, 'message'),
      once(client, 'error').then(([error]) => Promise.reject(error as Error)),
    ])) as [PacedResult];
    return result;
  } finally {
    await client.terminate();
  }
}

/** Sends the requests from the calling thread; see pacedLoad. */
export async function sendPaced(
  request: PacedRequest,
  options: PacedOptions,
): Promise<PacedResult> {
  const target = new URL(request.url);
  const bytes = requestBytes(request);
  const total = Math.max(1, Math.round(options.rate * (options.seconds + options.leadInSeconds)));
  const latencies: number[] = [];
  let failed = 0;
  let errors = 0;
  let answered = 0;
  const waiting: number[] = [];
  let counted = Number.POSITIVE_INFINITY;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const settle = () => {
    answered += 1;
    if (answered === total) finish();
  };
  const send = (connection: Connection, due: number) => {
    connection.due = due;
    connection.socket.write(bytes);
  };
  const open = (): Promise<Connection> =>
    new Promise((resolve, reject) => {
      const socket = connect(Number(target.port), target.hostname);
      socket.setNoDelay(true);
      const connection: Connection = { socket, due: null };
      const reader = new ResponseReader((status) => {
        const due = connection.due;
        connection.due = null;
        if (due === null) return;
        if (status < 200 || status >= 300) failed += 1;
        else if (due >= counted) latencies.push(now() - due);
        settle();
        const next = waiting.shift();
        if (next !== undefined) send(connection, next);
      });
      socket.on('data', (chunk: Buffer) => reader.push(chunk));
      socket.once('connect', () => resolve(connection));
      // Refused before it opened; later errors end in 'close', which counts them.
      socket.on('error', reject);
      socket.on('close', () => {
        // A request in flight on a lost connection is an error, and no other goes there.
        if (connection.due !== null) {
          connection.due = null;
          errors += 1;
          settle();
        }
        const index = connections.indexOf(connection);
        if (index >= 0) connections.splice(index, 1);
        // With no connection left, the requests still queued never get an answer.
        if (connections.length === 0)
          for (; waiting.length > 0; waiting.shift()) {
            errors += 1;
            settle();
          }
      });
    });
  const connections: Connection[] = [];
  for (let i = 0; i < options.connections; i += 1) connections.push(await open());

  const dispatch = (due: number) => {
    const idle = connections.find((c) => c.due === null);
    if (idle) send(idle, due);
    else if (connections.length > 0) waiting.push(due);
    else {
      errors += 1;
      settle();
    }
  };
  const interval = 1000 / options.rate;
  const pacer = new Worker(PACER, { eval: true, workerData: { interval, total } });
  try {
    await once(pacer, 'message');
    const started = now();
    counted = started + options.leadInSeconds * 1000;
    let next = 0;
    pacer.on('message', (due: number) => {
      for (; next < due; next += 1) dispatch(started + next * interval);
    });
    pacer.postMessage(started);
    await Promise.race([
      finished,
      once(pacer, 'error').then(([error]) => Promise.reject(error as Error)),
    ]);
  } finally {
    await pacer.terminate();
    for (const connection of connections) connection.socket.destroy();
  }
  latencies.sort((a, b) => a - b);
  return { latencies, failed, errors };
}
