import { ExecutionContext, createParamDecorator } from '@nestjs/common';
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
