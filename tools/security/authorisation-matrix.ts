import { ROLES, type AccessRule, type Role } from '@pcp/auth';
import { describeRule, type Route } from './route-catalogue';

/** Who knocks: a user with one role, or a caller whose token is missing or no good. */
export type Caller = Role | 'no token' | 'expired token' | 'forged token';
export const CALLERS: Caller[] = [...ROLES, 'no token', 'expired token', 'forged token'];

/** `allowed`: the guard lets the request through (2xx, or a 4xx other than 401/403). */
export type Expectation = 'allowed' | 401 | 403;

export class UndeclaredRoutesError extends Error {
  constructor(readonly routes: Route[]) {
    super(
      `Routes without a declared access rule (@Public, @AnyRole or @Roles): ${routes
        .map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`)
        .join(', ')}`,
    );
    this.name = 'UndeclaredRoutesError';
  }
}

/** What the contract (API.md "Common rules") says a caller gets from a route's rule. */
export function expectationFor(rule: AccessRule, caller: Caller): Expectation {
  if (rule.kind === 'undeclared') {
    throw new Error('A route without a declared rule has no expectation; declare one');
  }
  // A public route ignores a token it cannot verify: it serves what anyone may see.
  if (rule.kind === 'public') return 'allowed';
  if (caller === 'no token' || caller === 'expired token' || caller === 'forged token') return 401;
  if (rule.kind === 'any-role') return 'allowed';
  return rule.roles.includes(caller) ? 'allowed' : 403;
}

export function meets(expected: Expectation, status: number): boolean {
  if (expected === 'allowed')
    return status >= 200 && status < 500 && status !== 401 && status !== 403;
  return status === expected;
}

export interface MatrixCell {
  route: Route;
  caller: Caller;
  expected: Expectation;
  status: number;
}

/** Every route with every caller; refuses outright when a route declares no rule. */
export function plan(routes: Route[]): { route: Route; caller: Caller; expected: Expectation }[] {
  const undeclared = routes.filter((r) => r.rule.kind === 'undeclared');
  if (undeclared.length > 0) throw new UndeclaredRoutesError(undeclared);
  return routes.flatMap((route) =>
    CALLERS.map((caller) => ({ route, caller, expected: expectationFor(route.rule, caller) })),
  );
}

/**
 * A readable table: one line per route, one column per caller, each cell the status
 * received, marked `!` where it breaks the expectation.
 */
export function renderMatrix(cells: MatrixCell[]): string {
  const routes = [...new Map(cells.map((c) => [`${c.route.method} ${c.route.path}`, c.route]))];
  const width = Math.max(...routes.map(([key]) => key.length), 10);
  const ruleWidth = Math.max(...routes.map(([, r]) => describeRule(r.rule).length), 4);
  const header = [
    'route'.padEnd(width),
    'rule'.padEnd(ruleWidth),
    ...CALLERS.map((c) => c.replace(' token', '').padStart(9)),
  ].join(' ');
  const lines = routes.map(([key, route]) => {
    const row = CALLERS.map((caller) => {
      const cell = cells.find((c) => c.route === route && c.caller === caller);
      if (!cell) return '-'.padStart(9);
      const mark = meets(cell.expected, cell.status) ? ' ' : '!';
      return `${cell.status}${mark}`.padStart(9);
    });
    return [key.padEnd(width), describeRule(route.rule).padEnd(ruleWidth), ...row].join(' ');
  });
  return [
    header,
    ...lines,
    '',
    'Each cell is the status received; `!` marks a cell that breaks the rule: allowed callers',
    'get 2xx or a 4xx other than 401/403, callers without a valid token 401, other roles 403.',
  ].join('\n');
}
