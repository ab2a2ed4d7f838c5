/**
 * Opens the event store a command works on, the way the services configure theirs:
 * `--data-dir D` (the embedded store inside a service's DATA_DIR), `--database-url U
 * [--schema S]` (PostgreSQL), or `--eventstoredb-url U`; without options, the same
 * environment variables the services read (EVENT_STORE, DATA_DIR, DATABASE_URL,
 * EVENT_STORE_SCHEMA, EVENTSTOREDB_URL).
 */
import { existsSync } from 'node:fs';
import {
  type AnchorStore,
  embeddedStoreDir,
  type EventStore,
  EventStoreDbAnchorStore,
  EventStoreDbEventStore,
  PostgresAnchorStore,
  PostgresEventStore,
} from '@pcp/eventsourcing';

export interface EventLogOptions {
  'data-dir'?: string;
  'database-url'?: string;
  schema?: string;
  'eventstoredb-url'?: string;
}

export const EVENT_LOG_OPTIONS = {
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  'eventstoredb-url': { type: 'string' },
} as const;

export interface EventLog {
  store: EventStore;
  anchors: AnchorStore;
  /** Where it is, for messages (without credentials). */
  where: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const withoutPassword = (url: string): string => url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');

export async function openEventLog(
  options: EventLogOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EventLog> {
  const given = [options['data-dir'], options['database-url'], options['eventstoredb-url']];
  if (given.filter((value) => value !== undefined).length > 1)
    throw new UsageError('Give one of --data-dir, --database-url, --eventstoredb-url');
  const schema = options.schema ?? env['EVENT_STORE_SCHEMA'] ?? 'eventstore';
  const kind = options['data-dir']
    ? 'pglite'
    : options['database-url']
      ? 'postgres'
      : options['eventstoredb-url']
        ? 'eventstoredb'
        : (env['EVENT_STORE'] ?? 'pglite');

  if (kind === 'pglite') {
    const dir = embeddedStoreDir(options['data-dir'] ?? env['DATA_DIR'] ?? './.data');
    // Opening a folder that is not there would create an empty store and report it sound.
    if (!existsSync(dir)) throw new UsageError(`No embedded event store at ${dir}`);
    // The embedded store is one process's files: stop the service that uses them first.
    const store = await PostgresEventStore.embedded(dir, { schema, notify: false });
    return {
      store,
      anchors: new PostgresAnchorStore(store.client, store.schema),
      where: `embedded store ${dir}`,
    };
  }
  if (kind === 'postgres') {
    const url = options['database-url'] ?? env['DATABASE_URL'];
    if (!url) throw new UsageError('EVENT_STORE=postgres needs --database-url or DATABASE_URL');
    const store = await PostgresEventStore.connect(url, { schema, notify: false });
    return {
      store,
      anchors: new PostgresAnchorStore(store.client, store.schema),
      where: `${withoutPassword(url)} schema ${schema}`,
    };
  }
  if (kind === 'eventstoredb') {
    const url = options['eventstoredb-url'] ?? env['EVENTSTOREDB_URL'];
    if (!url)
      throw new UsageError('EVENT_STORE=eventstoredb needs --eventstoredb-url or EVENTSTOREDB_URL');
    const store = EventStoreDbEventStore.connect(url, { scope: schema });
    return {
      store,
      anchors: new EventStoreDbAnchorStore(store.client, schema),
      where: `${withoutPassword(url)} streams ${schema}:*`,
    };
  }
  throw new UsageError(`EVENT_STORE must be pglite, postgres or eventstoredb, not ${kind}`);
}
