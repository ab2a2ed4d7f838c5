import { SetMetadata, applyDecorators } from '@nestjs/common';
import type { Role } from '../token/claims';

export const PUBLIC_ROUTE = 'pcp:auth:public';
export const REQUIRED_ROLES = 'pcp:auth:roles';
export const ANY_ROLE = 'pcp:auth:any-role';

/** Reachable without a token (a valid token still identifies the caller). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Any authenticated user with at least one of these roles. */
export const Roles = (...roles: [Role, ...Role[]]) =>
  applyDecorators(SetMetadata(REQUIRED_ROLES, roles));

/** Any authenticated user, whatever their role (the handler scopes what they see). */
export const AnyRole = () => SetMetadata(ANY_ROLE, true);

/** The access rule a route declares; `undeclared` routes are refused. */
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'any-role' }
  | { kind: 'roles'; roles: Role[] }
  | { kind: 'undeclared' };

type Target = object;

/**
 * The rule of a route handler, the method's own declaration winning over its controller's.
 * Pure metadata reading, so that a test can enumerate every route with its rule.
 */
export function accessRuleOf(handler: Target, controller: Target): AccessRule {
  const read = <T>(key: string): T | undefined =>
    (Reflect.getMetadata(key, handler) as T | undefined) ??
    (Reflect.getMetadata(key, controller) as T | undefined);
  const methodLevel = (key: string) => Reflect.getMetadata(key, handler) !== undefined;

  // A method-level declaration overrides any class-level one.
  for (const key of [PUBLIC_ROUTE, ANY_ROLE, REQUIRED_ROLES]) {
    if (methodLevel(key)) return ruleFor(key, Reflect.getMetadata(key, handler));
  }
  if (read<boolean>(PUBLIC_ROUTE)) return { kind: 'public' };
  if (read<boolean>(ANY_ROLE)) return { kind: 'any-role' };
  const roles = read<Role[]>(REQUIRED_ROLES);
  return roles && roles.length > 0 ? { kind: 'roles', roles } : { kind: 'undeclared' };
}

function ruleFor(key: string, value: unknown): AccessRule {
  if (key === PUBLIC_ROUTE) return { kind: 'public' };
  if (key === ANY_ROLE) return { kind: 'any-role' };
  const roles = value as Role[];
  return roles.length > 0 ? { kind: 'roles', roles } : { kind: 'undeclared' };
}
