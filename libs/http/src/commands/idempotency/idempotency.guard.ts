import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BadRequestException,
  CanActivate,
  ConflictException,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  UnprocessableEntityException,
} from '@nestjs/common';
import { USER_KEY, type AuthenticatedUser } from '@pcp/auth';
import { IDEMPOTENCY_STORE, type IdempotencyStore, type StoredResponse } from './idempotency-store';
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
type Response = ServerResponse & {
  status(code: number): Response;
  json(body: unknown): Response;
  send(body?: unknown): Response;
};

/**
 * A repeat of a completed key: the handler does not run, the first response is sent again.
 * Thrown by the guard so that it leaves through the API exception filter, which answers it.
 */
export class IdempotentReplay extends Error {
  constructor(readonly response: StoredResponse) {
    super('Replay of an earlier response');
  }

  answer(res: Response): void {
    res.status(this.response.statusCode);
    for (const [name, value] of Object.entries(this.response.headers)) res.setHeader(name, value);
    res.setHeader('Idempotent-Replayed', 'true');
    const { body } = this.response;
    if (body === null || body === undefined) res.send();
    else if (typeof body === 'object') res.json(body);
    else res.send(String(body));
  }
}

/**
 * `Idempotency-Key` on POST: the first request with a key runs and its response is kept;
 * a repeat with the same body gets that response again without running the handler; a
 * repeat with another body is a 422; a repeat while the first still runs is a 409.
 * Keys belong to the authenticated user; requests without a user are not deduplicated.
 *
 * A guard that runs after the AuthGuard (CommandHttpModule is imported after the AuthModule)
 * and watches the response, rather than a Nest interceptor: requests without a key, nearly
 * all of them, then cost one header lookup. See RequestDeadline for what an interceptor costs.
 */
@Injectable()
export class IdempotencyGuard implements CanActivate {
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (req.method !== 'POST' || header === undefined) return true;

    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY.test(key)) {
      throw new BadRequestException('Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const user = req[USER_KEY];
    if (!user) return true;

    const scope = `${user.org}/${user.userId}`;
    const fingerprint = requestFingerprint(req.method, req.originalUrl ?? req.url ?? '', req.body);
    const now = this.now();
    const result = await this.store.claim({
      scope,
      key,
      fingerprint,
      now,
      expiresAt: new Date(now.getTime() + this.ttlMs),
    });
    if (result.claimed) {
      this.settleOnAnswer(context.switchToHttp().getResponse<Response>(), scope, key);
      return true;
    }
    const { record } = result;
    if (record.fingerprint !== fingerprint) {
      throw new UnprocessableEntityException(
        'This Idempotency-Key was already used with a different request; use a new key',
      );
    }
    if (record.state === 'pending') {
      throw new ConflictException('A request with this Idempotency-Key is in progress');
    }
    throw new IdempotentReplay(record.response);
  }

  /**
   * The answer to a claimed key, whatever writes it (the handler's result, the error filter,
   * the request deadline), settles the key before it leaves: a success is kept for replay,
   * so that a repeat sent as soon as the answer arrives is replayed; a failure frees the key.
   */
  private settleOnAnswer(res: Response, scope: string, key: string): void {
    const { json, send } = res;
    const answer = (write: (body?: unknown) => Response, body: unknown): Response => {
      // Express's json() calls send(): only the first write settles.
      res.json = json;
      res.send = send;
      this.settle(res, scope, key, body)
        .then(() => write.call(res, body))
        .catch((error: unknown) =>
          this.logger.warn(`Answer of key ${key} not sent: ${(error as Error).message}`),
        );
      return res;
    };
    res.json = (body: unknown) => answer(json, body);
    res.send = (body?: unknown) => answer(send, body);
  }

  private async settle(res: Response, scope: string, key: string, body: unknown): Promise<void> {
    if (res.statusCode >= 400) {
      await this.store.release(scope, key).catch(() => undefined);
      return;
    }
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
      this.logger.error(`Could not store the response of key ${key}: ${(error as Error).message}`);
    }
  }
}
