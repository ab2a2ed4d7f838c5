import { requireEngine } from '@pcp/testing';
import { eventStoreContract } from '../event-store.contract';
import { PostgresEventStore } from './postgres-event-store';

// A schema per run keeps runs (and parallel suites) apart on the shared server.
const schema = `es_contract_${process.pid}_${Date.now().toString(36)}`;
let dropSchema: (() => Promise<void>) | null = null;

afterAll(async () => {
  await dropSchema?.();
});

eventStoreContract('PostgreSQL adapter on a PostgreSQL server', async () => {
  const store = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
  dropSchema = async () => {
    const cleaner = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
    await cleaner.client.exec(`DROP SCHEMA ${schema} CASCADE`);
    await cleaner.close();
  };
  return store;
});
