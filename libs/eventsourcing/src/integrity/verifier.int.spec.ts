import { requireEngine } from '@pcp/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgliteSqlClient } from '../store/postgres/pglite-sql-client';
import { PostgresEventStore } from '../store/postgres/postgres-event-store';
import { verifierContract } from './verifier.contract';

verifierContract('a PostgreSQL server', {
  open: (schema) => PostgresEventStore.connect(requireEngine('postgres'), { schema }),
  dispose: async (schemas) => {
    const cleaner = await PostgresEventStore.connect(requireEngine('postgres'), {
      schema: 'es_verify_cleanup',
    });
    for (const schema of [...schemas, 'es_verify_cleanup'])
      await cleaner.client.exec(`DROP SCHEMA ${schema} CASCADE`);
    await cleaner.close();
  },
});

// The embedded store: one PGlite database on disk (opening one costs seconds), a schema per test.
const pgliteRoot = mkdtempSync(join(tmpdir(), 'pcp-verify-'));
let pglite: Promise<PgliteSqlClient> | null = null;
verifierContract('PGlite (files on disk)', {
  open: async (schema) => {
    pglite ??= PgliteSqlClient.open(pgliteRoot);
    return PostgresEventStore.open(await pglite, { schema, ownsClient: false });
  },
  dispose: async () => {
    await (await pglite)?.close();
    rmSync(pgliteRoot, { recursive: true, force: true });
  },
});
