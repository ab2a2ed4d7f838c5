import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Param,
  Post,
  Res,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthModule, Roles, mintToken } from '@pcp/auth';
import {
  CommandHandler,
  DomainRuleError,
  InvalidStateError,
  NotFoundError,
  PgliteSqlClient,
  PostgresEventStore,
  aggregateStreamId,
  type CommandMetadata,
  type Decider,
  type DomainEvent,
} from '@pcp/eventsourcing';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
import request from 'supertest';
import { CommandContext } from './command-metadata';
import { CommandHttpModule } from './command-http.module';
import { IfMatch } from './if-match';
import { PostgresIdempotencyStore } from './idempotency/postgres-idempotency-store';

// A need that can be recorded, prioritised and withdrawn: enough to drive every path of a
// command over HTTP against the real embedded event store.
type NeedCommand =
  | { type: 'Record'; title: string; org: string }
  | { type: 'Prioritise'; score: number; org: string }
  | { type: 'Withdraw'; org: string };
type NeedEvent =
  | DomainEvent<'NeedRecorded', { title: string; org: string }>
  | DomainEvent<'NeedPrioritised', { score: number }>
  | DomainEvent<'NeedWithdrawn', Record<string, never>>;
interface Need {
  status: 'NONE' | 'RECORDED' | 'WITHDRAWN';
  org: string | null;
  title: string | null;
  score: number | null;
}

const needs: Decider<NeedCommand, Need, NeedEvent> = {
  initialState: () => ({ status: 'NONE', org: null, title: null, score: null }),
  decide(command, need) {
    if (command.type === 'Record') {
      return [{ type: 'NeedRecorded', data: { title: command.title, org: command.org } }];
    }
    if (need.status === 'NONE') throw new NotFoundError('No such need');
    if (need.org !== command.org)
      throw new DomainRuleError('Only the owning organisation may change the need');
    if (need.status === 'WITHDRAWN') throw new InvalidStateError('The need was withdrawn');
    if (command.type === 'Withdraw') return [{ type: 'NeedWithdrawn', data: {} }];
    if (command.score === need.score) return [];
    return [{ type: 'NeedPrioritised', data: { score: command.score } }];
  },
  evolve(need, event) {
    switch (event.type) {
      case 'NeedRecorded':
        return { ...need, status: 'RECORDED', title: event.data.title, org: event.data.org };
      case 'NeedPrioritised':
        return { ...need, score: event.data.score };
      case 'NeedWithdrawn':
        return { ...need, status: 'WITHDRAWN' };
    }
  },
};

class RecordNeedDto {
  @IsString()
  @IsNotEmpty()
  title!: string;
}
class PrioritiseDto {
  @IsInt()
  @Min(1)
  @Max(100)
  score!: number;
}
class WithdrawDto {
  @IsString()
  @IsNotEmpty()
  reason!: string;

  @IsOptional()
  @IsString()
  note?: string;
}

const NEEDS = Symbol('NEEDS');
const streamOf = (id: string) => aggregateStreamId('needs', 'need', id);

@Controller('needs')
class NeedsController {
  constructor(
    @Inject(NEEDS) private readonly handler: CommandHandler<NeedCommand, Need, NeedEvent>,
  ) {}

  @Post()
  @Roles('procurer')
  async record(
    @Body() body: RecordNeedDto,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ) {
    const id = randomUUID();
    const result = await this.handler.handle(
      streamOf(id),
      { type: 'Record', title: body.title, org: String(meta.actor.org) },
      meta,
    );
    res.setHeader('Location', `/needs/${id}`);
    return { id, ...result.state, revision: Number(result.revision) };
  }

  @Post(':id/prioritise')
  @Roles('procurer')
  @HttpCode(200)
  async prioritise(
    @Param('id') id: string,
    @Body() body: PrioritiseDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ) {
    const result = await this.handler.handle(
      streamOf(id),
      { type: 'Prioritise', score: body.score, org: String(meta.actor.org) },
      meta,
      expected,
    );
    return { id, ...result.state, revision: Number(result.revision) };
  }

  @Post(':id/withdraw')
  @Roles('procurer')
  @HttpCode(200)
  async withdraw(
    @Param('id') id: string,
    @Body() _body: WithdrawDto,
    @CommandContext() meta: CommandMetadata,
  ) {
    const result = await this.handler.handle(
      streamOf(id),
      { type: 'Withdraw', org: String(meta.actor.org) },
      meta,
    );
    return { id, ...result.state, revision: Number(result.revision) };
  }
}

const SECRET = 'flow-e2e-secret-long-enough-for-hs256-signing';

