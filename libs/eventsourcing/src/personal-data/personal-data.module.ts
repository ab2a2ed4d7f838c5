import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EVENT_STORE_SQL } from '../nest/event-store.module';
import { PgliteSqlClient } from '../store/postgres/pglite-sql-client';
import type { SqlClient } from '../store/postgres/sql-client';
import { PERSONAL_DATA_VAULT } from './personal-data-vault';
import { PostgresPersonalDataVault } from './postgres-personal-data-vault';

export interface PersonalDataModuleOptions {
  /** Schema of the key table; default `personal_data`, shared by the services of one server. */
  schema?: string;
  /** Where the keys live when the event log has no SQL database (EventStoreDB): PGlite here. */
  dataDir?: string;
}

const OWN_SQL = Symbol('PERSONAL_DATA_OWN_SQL');

/** Closes the PGlite database the vault opened for itself (none when it shares the log's). */
@Injectable()
class VaultLifecycle implements OnApplicationShutdown {
  constructor(@Inject(OWN_SQL) private readonly own: { sql: SqlClient | null }) {}

  async onApplicationShutdown(): Promise<void> {
    await this.own.sql?.close();
  }
}

/**
 * The personal-data vault of a service: its keys sit beside the event log (same PostgreSQL
 * server or PGlite database), in their own schema. Needs EventStoreModule.
 */
@Module({})
export class PersonalDataModule {
  static forRoot(options: PersonalDataModuleOptions = {}): DynamicModule {
    return {
      module: PersonalDataModule,
      global: true,
      providers: [
        { provide: OWN_SQL, useValue: { sql: null } },
        {
          provide: PERSONAL_DATA_VAULT,
          useFactory: async (shared: SqlClient | null, own: { sql: SqlClient | null }) => {
            let sql = shared;
            if (!sql) {
              own.sql = await PgliteSqlClient.open(
                join(options.dataDir ?? process.env.DATA_DIR ?? './.data', 'personal-data'),
              );
              sql = own.sql;
            }
            return PostgresPersonalDataVault.open(sql, { schema: options.schema });
          },
          inject: [EVENT_STORE_SQL, OWN_SQL],
        },
        VaultLifecycle,
      ],
      exports: [PERSONAL_DATA_VAULT],
    };
  }
}
