import { setTimeout as sleep } from 'node:timers/promises';
import {
  Body,
  Controller,
  Get,
  Headers,
  type INestApplication,
  Logger,
  Post,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import request from 'supertest';
import { ApiExceptionFilter } from '../errors/api-exception.filter';
import { CORRELATION_HEADER, LoggingModule } from './logging.module';

const lines: Record<string, unknown>[] = [];
const capture = { write: (line: string) => void lines.push(JSON.parse(line)) };

@Controller('probe')
class ProbeController {
  private readonly logger = new Logger('Probe');

  @Get()
  async probe(@Headers(CORRELATION_HEADER) asked: string): Promise<{ ok: true }> {
    // After a pause, as a handler that waits for its store: the id must follow it.
    await sleep(Math.floor(Math.random() * 20));
    this.logger.log(`handling ${asked}`);
    return { ok: true };
  }

  @Post()
  take(@Body() body: unknown): unknown {
    return body;
  }
}

describe('request logging', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        LoggingModule.forRoot({ level: 'info', service: 'logging-spec', destination: capture }),
      ],
      controllers: [ProbeController],
    }).compile();
    app = module.createNestApplication({ bufferLogs: true });
    app.useLogger(app.get(PinoNestLogger));
    app.useGlobalFilters(new ApiExceptionFilter());
    await app.init();
  });
  afterAll(() => app.close());

  it("tags every line written while a request is handled with that request's correlation id", async () => {
    lines.length = 0;
    const ids = Array.from({ length: 20 }, (_, i) => `corr-log-${i}`);
    await Promise.all(
      ids.map((id) =>
        request(app.getHttpServer()).get('/probe').set(CORRELATION_HEADER, id).expect(200),
      ),
    );
    for (const id of ids) {
      const handled = lines.find((line) => line.msg === `handling ${id}`);
      expect(handled).toMatchObject({
        correlationId: id,
        context: 'Probe',
        service: 'logging-spec',
      });
      const completed = lines.find(
        (line) => line.msg === 'request completed' && line.correlationId === id,
      );
      expect(completed).toMatchObject({
        req: { method: 'GET', url: '/probe' },
        res: { statusCode: 200 },
      });
    }
  });

  it('gives a request without a usable id a new one, and lines outside requests none', async () => {
    lines.length = 0;
    const res = await request(app.getHttpServer()).get('/probe').set(CORRELATION_HEADER, 'bad id!');
    const generated = res.headers[CORRELATION_HEADER];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.find((line) => line.msg === 'handling bad id!')).toMatchObject({
      correlationId: generated,
    });
    new Logger('Outside').log('no request here');
    const outside = lines.find((line) => line.msg === 'no request here');
    expect(outside).toMatchObject({ context: 'Outside' });
    expect(outside).not.toHaveProperty('correlationId');
  });

  it('writes one line for each request, those refused before the request logger included', async () => {
    lines.length = 0;
    await request(app.getHttpServer())
      .post('/probe')
      .set(CORRELATION_HEADER, 'corr-bad-body')
      .set('content-type', 'application/json')
      .send('{"title":')
      .expect(400);
    await request(app.getHttpServer())
      .get('/nowhere')
      .set(CORRELATION_HEADER, 'corr-none')
      .expect(404);
    const completed = (id: string) =>
      lines.filter((line) => line.msg === 'request completed' && line.correlationId === id);
    expect(completed('corr-bad-body')).toEqual([
      expect.objectContaining({
        level: 40,
        req: { method: 'POST', url: '/probe' },
        res: { statusCode: 400 },
      }),
    ]);
    expect(completed('corr-none')).toEqual([
      expect.objectContaining({
        req: { method: 'GET', url: '/nowhere' },
        res: { statusCode: 404 },
      }),
    ]);
  });
});