describe('commands over HTTP on the embedded event store (PGlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-command-flow-'));
  let app: INestApplication;
  let store: PostgresEventStore;
  let sql: PgliteSqlClient;
  let ana: string;
  let bea: string;

  beforeAll(async () => {
    store = await PostgresEventStore.embedded(dataDir);
    sql = await PgliteSqlClient.open(dataDir);
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRoot({ jwtSecret: SECRET }),
        CommandHttpModule.forRoot({
          idempotencyStore: { useFactory: () => PostgresIdempotencyStore.create(sql) },
        }),
      ],
      controllers: [NeedsController],
      providers: [{ provide: NEEDS, useValue: new CommandHandler(store, needs) }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    ana = await mintToken(
      { sub: 'u-ana', org: 'org-a', roles: ['procurer'], name: 'Ana' },
      { secret: SECRET },
    );
    bea = await mintToken(
      { sub: 'u-bea', org: 'org-b', roles: ['procurer'], name: 'Bea' },
      { secret: SECRET },
    );
  });
  afterAll(async () => {
    await app.close();
    await sql.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, token = ana) =>
    request(app.getHttpServer()).post(path).auth(token, { type: 'bearer' });
  const record = async () =>
    (await post('/needs').send({ title: 'Sepsis alerts' }).expect(201)).body as { id: string };

  it('creates with 201, Location and revision 0, recording actor and correlation id', async () => {
    const res = await post('/needs')
      .set('X-Correlation-Id', 'corr-create')
      .send({ title: 'Sepsis alerts' })
      .expect(201);
    expect(res.headers['location']).toBe(`/needs/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'RECORDED', org: 'org-a', revision: 0 });
    const [event] = await store.readStream(streamOf(res.body.id));
    expect(event).toMatchObject({
      type: 'NeedRecorded',
      actor: { userId: 'u-ana', org: 'org-a', roles: ['procurer'] },
      correlationId: 'corr-create',
    });
  });

  it('replays a repeated create with the same key and appends nothing', async () => {
    const first = await post('/needs')
      .set('Idempotency-Key', 'create-need-1')
      .send({ title: 'Stroke triage' })
      .expect(201);
    const repeat = await post('/needs')
      .set('Idempotency-Key', 'create-need-1')
      .send({ title: 'Stroke triage' })
      .expect(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers['location']).toBe(first.headers['location']);
    const recorded = (await store.readAll(0n, 10_000)).filter(
      (e) => e.type === 'NeedRecorded' && (e.data as { title: string }).title === 'Stroke triage',
    );
    expect(recorded).toHaveLength(1);

    const other = await post('/needs')
      .set('Idempotency-Key', 'create-need-1')
      .send({ title: 'Other' })
      .expect(422);
    expect(other.body.statusCode).toBe(422);
  });

  it('retries internally without If-Match, and refuses a stale If-Match with the current revision', async () => {
    const { id } = await record();
    const first = await post(`/needs/${id}/prioritise`)
      .set('If-Match', '"0"')
      .send({ score: 40 })
      .expect(200);
    expect(first.body).toMatchObject({ score: 40, revision: 1 });

    const stale = await post(`/needs/${id}/prioritise`)
      .set('If-Match', '"0"')
      .send({ score: 70 })
      .expect(409);
    expect(stale.body).toMatchObject({
      statusCode: 409,
      error: 'Conflict',
      details: { currentRevision: '1' },
    });

    const racing = await Promise.all(
      [10, 20, 30, 50, 60].map((score) => post(`/needs/${id}/prioritise`).send({ score })),
    );
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await store.readStream(streamOf(id))).toHaveLength(7);
  });

  it('maps the decider refusals: 404, 422, 409', async () => {
    await post(`/needs/${randomUUID()}/prioritise`).send({ score: 5 }).expect(404);
    const { id } = await record();
    await post(`/needs/${id}/prioritise`, bea).send({ score: 5 }).expect(422);
    await post(`/needs/${id}/withdraw`).send({ reason: 'covered by another need' }).expect(200);
    const res = await post(`/needs/${id}/prioritise`).send({ score: 5 }).expect(409);
    expect(res.body.message).toBe('The need was withdrawn');
    const [, withdrawn] = await store.readStream(streamOf(id));
    expect(withdrawn.reason).toBe('covered by another need');
  });

  it('writes actor, reason, correlation and causation ids from the request into the envelope', async () => {
    const { id } = await record();
    const res = await post(`/needs/${id}/withdraw`)
      .set('X-Correlation-Id', 'corr-withdraw-7')
      .set('X-Causation-Id', 'evt-consultation-closed-3')
      .send({ reason: 'merged into a regional need' })
      .expect(200);
    expect(res.headers['x-correlation-id']).toBe('corr-withdraw-7');

    const logged = (await store.readAll(0n, 10_000)).filter(
      (event) => event.streamId === streamOf(id) && event.type === 'NeedWithdrawn',
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      revision: 1n,
      actor: { userId: 'u-ana', org: 'org-a', roles: ['procurer'] },
      reason: 'merged into a regional need',
      correlationId: 'corr-withdraw-7',
      causationId: 'evt-consultation-closed-3',
    });
    // The request that recorded the need named no cause and no correlation: none is invented
    // for the cause, and the correlation id is a fresh one, echoed to the caller.
    const [recorded] = await store.readStream(streamOf(id));
    expect(recorded.causationId).toBeNull();
    expect(recorded.reason).toBeNull();
    expect(recorded.correlationId).toMatch(/^[0-9a-f-]{36}$/);

    const { id: other } = await record();
    await post(`/needs/${other}/withdraw`)
      .set('X-Causation-Id', 'not an id; DROP')
      .send({ reason: 'duplicate' })
      .expect(200);
    const [, withdrawn] = await store.readStream(streamOf(other));
    expect(withdrawn).toMatchObject({ reason: 'duplicate', causationId: null });
  });

  it('400 for invalid fields before anything is decided', async () => {
    const { id } = await record();
    const res = await post(`/needs/${id}/prioritise`).send({ score: 101, extra: true }).expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'extra',
      'score',
    ]);
    expect(await store.readStream(streamOf(id))).toHaveLength(1);
  });
});
