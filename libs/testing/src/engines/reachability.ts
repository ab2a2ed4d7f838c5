import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** Whether a TCP connection to host:port opens within the timeout. */
export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether a Docker engine answers `GET /_ping`, asked through DOCKER_HOST or the default socket.
 * Bounded by the timeout so a missing or wedged daemon never stalls the test run.
 */
export function dockerAnswers(timeoutMs = 1500): Promise<boolean> {
  const dockerHost = process.env.DOCKER_HOST ?? '';
  let socket: Socket;
  if (dockerHost.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    socket = connect({ host: url.hostname, port: Number(url.port || 2375) });
  } else {
    const path = dockerHost.startsWith('unix://')
      ? dockerHost.slice('unix://'.length)
      : '/var/run/docker.sock';
    if (!existsSync(path)) return Promise.resolve(false);
    socket = connect({ path });
  }
  return new Promise((resolve) => {
    let reply = '';
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(/^HTTP\/1\.[01] 200/.test(reply));
    });
    socket.once('end', () => done(/^HTTP\/1\.[01] 200/.test(reply)));
  });
}
