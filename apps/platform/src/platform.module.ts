import { DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { AuthModule } from '@pcp/auth';
import { EVENT_STORE, EVENT_STORE_SQL, EventStoreModule, type EventStore, type SqlClient } from '@pcp/eventsourcing';
import {
  CommandHttpModule,
  HealthModule,
  InMemoryIdempotencyStore,
  LoggingModule,
  MetricsModule,
  PlatformConfig,
  PostgresIdempotencyStore,
  ReadinessRegistry,
  resolveJwtSecret,
} from '@pcp/http';

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

@Module({})
export class PlatformModule {
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        LoggingModule.forRoot({ level: config.LOG_LEVEL, service: 'platform' }),
        AuthModule.forRoot(
          config.AUTH_JWKS_URL
            ? { jwksUrl: config.AUTH_JWKS_URL }
            : { jwtSecret: resolveJwtSecret(config.DATA_DIR, config.AUTH_JWT_SECRET) },
        ),
        EventStoreModule.forRoot({
          kind: config.EVENT_STORE,
          dataDir: config.DATA_DIR,
          databaseUrl: config.DATABASE_URL,
          eventStoreDbUrl: config.EVENTSTOREDB_URL,
        }),
        CommandHttpModule.forRoot({
          // Idempotency keys sit beside the events when the log is PostgreSQL; EventStoreDB
          // has no table for them, so they are kept in memory there (a restart forgets them).
          idempotencyStore: {
            useFactory: (sql: SqlClient | null) =>
              sql ? PostgresIdempotencyStore.create(sql) : new InMemoryIdempotencyStore(),
            inject: [EVENT_STORE_SQL],
          },
        }),
        HealthModule,
        MetricsModule,
      ],
      providers: [EventStoreReadiness],
    };
  }
}
