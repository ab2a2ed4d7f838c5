import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mintToken, type TokenClaims } from '@pcp/auth';
import { DOCUMENT_STORE, type DocumentStore } from '@pcp/documents';
import { EVENT_STORE, type EventStore } from '@pcp/eventsourcing';
import { hardenHttp, loadConfig, setupOpenApi } from '@pcp/http';
import request from 'supertest';
import type { BoundedContext } from '../bounded-context';
import { ContextRuntime } from '../context-runtime';
import { PlatformCoreModule } from '../platform-core.module';

export interface TestApp {
  app: INestApplication;
  /** http://127.0.0.1:<port> */
  url: string;
  /** A supertest client of the running app. */
  http: () => ReturnType<typeof request>;
  /** A valid bearer token for these claims (name defaults to the user id). */
  token(claims: Omit<TokenClaims, 'name'> & { name?: string }): Promise<string>;
  store: EventStore;
  documents: DocumentStore;
  /** Waits until projections and consumers have handled everything in the log. */
  settle(timeoutMs?: number): Promise<void>;
  dataDir: string;
  secret: string;
  /** Stops the app; its data folder is removed unless `keepData`. */
  close(keepData?: boolean): Promise<void>;
}

export interface TestAppOptions {
  contexts: BoundedContext[];
  /** Extra environment (same names as the services read). */
  env?: Record<string, string>;
  /** Reuse a data folder (a restart); by default a new temporary one. */
  dataDir?: string;
  /** Token secret; pass the first app's to restart on the same data. */
  secret?: string;
  /** Resolve only once every Kafka consumer has joined its group (readiness); default true. */
  waitForConsumers?: boolean;
}

/**
 * The embedded platform with the given contexts, as `npm start` composes it: PGlite in a
 * temporary folder, in-memory read models, consumers fed from the log, listening on a free
 * loopback port. One per test file; close it in afterAll.
 */
export async function createTestApp(options: TestAppOptions): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pcp-test-'));
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const config = loadConfig({
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: secret,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    // rebuilt from the log at each start unless a test asks for snapshots
    READ_MODEL_SNAPSHOT: 'off',
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformCoreModule.forRoot({
        config,
        service: 'test',
        contexts: options.contexts,
        eventStoreSchema: config.EVENT_STORE_SCHEMA,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  hardenHttp(app, config);
  setupOpenApi(app, { title: 'test', description: 'test', version: '0' });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const runtime = app.get(ContextRuntime);
  // as a deployment waits for readiness before sending traffic
  if (options.waitForConsumers !== false)
    await runtime.consumersJoined().catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    http: () => request(app.getHttpServer()),
    token: (claims) => mintToken({ name: claims.sub, ...claims }, { secret }),
    store: app.get(EVENT_STORE),
    documents: app.get(DOCUMENT_STORE),
    settle: (timeoutMs) => runtime.settle(timeoutMs),
    dataDir,
    secret,
    close: async (keepData = false) => {
      await app.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
