import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { AnchorScheduler, type AnchorStore } from '../integrity/anchors';
import { type EventSearch, ScanningEventSearch } from '../integrity/event-search';
import type { EventStore } from '../store/event-store';
import { EventStoreDbAnchorStore } from '../store/eventstoredb/eventstoredb-anchor-store';
import { EventStoreDbEventStore } from '../store/eventstoredb/eventstoredb-event-store';
import { PostgresAnchorStore } from '../store/postgres/postgres-anchor-store';
import { PostgresEventSearch } from '../store/postgres/postgres-event-search';
import { embeddedStoreDir, PostgresEventStore } from '../store/postgres/postgres-event-store';
import type { SqlClient } from '../store/postgres/sql-client';
import { UpcasterRegistry, type UpcasterStep } from '../upcasting/upcasters';
import { UpcastingEventStore } from '../upcasting/upcasting-event-store';

export const EVENT_STORE = Symbol('EVENT_STORE');
export const ANCHOR_STORE = Symbol('ANCHOR_STORE');
/** The store's SQL client on the PostgreSQL kinds (null on EventStoreDB), for stores beside it. */
export const EVENT_STORE_SQL = Symbol('EVENT_STORE_SQL');
/** Finds stored events by type, stream, actor, organisation and time (the audit's listing). */
export const EVENT_SEARCH = Symbol('EVENT_SEARCH');
const CONNECTION = Symbol('EVENT_STORE_CONNECTION');

export type EventStoreKind = 'pglite' | 'postgres' | 'eventstoredb';

export interface EventStoreModuleOptions {
  kind: EventStoreKind;
  /** pglite: the service's DATA_DIR; the store keeps its files in a folder inside it. */
  dataDir?: string;
  /** postgres: connection string. */
  databaseUrl?: string;
  /** eventstoredb: connection string. */
  eventStoreDbUrl?: string;
  /**
   * The service's part of a shared store (one per context in the distributed setup): the
   * schema of its tables on PostgreSQL, the prefix of its streams on EventStoreDB.
   */
  schema?: string;
  /** How often an integrity anchor is recorded; 0 turns the schedule off. Default 1 hour. */
  anchorIntervalMs?: number;
  /**
   * The contexts' upcasters: every read of the service's store (streams, readAll,
   * subscriptions) gives events in their current shape; the stored rows, their hashes and
   * the audit's search keep the stored form.
   */
  upcasters?: readonly UpcasterStep[];
}

interface Connection {
  store: EventStore;
  anchors: AnchorStore;
  search: EventSearch;
  sql: SqlClient | null;
}

async function connect(options: EventStoreModuleOptions): Promise<Connection> {
  const stored = await connectStored(options);
  const upcasters = options.upcasters ?? [];
  if (upcasters.length === 0) return stored;
  return {
    ...stored,
    store: new UpcastingEventStore(stored.store, UpcasterRegistry.of(upcasters)),
  };
}

async function connectStored(options: EventStoreModuleOptions): Promise<Connection> {
  switch (options.kind) {
    case 'pglite': {
      const store = await PostgresEventStore.embedded(embeddedStoreDir(options.dataDir), {
        schema: options.schema,
      });
      return {
        store,
        anchors: new PostgresAnchorStore(store.client, store.schema),
        search: new PostgresEventSearch(store.client, store.schema),
        sql: store.client,
      };
    }
    case 'postgres': {
      if (!options.databaseUrl) throw new Error('the postgres event store needs DATABASE_URL');
      const store = await PostgresEventStore.connect(options.databaseUrl, {
        schema: options.schema,
      });
      return {
        store,
        anchors: new PostgresAnchorStore(store.client, store.schema),
        search: new PostgresEventSearch(store.client, store.schema),
        sql: store.client,
      };
    }
    case 'eventstoredb': {
      if (!options.eventStoreDbUrl)
        throw new Error('the eventstoredb event store needs EVENTSTOREDB_URL');
      const client = EventStoreDBClient.connectionString(options.eventStoreDbUrl);
      // The schema names the service's part of the database, as on a PostgreSQL server.
      const store = new EventStoreDbEventStore(client, { scope: options.schema });
      return {
        store,
        anchors: new EventStoreDbAnchorStore(client, store.names.scope),
        search: new ScanningEventSearch(store),
        sql: null,
      };
    }
  }
}

/** Records anchors on a schedule and closes the store when the application stops. */
@Injectable()
class EventStoreLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventStore');
  private scheduler: AnchorScheduler | null = null;

  constructor(
    @Inject(CONNECTION) private readonly connection: Connection,
    @Inject('EVENT_STORE_OPTIONS') private readonly options: EventStoreModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.options.anchorIntervalMs ?? 3_600_000;
    if (intervalMs <= 0) return;
    this.scheduler = new AnchorScheduler(this.connection.store, this.connection.anchors, {
      intervalMs,
      onError: (error) => this.logger.error(`anchoring failed: ${String(error)}`),
      onAnchor: (anchor) =>
        this.logger.log(`anchor ${anchor.id} over ${anchor.streamCount} streams: ${anchor.root}`),
    });
    this.scheduler.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduler?.stop();
    await this.connection.store.close();
  }
}

/** The event store of a service, chosen by configuration (EVENT_STORE). */
@Module({})
export class EventStoreModule {
  static forRoot(options: EventStoreModuleOptions): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      providers: [
        { provide: 'EVENT_STORE_OPTIONS', useValue: options },
        { provide: CONNECTION, useFactory: () => connect(options) },
        { provide: EVENT_STORE, useFactory: (c: Connection) => c.store, inject: [CONNECTION] },
        { provide: ANCHOR_STORE, useFactory: (c: Connection) => c.anchors, inject: [CONNECTION] },
        { provide: EVENT_STORE_SQL, useFactory: (c: Connection) => c.sql, inject: [CONNECTION] },
        { provide: EVENT_SEARCH, useFactory: (c: Connection) => c.search, inject: [CONNECTION] },
        EventStoreLifecycle,
      ],
      exports: [EVENT_STORE, ANCHOR_STORE, EVENT_STORE_SQL, EVENT_SEARCH],
    };
  }
}
