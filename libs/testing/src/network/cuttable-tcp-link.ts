/**
 * A TCP forwarder on 127.0.0.1 that a test can cut and restore: while cut, connecting is
 * refused and open connections are reset, exactly what a client sees when its broker goes
 * away; the real broker keeps serving everyone else.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export class CuttableTcpLink {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  /** `port`: where to listen (0: any free port, chosen on the first `open`). */
  constructor(
    private readonly target: { host: string; port: number },
    port = 0,
  ) {
    this.boundPort = port;
  }

  get port(): number {
    if (!this.boundPort) throw new Error('The link has not been opened yet');
    return this.boundPort;
  }

  /** Opens the link (on the same port as before, once it has one). */
  async open(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, '127.0.0.1', () => resolve());
    });
    this.boundPort = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening and resets every open connection. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get isOpen(): boolean {
    return this.server !== null;
  }
}
