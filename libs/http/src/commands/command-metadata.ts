import type { IncomingMessage, ServerResponse } from 'node:http';
import { ExecutionContext, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import { USER_KEY, type AuthenticatedUser } from '@pcp/auth';
import type { CommandMetadata } from '@pcp/eventsourcing';
import { causationIdOf, ensureCorrelationId } from './correlation';

type Request = IncomingMessage & { body?: unknown; [USER_KEY]?: AuthenticatedUser };

/**
 * Who sends a command and in which flow: the authenticated user as the actor, the
 * correlation and causation ids, and the body's `reason` when it has one.
 */
export function commandMetadataOf(req: Request, res: ServerResponse): CommandMetadata {
  const user = req[USER_KEY];
  if (!user) throw new UnauthorizedException('Commands need an authenticated user');
  const body = req.body as { reason?: unknown } | undefined;
  return {
    actor: { userId: user.userId, org: user.org, roles: [...user.roles] },
    correlationId: ensureCorrelationId(req, res),
    causationId: causationIdOf(req),
    reason: typeof body?.reason === 'string' && body.reason.trim() !== '' ? body.reason : null,
  };
}

/** Route parameter: the CommandMetadata of the request. */
export const CommandContext = createParamDecorator(
  (_data: unknown, context: ExecutionContext): CommandMetadata => {
    const http = context.switchToHttp();
    return commandMetadataOf(http.getRequest<Request>(), http.getResponse<ServerResponse>());
  },
);
