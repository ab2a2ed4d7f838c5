/**
 * The baseline of the HTTP command scenarios: a bare NestJS route that inserts one row per
 * request into PostgreSQL, with none of the platform's validation, authorisation, decision
 * or event store around it. Started as its own process, like the services it is compared to.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

@Controller('needs')
class BareNeedsController {
  @Post()
  @HttpCode(201)
  async record(@Body() body: Record<string, unknown>): Promise<{ id: string }> {
    const id = randomUUID();
    await pool.query('INSERT INTO bench_bare.needs (id, body) VALUES ($1, $2)', [
      id,
      JSON.stringify(body),
    ]);
    return { id };
  }
}

@Controller('health')
class BareHealthController {
  @Get('ready')
  ready(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [BareNeedsController, BareHealthController] })
class BareModule {}

async function main(): Promise<void> {
  await pool.query(
    'CREATE SCHEMA IF NOT EXISTS bench_bare; CREATE TABLE IF NOT EXISTS bench_bare.needs (id uuid PRIMARY KEY, body jsonb NOT NULL)',
  );
  const app = await NestFactory.create(BareModule, { logger: false });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
}

void main();
