import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AnyRole, AuthModule, Public, Roles, mintToken, type TokenClaims } from '@pcp/auth';
import {
  ConcurrencyError,
  DomainRuleError,
  InvalidStateError,
  NotFoundError,
  type CommandMetadata,
} from '@pcp/eventsourcing';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import request from 'supertest';
import { LoggingModule } from '../logging/logging.module';
import { CommandContext } from './command-metadata';
import { CommandHttpModule } from './command-http.module';
import { IfMatch } from './if-match';
import { InMemoryIdempotencyStore } from './idempotency/idempotency-store';

const SECRET = 'http-e2e-secret-long-enough-for-hs256-signing';
const ana: TokenClaims = { sub: 'u-ana', org: 'org-a', roles: ['procurer'], name: 'Ana' };

class EvidenceDto {
  @IsString()
  @IsNotEmpty()
  title!: string;

  @IsOptional()
  @IsUrl()
  url?: string;
}

class RecordNeedDto {
  @IsString()
  @IsNotEmpty()
  title!: string;

  @IsInt()
  @Min(1)
  @Max(10_000_000)
  patientPopulation!: number;

  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence!: EvidenceDto[];
}

class ReasonDto {
  @IsString()
  @IsNotEmpty()
  reason!: string;
}

/** What the handlers saw, so tests can tell a replay from a second run. */
const seen = { recorded: 0, acknowledged: 0, slowRuns: 0, releaseSlow: (): void => undefined };

@Controller('needs')
class NeedsController {
  @Post()
  @Roles('procurer')
  record(
    @Body() body: RecordNeedDto,
    @Res({ passthrough: true }) res: { setHeader(n: string, v: string): void },
  ) {
    seen.recorded++;
    const id = randomUUID();
    res.setHeader('Location', `/needs/${id}`);
    return {
      id,
      title: body.title,
      evidenceIsDto: body.evidence.every((e) => e instanceof EvidenceDto),
      n: seen.recorded,
    };
  }

  @Post(':id/reject')
  @Roles('procurer')
  @HttpCode(200)
  reject(
    @Param('id') id: string,
    @Body() _body: ReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ) {
    if (id === 'missing') throw new NotFoundError(`Need ${id} does not exist`);
    if (id === 'withdrawn') throw new InvalidStateError('A withdrawn need cannot be rejected');
    if (id === 'ruled')
      throw new DomainRuleError('The reason must cite the assessment', 'REASON_TOO_VAGUE', {
        minLength: 20,
      });
    if (id === 'stale') throw new ConcurrencyError('needs-need-stale', expected ?? 0n, 7n);
    return { expected: expected === undefined ? null : expected.toString(), meta };
  }

  @Post('acknowledge')
  @AnyRole()
  @HttpCode(204)
  acknowledge(): void {
    seen.acknowledged++;
  }

  @Post('slow')
  @AnyRole()
  async slow() {
    seen.slowRuns++;
    await new Promise<void>((resolve) => (seen.releaseSlow = resolve));
    return { done: true };
  }

  @Get('ping')
  @Public()
  ping() {
    return { pong: true };
  }

  @Get('request-id')
  @Public()
  requestId(@Req() req: { id?: unknown }) {
    return { loggerId: req.id ?? null };
  }

  @Get('boom')
  @AnyRole()
  boom() {
    throw new Error('connection string postgres://pcp:secret@db failed');
  }
}

