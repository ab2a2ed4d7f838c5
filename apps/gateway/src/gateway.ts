import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { serviceFor } from './routes';

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

const ERROR = { 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Unavailable' } as const;
const error = (statusCode: keyof typeof ERROR, message: string) => ({
  statusCode,
  error: ERROR[statusCode],
  message,
});

async function readiness(
  upstreams: Map<string, URL>,
): Promise<{ ok: boolean; services: Record<string, string> }> {
  const services: Record<string, string> = {};
  await Promise.all(
    [...upstreams].map(async ([name, base]) => {
      try {
        const res = await fetch(new URL('/health/ready', base), {
          signal: AbortSignal.timeout(3_000),
        });
        services[name] = res.ok ? 'up' : `down (${res.status})`;
      } catch (e) {
        services[name] = `down (${e instanceof Error ? e.message : String(e)})`;
      }
    }),
  );
  return { ok: Object.values(services).every((s) => s === 'up'), services };
}

/**
 * One address for the distributed services: forwards each request, unchanged, to the
 * service owning its path. Holds no state and makes no decisions.
 */
export function createGateway(upstreams: Map<string, URL>): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    if (path === '/health/live') return sendJson(res, 200, { status: 'ok' });
    if (path === '/health/ready') {
      void readiness(upstreams).then((r) =>
        sendJson(res, r.ok ? 200 : 503, { status: r.ok ? 'ok' : 'error', ...r }),
      );
      return;
    }
    const service = serviceFor(path);
    const base = service ? upstreams.get(service) : undefined;
    if (!service || !base)
      return sendJson(res, 404, error(404, `No service serves ${path.split('?')[0]}`));
    const upstream = request(
      {
        hostname: base.hostname,
        port: base.port,
        path,
        method: req.method,
        headers: { ...req.headers, host: base.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent)
        sendJson(res, 503, error(503, `The ${service} service is not answering; retry shortly`));
      else res.destroy();
    });
    req.pipe(upstream);
  });
}
