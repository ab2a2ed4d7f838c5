import { createGateway } from './gateway';
import { portFrom, upstreamsFrom } from './routes';

// The distributed setup's single address: routes each path to the service that owns it.
const host = process.env.HOST ?? '127.0.0.1';
let port: number;
let upstreams;
try {
  port = portFrom(process.env);
  upstreams = upstreamsFrom(process.env);
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
const server = createGateway(upstreams);
server.listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(
    `${JSON.stringify({ level: 30, service: 'gateway', msg: `listening on http://${host}:${actual}`, routes: Object.fromEntries([...upstreams].map(([k, v]) => [k, v.href])) })}\n`,
  );
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