describe('command HTTP plumbing', () => {
  let app: INestApplication;
  let token: string;
  let otherUserToken: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRoot({ jwtSecret: SECRET }),
        CommandHttpModule.forRoot({ idempotencyStore: new InMemoryIdempotencyStore() }),
      ],
      controllers: [NeedsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    token = await mintToken(ana, { secret: SECRET });
    otherUserToken = await mintToken({ ...ana, sub: 'u-bob', name: 'Bob' }, { secret: SECRET });
  });
  afterAll(() => app.close());

  const post = (path: string, bearer = token) =>
    request(app.getHttpServer()).post(path).auth(bearer, { type: 'bearer' });
  const need = {
    title: 'Early sepsis detection',
    patientPopulation: 1200,
    evidence: [{ title: 'Audit 2023' }],
  };

  describe('errors', () => {
    it('400 lists each refused field and its constraints, nested ones by path', async () => {
      const res = await post('/needs')
        .send({
          title: '',
          patientPopulation: 'many',
          evidence: [{ url: 'not a url' }],
          colour: 'red',
        })
        .expect(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.error).toBe('Bad Request');
      expect(res.body.message).toMatch(/^Invalid request: /);
      const fields = Object.fromEntries(
        (res.body.details as { field: string; constraints: Record<string, string> }[]).map((d) => [
          d.field,
          d.constraints,
        ]),
      );
      expect(Object.keys(fields).sort()).toEqual([
        'colour',
        'evidence.0.title',
        'evidence.0.url',
        'patientPopulation',
        'title',
      ]);
      expect(fields['colour']).toEqual({ whitelistValidation: 'property colour should not exist' });
      expect(fields['title']).toHaveProperty('isNotEmpty');
      expect(fields['patientPopulation']).toHaveProperty('isInt');
    });

    it('400 for a body that is not JSON, with the correlation id still echoed', async () => {
      const res = await post('/needs')
        .set('Content-Type', 'application/json')
        .set('X-Correlation-Id', 'corr-parse-1')
        .send('{"title": ')
        .expect(400);
      // Nest turns the parser's SyntaxError into a 400 that keeps JSON.parse's message.
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.stringMatching(/JSON/),
      });
      expect(res.headers['x-correlation-id']).toBe('corr-parse-1');
    });

    it('400 for a JSON array where an object is expected', async () => {
      const res = await post('/needs').send([need]).expect(400);
      expect(res.body.statusCode).toBe(400);
    });

    it('413 for a payload over the limit', async () => {
      const res = await post('/needs')
        .send({ ...need, title: 'x'.repeat(200 * 1024) })
        .expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    });

    it('404, 409 and 422 for the decider errors, with code and details', async () => {
      const body = { reason: 'duplicate of an earlier need' };
      expect((await post('/needs/missing/reject').send(body).expect(404)).body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'Need missing does not exist',
      });
      expect((await post('/needs/withdrawn/reject').send(body).expect(409)).body).toMatchObject({
        error: 'Conflict',
        message: 'A withdrawn need cannot be rejected',
      });
      expect((await post('/needs/ruled/reject').send(body).expect(422)).body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'The reason must cite the assessment',
        details: { code: 'REASON_TOO_VAGUE', minLength: 20 },
      });
    });

    it('409 with the current revision as a string for a concurrency conflict', async () => {
      const res = await post('/needs/stale/reject')
        .set('If-Match', '"3"')
        .send({ reason: 'not a priority' })
        .expect(409);
      expect(res.body.details).toEqual({ currentRevision: '7' });
      expect(res.body.message).toMatch(/revision 7/);
    });

    it('500 for anything else, without internal detail', async () => {
      const res = await request(app.getHttpServer())
        .get('/needs/boom')
        .auth(token, { type: 'bearer' })
        .expect(500);
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
      });
      expect(JSON.stringify(res.body)).not.toMatch(/postgres|secret|stack/);
    });

    it('404 in the same shape for an unknown route', async () => {
      const res = await request(app.getHttpServer()).get('/nowhere').expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it('401 and 403 from the guard in the same shape', async () => {
      expect(
        (await request(app.getHttpServer()).post('/needs').send(need).expect(401)).body,
      ).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Missing bearer token',
      });
      const supplier = await mintToken({ ...ana, roles: ['supplier'] }, { secret: SECRET });
      expect((await post('/needs', supplier).send(need).expect(403)).body.error).toBe('Forbidden');
    });
  });

  describe('If-Match and command metadata', () => {
    it('reads a quoted or bare revision', async () => {
      const quoted = await post('/needs/n1/reject')
        .set('If-Match', '"12"')
        .send({ reason: 'r' })
        .expect(200);
      expect(quoted.body.expected).toBe('12');
      const bare = await post('/needs/n1/reject')
        .set('If-Match', '0')
        .send({ reason: 'r' })
        .expect(200);
      expect(bare.body.expected).toBe('0');
      const none = await post('/needs/n1/reject').send({ reason: 'r' }).expect(200);
      expect(none.body.expected).toBeNull();
    });

    it.each(['"abc"', '-1', '"1", "2"', 'W/"3"', '1.5', '"99999999999999999999"', '*'])(
      '400 for If-Match %s',
      async (value) => {
        const res = await post('/needs/n1/reject')
          .set('If-Match', value)
          .send({ reason: 'r' })
          .expect(400);
        expect(res.body.message).toMatch(/If-Match/);
      },
    );

    it('builds the metadata from the user, the headers and the reason', async () => {
      const res = await post('/needs/n1/reject')
        .set('X-Correlation-Id', 'corr-42')
        .set('X-Causation-Id', 'evt-7')
        .send({ reason: 'outside our region' })
        .expect(200);
      expect(res.body.meta).toEqual({
        actor: { userId: 'u-ana', org: 'org-a', roles: ['procurer'] },
        correlationId: 'corr-42',
        causationId: 'evt-7',
        reason: 'outside our region',
      });
      expect(res.headers['x-correlation-id']).toBe('corr-42');
    });

    it('echoes or generates the correlation id on every response', async () => {
      const echoed = await request(app.getHttpServer())
        .get('/needs/ping')
        .set('X-Correlation-Id', 'corr-ping')
        .expect(200);
      expect(echoed.headers['x-correlation-id']).toBe('corr-ping');
      const generated = await request(app.getHttpServer()).get('/needs/ping').expect(200);
      expect(generated.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
      const unknown = await request(app.getHttpServer())
        .get('/nowhere')
        .set('X-Correlation-Id', 'corr-404')
        .expect(404);
      expect(unknown.headers['x-correlation-id']).toBe('corr-404');
    });

    it('generates a correlation id when none (or a malformed one) is given', async () => {
      const res = await post('/needs/n1/reject')
        .set('X-Correlation-Id', 'bad id with spaces')
        .send({ reason: 'r' })
        .expect(200);
      expect(res.body.meta.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['x-correlation-id']).toBe(res.body.meta.correlationId);
      expect(res.body.meta.causationId).toBeNull();
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body, without running the handler again', async () => {
      const before = seen.recorded;
      const first = await post('/needs').set('Idempotency-Key', 'create-1').send(need).expect(201);
      expect(first.body.evidenceIsDto).toBe(true);
      // Same body with another key order: the same request.
      const reordered = {
        evidence: need.evidence,
        patientPopulation: need.patientPopulation,
        title: need.title,
      };
      const repeat = await post('/needs')
        .set('Idempotency-Key', 'create-1')
        .send(reordered)
        .expect(201);
      expect(repeat.body).toEqual(first.body);
      expect(repeat.headers['location']).toBe(first.headers['location']);
      expect(repeat.headers['idempotent-replayed']).toBe('true');
      expect(seen.recorded).toBe(before + 1);
    });

    it('422 for the same key with another body', async () => {
      await post('/needs').set('Idempotency-Key', 'create-2').send(need).expect(201);
      const res = await post('/needs')
        .set('Idempotency-Key', 'create-2')
        .send({ ...need, title: 'Other' })
        .expect(422);
      expect(res.body.message).toMatch(/different request/);
    });

    it('keeps keys apart per user', async () => {
      const before = seen.recorded;
      const mine = await post('/needs').set('Idempotency-Key', 'shared-key').send(need).expect(201);
      const theirs = await post('/needs', otherUserToken)
        .set('Idempotency-Key', 'shared-key')
        .send(need)
        .expect(201);
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(seen.recorded).toBe(before + 2);
    });

    it('runs the request again after a failure under the same key', async () => {
      const before = seen.recorded;
      await post('/needs')
        .set('Idempotency-Key', 'after-400')
        .send({ ...need, title: '' })
        .expect(400);
      await post('/needs')
        .set('Idempotency-Key', 'after-400')
        .send({ ...need, title: '' })
        .expect(400);
      expect(seen.recorded).toBe(before);
    });

    it('409 for a duplicate while the first request is still running', async () => {
      const first = post('/needs/slow')
        .set('Idempotency-Key', 'slow-1')
        .send({})
        .then((r) => r);
      await waitFor(() => seen.slowRuns === 1);
      const duplicate = await post('/needs/slow')
        .set('Idempotency-Key', 'slow-1')
        .send({})
        .expect(409);
      expect(duplicate.body.message).toBe('A request with this Idempotency-Key is in progress');
      seen.releaseSlow();
      expect((await first).status).toBe(201);
      const replay = await post('/needs/slow')
        .set('Idempotency-Key', 'slow-1')
        .send({})
        .expect(201);
      expect(replay.body).toEqual({ done: true });
      expect(seen.slowRuns).toBe(1);
    });

    it('replays an answer without a body (204) as it was', async () => {
      const first = await post('/needs/acknowledge').set('Idempotency-Key', 'ack-1').send({});
      const repeat = await post('/needs/acknowledge').set('Idempotency-Key', 'ack-1').send({});
      expect([first.status, repeat.status]).toEqual([204, 204]);
      expect(repeat.text).toBe('');
      expect(repeat.headers['idempotent-replayed']).toBe('true');
      expect(seen.acknowledged).toBe(1);
    });

    it('400 for a malformed key', async () => {
      await post('/needs').set('Idempotency-Key', 'x'.repeat(256)).send(need).expect(400);
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('command metadata next to the request logger', () => {
  let app: INestApplication;
  let token: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        LoggingModule.forRoot({ level: 'silent', service: 'test' }),
        AuthModule.forRoot({ jwtSecret: SECRET }),
        CommandHttpModule.forRoot({ idempotencyStore: new InMemoryIdempotencyStore() }),
      ],
      controllers: [NeedsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    token = await mintToken(ana, { secret: SECRET });
  });
  afterAll(() => app.close());

  it('uses the one correlation id the logger chose, in the header and the events', async () => {
    const res = await request(app.getHttpServer())
      .post('/needs/n1/reject')
      .auth(token, { type: 'bearer' })
      .send({ reason: 'r' })
      .expect(200);
    expect(res.body.meta.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-correlation-id']).toBe(res.body.meta.correlationId);
  });

  it('agrees with the id the logger writes on its lines', async () => {
    const res = await request(app.getHttpServer()).get('/needs/request-id').expect(200);
    expect(res.body.loggerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-correlation-id']).toBe(res.body.loggerId);
    const given = await request(app.getHttpServer())
      .get('/needs/request-id')
      .set('X-Correlation-Id', 'corr-log')
      .expect(200);
    expect(given.body.loggerId).toBe('corr-log');
    expect(given.headers['x-correlation-id']).toBe('corr-log');
  });
});
