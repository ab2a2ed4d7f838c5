import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pacedLoad, requestBytes, ResponseReader } from './paced-load';

describe('ResponseReader', () => {
  it('tells each response once its last byte came, over chunks cut anywhere', () => {
    const statuses: number[] = [];
    const reader = new ResponseReader((status) => statuses.push(status));
    const wire = Buffer.from(
      'HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello' +
        'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
        'HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n',
    );
    for (let i = 0; i < wire.length; i += 7) {
      reader.push(wire.subarray(i, Math.min(wire.length, i + 7)));
      if (i === 14) expect(statuses).toEqual([]);
    }
    expect(statuses).toEqual([201, 200, 429]);
  });
});

describe('requestBytes', () => {
  it('writes one HTTP/1.1 request with its length, headers and body', () => {
    const text = requestBytes({
      url: 'http://127.0.0.1:3000/needs?x=1',
      method: 'POST',
      headers: { authorization: 'Bearer t' },
      body: '{"é":1}',
    }).toString('utf8');
    expect(text).toBe(
      'POST /needs?x=1 HTTP/1.1\r\nhost: 127.0.0.1:3000\r\nconnection: keep-alive\r\n' +
        'content-length: 8\r\nauthorization: Bearer t\r\n\r\n{"é":1}',
    );
  });
});

describe('pacedLoad', () => {
  let server: Server;
  let url: string;
  let seen = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen += 1;
        // Every tenth request refused; the others answered with what was sent.
        if (seen % 10 === 0) res.writeHead(503).end();
        else res.writeHead(201, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/needs`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends rate x (lead-in + seconds) requests and counts the latencies after the lead-in', async () => {
    seen = 0;
    const started = Date.now();
    const result = await pacedLoad(
      { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
      { rate: 200, seconds: 1, leadInSeconds: 0.5, connections: 4 },
    );
    expect(seen).toBe(300);
    expect(result.failed).toBe(30);
    expect(result.errors).toBe(0);
    // The 200 due after the lead-in, less the refused ones among them.
    expect(result.latencies).toHaveLength(180);
    expect(result.latencies[0]).toBeGreaterThanOrEqual(0);
    expect(result.latencies).toEqual([...result.latencies].sort((a, b) => a - b));
    // Paced, not sent at once: about a second and a half.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('counts the requests of a connection the server drops as errors', async () => {
    const dropping = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    const port = (dropping.address() as AddressInfo).port;
    try {
      const result = await pacedLoad(
        { url: `http://127.0.0.1:${port}/needs`, method: 'POST', headers: {}, body: '{}' },
        { rate: 100, seconds: 0.1, leadInSeconds: 0, connections: 2 },
      );
      expect(result.errors).toBe(10);
      expect(result.latencies).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => dropping.close(() => resolve()));
    }
  });
});
