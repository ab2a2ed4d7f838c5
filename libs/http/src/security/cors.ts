import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'Idempotency-Key',
  'X-Correlation-Id',
  'X-Causation-Id',
].join(', ');
const EXPOSED_HEADERS = ['Location', 'Retry-After', 'X-Correlation-Id'].join(', ');
/** Browsers may reuse a preflight answer this long (seconds). */
const PREFLIGHT_MAX_AGE = '600';

/** Parses CORS_ORIGINS: a comma-separated list, empty when cross-origin access is off. */
export function corsOrigins(setting: string | undefined): string[] {
  return (setting ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
}

/**
 * Cross-origin access for an allow-list of browser origins. Other origins get no CORS
 * headers, so browsers keep their pages from reading the answers. Bearer tokens travel
 * in a header, never in cookies: credentials mode is not needed.
 */
export function corsPolicy(origins: readonly string[]) {
  const allowed = new Set(origins);
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    appendVary(res, 'Origin');
    const origin = req.headers.origin;
    if (!origin || !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
      res.statusCode = 204;
      res.end();
      return;
    }
    next();
  };
}

function appendVary(res: ServerResponse, field: string): void {
  const current = res.getHeader('Vary');
  const fields = current === undefined ? [] : String(current).split(/\s*,\s*/);
  if (!fields.includes(field)) res.setHeader('Vary', [...fields, field].join(', '));
}
