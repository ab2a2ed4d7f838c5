import { Inject, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { AuthModule } from '@pcp/auth';
import {
  EVENT_STORE,
  EVENT_STORE_SQL,
  EventStoreModule,
  PersonalDataModule,
  type EventStore,
  type SqlClient,
} from '@pcp/eventsourcing';
import {
  CommandHttpModule,
  HealthModule,
  InMemoryIdempotencyStore,
  LoggingModule,
  MetricsModule,
  PLATFORM_CONFIG,
  PostgresIdempotencyStore,
  ReadinessRegistry,
  auditServicesOf,
  resolveJwtSecret,
  SecurityModule,
  type PlatformConfig,
} from '@pcp/http';
import type { BoundedContext } from './bounded-context';
import { ContextRuntime, RUNTIME_OPTIONS, type RuntimeOptions } from './context-runtime';
import { PeopleModule } from './personal-data/people.controller';
import { StoreAuditModule } from './audit/audit.module';
import { ReadModelsModule } from './read-models.module';
import { codeFingerprint, snapshotFile } from './read-model-snapshot';

/** Readiness waits on the event log: without it no command can be decided. */
@Injectable()
class EventStoreReadiness implements OnModuleInit {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register({
      name: 'eventStore',
      check: async () => {
        await this.store.readAll(-1n, 1);
      },
    });
  }
}

/** The validated configuration, open to every module of the service. */
@Module({})
class PlatformConfigModule {
  static of(config: PlatformConfig): DynamicModule {
    return {
      module: PlatformConfigModule,
      global: true,
      providers: [{ provide: PLATFORM_CONFIG, useValue: config }],
      exports: [PLATFORM_CONFIG],
    };
  }
}

export interface PlatformCoreOptions {
  config: PlatformConfig;
  /** Log and metrics label, Kafka client id: `platform` or the context's name. */
  service: string;
  contexts: BoundedContext[];
  /** PostgreSQL schema of the event store (one per service in the distributed setup). */
  eventStoreSchema?: string;
}

/**
 * Everything a service is made of besides its contexts: logs, auth, the event store, the
 * command pipeline, read models, health and metrics, and the runtime that feeds projections
 * and consumers. The embedded app passes every context; a distributed service passes one.
 */
@Module({})
export class PlatformCoreModule {
  static forRoot(options: PlatformCoreOptions): DynamicModule {
    const { config } = options;
    return {
      module: PlatformCoreModule,
      imports: [
        PlatformConfigModule.of(config),
        LoggingModule.forRoot({ level: config.LOG_LEVEL, service: options.service }),
        AuthModule.forRoot(
          config.AUTH_JWKS_URL
            ? { jwksUrl: config.AUTH_JWKS_URL, jwtSecret: config.AUTH_JWT_SECRET }
            : { jwtSecret: resolveJwtSecret(config.DATA_DIR, config.AUTH_JWT_SECRET) },
        ),
        // After AuthModule: its guard runs first, so write limits count per verified user.
        SecurityModule.forRoot(config),
        EventStoreModule.forRoot({
          kind: config.EVENT_STORE,
          dataDir: config.DATA_DIR,
          databaseUrl: config.DATABASE_URL,
          eventStoreDbUrl: config.EVENTSTOREDB_URL,
          schema: options.eventStoreSchema,
          anchorIntervalMs: config.ANCHOR_INTERVAL_MS,
          upcasters: options.contexts.flatMap((c) => c.upcasters ?? []),
        }),
        // Person keys beside the log; erasing one makes that person's data unreadable everywhere.
        PersonalDataModule.forRoot({ dataDir: config.DATA_DIR }),
        PeopleModule,
        CommandHttpModule.forRoot({
          // Idempotency keys sit beside the events when the log is PostgreSQL; EventStoreDB
          // has no table for them, so they are kept in memory there (a restart forgets them).
          idempotencyStore: {
            useFactory: (sql: SqlClient | null) =>
              sql ? PostgresIdempotencyStore.create(sql) : new InMemoryIdempotencyStore(),
            inject: [EVENT_STORE_SQL],
          },
        }),
        ReadModelsModule.forRoot({ kind: config.READ_MODELS, mongoUrl: config.MONGO_URL }),
        StoreAuditModule.forRoot({
          service: options.service,
          services: auditServicesOf(config),
        }),
        HealthModule,
        MetricsModule,
        ...options.contexts.map((c) => c.module),
      ],
      providers: [
        EventStoreReadiness,
        {
          provide: RUNTIME_OPTIONS,
          useValue: {
            service: options.service,
            contexts: options.contexts,
            integration: config.INTEGRATION,
            kafkaBrokers: config.KAFKA_BROKERS,
            kafkaTopicPrefix: config.KAFKA_TOPIC_PREFIX,
            readModels: config.READ_MODELS,
            readModelSnapshot: readModelSnapshotOf(config, options.service),
            relayLeaseScope: options.eventStoreSchema ?? 'eventstore',
          },
        },
        ContextRuntime,
      ],
      exports: [ContextRuntime],
    };
  }
}

/** Where the embedded read models are saved between runs, when they are. */
function readModelSnapshotOf(
  config: PlatformConfig,
  service: string,
): RuntimeOptions['readModelSnapshot'] {
  if (config.READ_MODEL_SNAPSHOT !== 'on' || config.READ_MODELS !== 'memory') return undefined;
  if (config.INTEGRATION !== 'log') return undefined;
  const fingerprint = codeFingerprint();
  if (!fingerprint) return undefined;
  return { file: snapshotFile(config.DATA_DIR, service), fingerprint };
}
