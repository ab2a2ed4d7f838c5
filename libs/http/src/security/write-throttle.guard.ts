import { ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { USER_KEY, type AuthenticatedUser } from '@pcp/auth';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Limits how many writes one caller sends per window: per verified token subject, or per
 * client address when there is none (behind the gateway every request comes from one
 * address, so the subject is what tells callers apart). Reads are not limited. Runs after
 * the authentication guard, which leaves the verified user on the request.
 */
@Injectable()
export class WriteThrottleGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return Promise.resolve(true);
    const { method } = context.switchToHttp().getRequest<{ method: string }>();
    return Promise.resolve(!WRITE_METHODS.has(method));
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req[USER_KEY] as AuthenticatedUser | undefined;
    if (user?.userId) return Promise.resolve(`user:${user.org}:${user.userId}`);
    return Promise.resolve(`address:${String(req['ip'])}`);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    // The base guard has set Retry-After (seconds) already.
    throw new HttpException(
      `Too many changes: at most ${detail.limit} every ${Math.ceil(detail.ttl / 1000)} s. ` +
        `Retry after ${detail.timeToBlockExpire} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
