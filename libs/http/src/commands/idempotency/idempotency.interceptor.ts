import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BadRequestException,
  CallHandler,
  ConflictException,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  NestInterceptor,
  UnprocessableEntityException,
} from '@nestjs/common';
import { USER_KEY, type AuthenticatedUser } from '@pcp/auth';
import { catchError, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency-store';
import { requestFingerprint } from './request-fingerprint';

export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyOptions {
  /** How long a key is remembered; default 24 h. */
  ttlMs?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

const KEY = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['location', 'etag'];

type Request = IncomingMessage & {
  body?: unknown;
  originalUrl?: string;
  [USER_KEY]?: AuthenticatedUser;
};
type Response = ServerResponse & { status(code: number): Response };

/**
 * `Idempotency-Key` on POST: the first request with a key runs and its response is kept;
 * a repeat with the same body gets that response again without running the handler; a
 * repeat with another body is a 422; a repeat while the first still runs is a 409.
 * Keys belong to the authenticated user; requests without a user are not deduplicated.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Inject(IDEMPOTENCY_OPTIONS) options: IdempotencyOptions,
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.now = options.now ?? (() => new Date());
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (req.method !== 'POST' || header === undefined) return next.handle();

    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY.test(key)) {
      throw new BadRequestException('Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const user = req[USER_KEY];
    if (!user) return next.handle();

    const scope = `${user.org}/${user.userId}`;
    const fingerprint = requestFingerprint(req.method, req.originalUrl ?? req.url ?? '', req.body);
    const now = this.now();
    const claim = this.store.claim({
      scope,
      key,
      fingerprint,
      now,
      expiresAt: new Date(now.getTime() + this.ttlMs),
    });

    return from(claim).pipe(
      mergeMap((result) => {
        if (result.claimed) return this.runOnce(next, res, scope, key);
        const { record } = result;
        if (record.fingerprint !== fingerprint) {
          throw new UnprocessableEntityException(
            'This Idempotency-Key was already used with a different request; use a new key',
          );
        }
        if (record.state === 'pending') {
          throw new ConflictException('A request with this Idempotency-Key is in progress');
        }
        res.status(record.response.statusCode);
        for (const [name, value] of Object.entries(record.response.headers))
          res.setHeader(name, value);
        res.setHeader('Idempotent-Replayed', 'true');
        return of(record.response.body);
      }),
    );
  }

  private runOnce(
    next: CallHandler,
    res: Response,
    scope: string,
    key: string,
  ): Observable<unknown> {
    return next.handle().pipe(
      mergeMap(async (body) => {
        const headers: Record<string, string> = {};
        for (const name of REPLAYED_HEADERS) {
          const value = res.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        try {
          await this.store.complete(scope, key, { statusCode: res.statusCode, body, headers });
        } catch (error) {
          // The command is done; failing its response now would invite a duplicate. The key
          // stays pending (repeats get 409) until it expires.
          this.logger.error(
            `Could not store the response of key ${key}: ${(error as Error).message}`,
          );
        }
        return body;
      }),
      catchError((error: unknown) =>
        from(this.store.release(scope, key).catch(() => undefined)).pipe(
          mergeMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}
