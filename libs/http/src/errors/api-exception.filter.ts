import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ArgumentsHost,
  Catch,
  HttpException,
  Logger,
  NotFoundException,
  type ExceptionFilter,
} from '@nestjs/common';
import {
  ConcurrencyError,
  DomainRuleError,
  EventIdConflictError,
  InvalidStateError,
  NotFoundError,
} from '@pcp/eventsourcing';
import { throwError } from 'rxjs';
import { apiError, type ApiErrorBody } from './api-error';
import { ensureCorrelationId } from '../commands/correlation';
import { IdempotentReplay } from '../commands/idempotency/idempotency.guard';
import { isPastDeadline } from '../security/request-deadline';
import { allowedMethods, type RoutedRequest } from './method-not-allowed';
import { isUnavailable, RETRY_AFTER_SECONDS } from './unavailable';
import { RequestValidationError } from './validation';

type HttpResponse = ServerResponse & {
  status(code: number): HttpResponse;
  json(body: unknown): HttpResponse;
  send(body?: unknown): HttpResponse;
};

/** Errors of the body parser and other http-errors style failures that are safe to show. */
interface ExposedHttpError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  limit?: number;
}

/** Maps anything thrown while handling a request to its status and API.md error body. */
export function toApiError(exception: unknown): ApiErrorBody {
  if (exception instanceof RequestValidationError) {
    return apiError(400, exception.message, exception.fields);
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (exception instanceof ConcurrencyError) {
    const current = exception.actual === null ? null : exception.actual.toString();
    return apiError(
      409,
      current === null
        ? 'The resource does not exist yet; drop If-Match to create it'
        : `The resource has changed: it is at revision ${current}, not ${String(exception.expected)}. Reload it and retry`,
      { currentRevision: current },
    );
  }
  // A retried request whose events were only partly stored before: the client must reload.
  // (InvalidAppendError stays a 500: only a defect of ours can build such a batch.)
  if (exception instanceof EventIdConflictError) {
    return apiError(
      409,
      'Part of this change was recorded by an earlier attempt; reload the resource and retry',
    );
  }
  if (exception instanceof DomainRuleError)
    return apiError(422, exception.message, decisionDetails(exception));
  if (exception instanceof InvalidStateError)
    return apiError(409, exception.message, decisionDetails(exception));
  if (exception instanceof NotFoundError)
    return apiError(404, exception.message, decisionDetails(exception));

  // PostgreSQL refuses to store a NUL or an unconvertible character (SQLSTATE 22021, 22P05):
  // the client sent it, in a parameter no validation reached.
  const code = (exception as { code?: unknown } | null)?.code;
  if (code === '22021' || code === '22P05') {
    return apiError(400, 'The request contains characters that cannot be stored (such as NUL)');
  }
  if (isUnavailable(exception)) {
    return apiError(
      503,
      'The service cannot reach one of its stores right now; retry in a few seconds',
    );
  }

  const http = (exception ?? {}) as ExposedHttpError;
  // Nest maps the parser's JSON SyntaxError to a BadRequestException itself; this covers
  // a parser error that reaches the filter unmapped.
  if (http.type === 'entity.parse.failed')
    return apiError(400, 'The request body is not valid JSON');
  if (http.type === 'entity.too.large') {
    return apiError(
      413,
      `The request body is larger than the limit${http.limit ? ` of ${http.limit} bytes` : ''}`,
    );
  }
  const status = http.status ?? http.statusCode;
  if (http.expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    return apiError(status, (exception as Error).message);
  }
  return apiError(500, 'Internal server error');
}

function fromHttpException(exception: HttpException): ApiErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') return apiError(status, response);
  const { message, details } = response as { message?: unknown; details?: unknown };
  if (Array.isArray(message)) {
    // Nest's default validation messages: keep them as the details.
    return apiError(status, message.map(String).join('; '), details ?? message);
  }
  return apiError(status, typeof message === 'string' ? message : exception.message, details);
}

function decisionDetails(error: DomainRuleError | InvalidStateError | NotFoundError): unknown {
  if (error.code === undefined && error.details === undefined) return undefined;
  return { ...(error.code !== undefined ? { code: error.code } : {}), ...(error.details ?? {}) };
}

/**
 * Global filter: every error leaves as `{statusCode, error, message, details?}`. Unknown
 * errors become a bare 500; their detail goes to the log, never to the client.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost) {
    // Message handlers (Kafka) have their own error handling.
    if (host.getType() !== 'http') return throwError(() => exception);
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const request = host.switchToHttp().getRequest<IncomingMessage & RoutedRequest>();
    if (exception instanceof IdempotentReplay) {
      exception.answer(response);
      return;
    }
    if (isPastDeadline(response)) {
      // The 503 has left; this is the handler finishing (or failing) after it.
      const late =
        (exception as { code?: unknown } | null)?.code === 'ERR_HTTP_HEADERS_SENT'
          ? 'its late answer was dropped'
          : `it then failed: ${exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception)}`;
      this.logger.warn(`${request.method} ${request.url} ended after its request timeout; ${late}`);
      return;
    }
    let body = toApiError(exception);
    // The router's "Cannot TRACE /needs": a path it knows, with a method it does not serve.
    const allowed =
      body.statusCode === 404 && exception instanceof NotFoundException && !isDecision(exception)
        ? allowedMethods(request)
        : [];
    if (allowed.length > 0) {
      body = apiError(405, `${request.method} is not allowed here; use ${allowed.join(', ')}`);
    }
    if (body.statusCode === 503 && isUnavailable(exception)) {
      this.logger.warn(
        `Store unavailable: ${exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception)}`,
      );
    } else if (body.statusCode >= 500 && exception instanceof HttpException) {
      // Answered on purpose (readiness down, a dependency refusing): not a fault of the code.
      this.logger.warn(`${body.statusCode} ${request.method} ${request.url}: ${body.message}`);
    } else if (body.statusCode >= 500) {
      this.logger.error(
        `Unhandled ${exception instanceof Error ? exception.name : typeof exception}: ${
          exception instanceof Error ? exception.message : String(exception)
        }`,
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    if (response.headersSent) return;
    // Errors raised before the middleware ran (a malformed body) still carry the id.
    const correlationId = ensureCorrelationId(request, response);
    if (body.statusCode === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    if (body.statusCode === 405) response.setHeader('Allow', allowed.join(', '));
    response.status(body.statusCode).json(body);
    // Nor did the request logger see them: their one line per request is written here, once
    // the answer has left (the line's serializer reads the status of a sent response).
    if ((request as { log?: unknown }).log === undefined) {
      const line = { msg: 'request completed', correlationId, req: request, res: response };
      if (body.statusCode >= 500) this.logger.error(line);
      else this.logger.warn(line);
    }
  }
}

/** Only the router's own 404 names the method and path; a handler's 404 is about a resource. */
function isDecision(exception: NotFoundException): boolean {
  return !/^Cannot [A-Z]+ \//.test(exception.message);
}
