import { BadRequestException, ForbiddenException, HttpException } from '@nestjs/common';
import {
  ConcurrencyError,
  DomainRuleError,
  EventIdConflictError,
  InvalidAppendError,
  InvalidStateError,
  NO_STREAM,
  NotFoundError,
} from '@pcp/eventsourcing';
import { toApiError } from './api-exception.filter';
import { RequestValidationError } from './validation';

describe('toApiError', () => {
  it('maps the decider errors', () => {
    expect(toApiError(new DomainRuleError('Weights must add up to 100'))).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'Weights must add up to 100',
    });
    expect(
      toApiError(new InvalidStateError('Already published', 'ALREADY_PUBLISHED')).details,
    ).toEqual({
      code: 'ALREADY_PUBLISHED',
    });
    expect(toApiError(new NotFoundError('No such tender')).statusCode).toBe(404);
  });

  it('maps a conflict to 409 with the current revision as a string, or null without a stream', () => {
    expect(toApiError(new ConcurrencyError('s', 2n, 5n))).toMatchObject({
      statusCode: 409,
      details: { currentRevision: '5' },
    });
    expect(toApiError(new ConcurrencyError('s', 0n, null)).details).toEqual({
      currentRevision: null,
    });
    expect(toApiError(new ConcurrencyError('s', NO_STREAM, 0n)).details).toEqual({
      currentRevision: '0',
    });
  });

  it('maps a partly repeated batch to 409 and keeps a malformed batch internal', () => {
    const conflict = toApiError(new EventIdConflictError('needs-need-1', ['e1']));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.message).not.toContain('needs-need-1');
    const internal = toApiError(new InvalidAppendError('needs-need-1', 'bad uuid'));
    expect(internal).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: expect.any(String),
    });
    expect(internal.message).not.toContain('needs-need-1');
  });

  it('keeps HTTP exceptions, including Nest default validation arrays', () => {
    expect(toApiError(new ForbiddenException('Not your organisation'))).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Not your organisation',
    });
    expect(toApiError(new BadRequestException(['a must be a string', 'b is required']))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'a must be a string; b is required',
      details: ['a must be a string', 'b is required'],
    });
    expect(toApiError(new HttpException('I am a teapot', 418)).error).toBe("I'm a Teapot");
    const fields = [{ field: 'title', constraints: { isString: 'title must be a string' } }];
    expect(toApiError(new RequestValidationError(fields))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid request: title must be a string',
      details: fields,
    });
  });

  it('maps body parser errors and hides everything unknown', () => {
    expect(
      toApiError(
        Object.assign(new SyntaxError('Unexpected token'), {
          type: 'entity.parse.failed',
          status: 400,
        }),
      ),
    ).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request body is not valid JSON',
    });
    expect(
      toApiError(
        Object.assign(new Error('too large'), {
          type: 'entity.too.large',
          status: 413,
          limit: 102400,
        }),
      ),
    ).toMatchObject({
      statusCode: 413,
      message: 'The request body is larger than the limit of 102400 bytes',
    });
    expect(
      toApiError(
        Object.assign(new Error('unsupported charset "X"'), { status: 415, expose: true }),
      ),
    ).toMatchObject({
      statusCode: 415,
      message: 'unsupported charset "X"',
    });
    expect(toApiError(Object.assign(new Error('db password leaked'), { status: 400 }))).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
    });
    expect(toApiError(new TypeError('x is undefined')).statusCode).toBe(500);
    expect(toApiError('a string').statusCode).toBe(500);
    expect(toApiError(null).statusCode).toBe(500);
  });
});
