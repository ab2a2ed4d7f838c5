import { ExecutionContext, ForbiddenException, createParamDecorator } from '@nestjs/common';
import type { AuthenticatedUser } from '../token/claims';
import { USER_KEY } from './auth.guard';

/**
 * The authenticated user of the request. The guard guarantees one on every non-public
 * route; on a public route it is undefined unless a valid token came along.
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser | undefined =>
    context.switchToHttp().getRequest<Record<string, unknown>>()[USER_KEY] as
      AuthenticatedUser | undefined,
);

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
