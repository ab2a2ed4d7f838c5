import {
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  ServiceUnavailableException,
} from '@nestjs/common';
import { Observable, throwError, timeout } from 'rxjs';

export const REQUEST_TIMEOUT_MS = Symbol('REQUEST_TIMEOUT_MS');

/**
 * A request whose handler has not answered within the limit gets a 503 instead of holding
 * the client (a store that stopped answering, a lock held too long). The work itself may
 * still finish, so the answer tells the caller to read the resource before repeating.
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(@Inject(REQUEST_TIMEOUT_MS) private readonly limitMs: number) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    return next.handle().pipe(
      timeout({
        first: this.limitMs,
        with: () =>
          throwError(
            () =>
              new ServiceUnavailableException(
                `The request was not answered within ${this.limitMs} ms. It may still take ` +
                  'effect: read the resource before repeating it',
              ),
          ),
      }),
    );
  }
}
