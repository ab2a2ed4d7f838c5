import { BadRequestException, ForbiddenException, SetMetadata } from '@nestjs/common';
import type { AuthenticatedUser } from '../token/claims';

export const SAME_ORG = 'pcp:auth:same-org';

/** Where the request names the organisation a route acts for: one route param, query or body field. */
export type OrganisationSource = { param: string } | { query: string } | { body: string };

export interface SameOrgRule {
  source: OrganisationSource;
  /** What the organisation owns, for the 403 message ("the need"). */
  what: string;
}

/**
 * The caller must belong to the organisation the request names (403 otherwise, as
 * `assertSameOrg` answers). Stacks with a role rule (`@Roles`, `@AnyRole`); ignored on a
 * `@Public` route. Use it only when the request itself carries the owning organisation;
 * when the owner is known only once the aggregate is loaded, call `assertSameOrg` in the
 * handler instead.
 */
export const SameOrg = (source: OrganisationSource, what = 'this resource') =>
  SetMetadata(SAME_ORG, { source, what } satisfies SameOrgRule);

/** The organisation rule of a route handler, the method's own winning over its controller's. */
export function sameOrgRuleOf(handler: object, controller: object): SameOrgRule | undefined {
  return (
    (Reflect.getMetadata(SAME_ORG, handler) as SameOrgRule | undefined) ??
    (Reflect.getMetadata(SAME_ORG, controller) as SameOrgRule | undefined)
  );
}

interface RequestParts {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/**
 * The organisation id the request names, or a 400 listing the field when it is missing or
 * not one non-empty string (a repeated query parameter, a number in the body).
 */
export function organisationInRequest(request: RequestParts, source: OrganisationSource): string {
  const [where, field, value] =
    'param' in source
      ? (['param', source.param, request.params?.[source.param]] as const)
      : 'query' in source
        ? (['query', source.query, request.query?.[source.query]] as const)
        : ([
            'body',
            source.body,
            typeof request.body === 'object' && request.body !== null
              ? (request.body as Record<string, unknown>)[source.body]
              : undefined,
          ] as const);
  if (typeof value === 'string' && value.trim() !== '') return value;
  const problem =
    value === undefined || value === ''
      ? `${field} (${where}) names the organisation and is required`
      : `${field} (${where}) must be one organisation id`;
  throw new BadRequestException({
    message: `Invalid request: ${problem}`,
    details: [{ field, constraints: { isOrganisation: problem } }],
  });
}

/** Refuses (403) a user acting for another organisation than the one that owns the target. */
export function assertSameOrg(
  user: Pick<AuthenticatedUser, 'org'>,
  org: string,
  what = 'this resource',
): void {
  if (user.org !== org) {
    throw new ForbiddenException(`Only members of the organisation that owns ${what} may do this`);
  }
}
