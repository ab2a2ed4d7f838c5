import { requireEngine } from '@pcp/testing';
import { PgSqlClient } from '../store/postgres/pg-sql-client';
import { PostgresEventStore } from '../store/postgres/postgres-event-store';
import { personalDataVaultContract } from './personal-data-vault.contract';
import { PostgresPersonalDataVault } from './postgres-personal-data-vault';

// Schemas per run keep runs (and parallel suites) apart on the shared server.
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const vaultSchema = `pd_contract_${suffix}`;
const storeSchema = `pd_contract_es_${suffix}`;
const clients: Array<{ close(): Promise<void> }> = [];

afterAll(async () => {
  const cleaner = new PgSqlClient(requireEngine('postgres'));
  for (const client of clients) await client.close();
  await cleaner.exec(`DROP SCHEMA IF EXISTS ${vaultSchema} CASCADE`);
  await cleaner.exec(`DROP SCHEMA IF EXISTS ${storeSchema} CASCADE`);
  await cleaner.close();
});

personalDataVaultContract('PostgreSQL adapter on a PostgreSQL server', async () => {
  const url = requireEngine('postgres');
  const sql = new PgSqlClient(url);
  const store = await PostgresEventStore.connect(url, { schema: storeSchema });
  clients.push(sql, store);
  return {
    vault: await PostgresPersonalDataVault.open(sql, { schema: vaultSchema }),
    // Another process: its own connection pool.
    other: async () => {
      const own = new PgSqlClient(url);
      clients.push(own);
      return PostgresPersonalDataVault.open(own, { schema: vaultSchema });
    },
    store,
  };
});
