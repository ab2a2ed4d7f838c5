import { randomBytes } from 'node:crypto';
import { mintToken } from '@pcp/auth';
import { consultationsContext, consultationsContextWith } from '@pcp/consultations';
import { needsContext } from '@pcp/needs';
import { pilotsContext, pilotsContextWith } from '@pcp/pilots';
import { pipelineContext } from '@pcp/pipeline';
import { createTestApp, type BoundedContext, type TestApp } from '@pcp/platform';
import { tendersContext, tendersContextWith } from '@pcp/tenders';
import { verifyEventStore, PostgresAnchorStore, PostgresEventStore } from '@pcp/eventsourcing';
import { buildApps } from '@pcp/testing';
import { startDistributed, type DistributedSystem } from './distributed';
import type { Client } from './scenario';
import {
  checkWholeSystem,
  runWholeSystem,
  type ScenarioOutcome,
  type ScenarioOptions,
} from './whole-system.scenario';
import { differencesOf, rebuildService, type ServiceEnv } from './whole-system.rebuild';

const SERVICES = ['needs', 'consultations', 'tenders', 'pilots', 'pipeline'] as const;
const CONTEXT_OF: Record<(typeof SERVICES)[number], BoundedContext> = {
  needs: needsContext,
  consultations: consultationsContext,
  tenders: tendersContext,
  pilots: pilotsContext,
  pipeline: pipelineContext,
};

/**
 * Issue 8, point 6: one scenario from a need in Catalonia to a deployment, run unchanged in
 * both modes through the public HTTP API, then read back through the pipeline.
 */
function wholeSystem(client: () => Client, options: ScenarioOptions) {
  let outcome: ScenarioOutcome;

  it('runs a buyers group’s need through consultation, a 5-3-2 PCP and two pilots to deployment', async () => {
    outcome = await runWholeSystem(client(), options);
    expect(Object.keys(outcome.innovations)).toHaveLength(6);
  }, 300_000);

  it('shows the deployed innovation’s timeline with every actor, a matching funnel and SME shares, and a sound audit trail', async () => {
    expect(outcome).toBeDefined();
    await checkWholeSystem(client(), outcome, options);
  }, 120_000);
}

describe('the whole system: a need in Catalonia to a deployment, in both modes', () => {
  describe('embedded (every context in one process: PGlite log, consumers fed from the log)', () => {
    let app: TestApp;

    beforeAll(async () => {
      app = await createTestApp({
        contexts: [
          needsContext,
          consultationsContextWith({ consistencyWaitMs: 5000 }),
          tendersContextWith({ consistencyWaitMs: 5000, deadlineCheckMs: 250 }),
          pilotsContextWith({ consistencyWaitMs: 5000 }),
          pipelineContext,
        ],
      });
    }, 60_000);
    afterAll(() => app?.close());

    wholeSystem(() => ({ baseUrl: app.url, token: (claims) => app.token(claims as never) }), {
      deadlineAheadMs: 10_000,
      catchUpMs: 10_000,
    });
  });

  describe('distributed (five services behind the gateway: PostgreSQL, Kafka, FerretDB)', () => {
    const secret = randomBytes(32).toString('base64url');
    const token: Client['token'] = (claims) =>
      mintToken({ name: claims.sub, ...claims, roles: claims.roles as never }, { secret });
    let system: DistributedSystem;

    // One start-up for the whole file's distributed part: five services and the gateway.
    beforeAll(async () => {
      const mainOf = buildApps('e2e-whole-system');
      system = await startDistributed(mainOf, [...SERVICES], {
        AUTH_JWT_SECRET: secret,
        CONSISTENCY_WAIT_MS: '20000',
        TENDER_DEADLINE_CHECK_MS: '500',
      });
    }, 240_000);
    afterAll(() => system?.stop(), 60_000);

    wholeSystem(() => ({ baseUrl: system.gateway.url, token }), {
      deadlineAheadMs: 25_000,
      catchUpMs: 60_000,
    });

    it('verifies every service’s own log: each chain unbroken', async () => {
      for (const name of SERVICES) {
        const env = system.envOf[name];
        const store = await PostgresEventStore.connect(env['DATABASE_URL'], {
          schema: env['EVENT_STORE_SCHEMA'],
          notify: false,
        });
        try {
          const report = await verifyEventStore(
            store,
            new PostgresAnchorStore(store.client, store.schema),
          );
          expect({ name, ok: report.ok }).toEqual({ name, ok: true });
          if (name !== 'pipeline')
            expect({ name, some: report.checkedEvents > 0 }).toEqual({ name, some: true });
        } finally {
          await store.close();
        }
      }
    }, 60_000);

    it('rebuilds every service’s read models from zero, equal to the live ones field by field', async () => {
      for (const name of SERVICES) {
        const { live, rebuilt, collections, deadLetters } = await rebuildService(
          CONTEXT_OF[name],
          system.envOf[name] as unknown as ServiceEnv,
        );
        expect({ name, deadLetters }).toEqual({ name, deadLetters: 0 });
        expect({ name, some: Object.keys(live).length > 0 }).toEqual({ name, some: true });
        const differences = differencesOf(live, rebuilt);
        expect({ name, differences }).toEqual({ name, differences: [] });
        expect(collections.length).toBeGreaterThan(0);
      }
    }, 240_000);
  });
});
