import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreContract } from '../event-store.contract';
import { PostgresEventStore } from './postgres-event-store';

const dataDir = mkdtempSync(join(tmpdir(), 'pcp-pglite-contract-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

eventStoreContract('PostgreSQL adapter on PGlite (files on disk)', () =>
  PostgresEventStore.embedded(dataDir),
);
