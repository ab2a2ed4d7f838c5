import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '../store/postgres/postgres-event-store';
import { personalDataVaultContract } from './personal-data-vault.contract';
import { PostgresPersonalDataVault } from './postgres-personal-data-vault';

const dataDir = mkdtempSync(join(tmpdir(), 'pcp-pglite-vault-'));
let store: PostgresEventStore | null = null;
afterAll(async () => {
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

personalDataVaultContract(
  'PostgreSQL adapter on PGlite (beside the embedded event log)',
  async () => {
    store = await PostgresEventStore.embedded(dataDir);
    const sql = store.client;
    return {
      vault: await PostgresPersonalDataVault.open(sql),
      other: () => PostgresPersonalDataVault.open(sql),
      store,
    };
  },
);
