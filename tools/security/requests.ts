import { randomUUID } from 'node:crypto';
import { type Caller, type MatrixCell, meets, plan } from './authorisation-matrix';
import type { Route } from './route-catalogue';
import { inBatches } from './platform';

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** One request to the system under test, as a caller with `token` (none: anonymous). */
export type Send = (method: string, path: string, token?: string, body?: unknown) => Promise<Reply>;

/** Requests to the address `baseUrl()` gives when each is sent (known once the system runs). */
export function sender(baseUrl: () => string): Send {
  return async (method, path, token, body) => {
    const res = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(method === 'GET' ? {} : { 'Content-Type': 'application/json' }),
      },
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    });
    const json = (res.headers.get('content-type') ?? '').includes('json');
    const reply = json
      ? ((await res.json()) as Record<string, unknown>)
      : { text: await res.text() };
    return { status: res.status, body: reply };
  };
}

/** Sends until the answer is a success or `retryForMs` has passed; the last answer. */
export async function untilTaken(
  request: () => Promise<Reply>,
  retryForMs: number,
): Promise<Reply> {
  const until = Date.now() + retryForMs;
  let res = await request();
  while (res.status >= 300 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    res = await request();
  }
  return res;
}

/**
 * A step the caller may take, sent until it is taken (see untilTaken); its answer's body, or
 * an error naming the step and the last answer.
 */
export async function takeStep(
  send: Send,
  retryForMs: number,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply['body']> {
  const res = await untilTaken(() => send(method, path, token, body), retryForMs);
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A path with its parameters filled: ids that exist nowhere, phase numbers that do. */
export function concretePath(path: string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => (name === 'n' ? '1' : randomUUID()));
}

/** Every route asked by every caller (eight at a time), with the status each got. */
export function matrixCells(
  routes: Route[],
  tokens: ReadonlyMap<Caller, string | undefined>,
  send: Send,
): Promise<MatrixCell[]> {
  return inBatches(plan(routes), 8, async (r) => ({
    ...r,
    status: (await send(r.route.method, concretePath(r.route.path), tokens.get(r.caller))).status,
  }));
}

/** The cells that break their rule, one readable line each. */
export function brokenCells(cells: MatrixCell[]): string[] {
  return cells
    .filter((c) => !meets(c.expected, c.status))
    .map(
      (c) =>
        `${c.route.method} ${c.route.path} as ${c.caller}: ${c.status}, expected ${c.expected}`,
    );
}
