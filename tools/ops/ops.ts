/**
 * Operations on an installation: `npm run ops -- <command> [options]`. Progress goes to
 * stderr, results to stdout; the exit code is 0 on success, 1 when the work found a problem
 * or failed, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { mintToken } from '@pcp/auth';
import { consultationsContext } from '@pcp/consultations';
import { MongooseDocumentStore, type Projection } from '@pcp/documents';
import { anchorNow, stringifyWithBigInts } from '@pcp/eventsourcing';
import { needsContext } from '@pcp/needs';
import { pilotsContext } from '@pcp/pilots';
import { tendersContext } from '@pcp/tenders';
// The demo loader and the token CLI are scripts of the workspace, outside any project.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadDemo } from '../demo/load-demo';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { resolveSecret } from '../token/mint-token';
import { EVENT_LOG_OPTIONS, type EventLog, openEventLog, UsageError } from './event-log';
import { exportOcds } from './export-ocds';
import { Progress } from './progress';
import { rebuildProjections } from './rebuild';
import { describeReport, verifyWithProgress } from './verify';

export const USAGE = `usage: npm run ops -- <command> [options]

commands:
  verify [--data-dir D | --database-url U | --eventstoredb-url U] [--schema S] [--json]
      checks every stream's hash chain and the latest anchor; exit 1 on any break
  anchor [event store options as for verify] [--json]
      records an anchor now (a Merkle root over every stream head) and prints it
  rebuild (--projection <name> ... | --all) [event store options as for verify] [--mongo-url U]
      drops the read models and replays the log into them (READ_MODELS=mongo with MONGO_URL)
  export-ocds [--url http://127.0.0.1:3000] --out <dir> [--token T | --secret S] [--page-size N]
      saves the OCDS release package of every tender, listed through GET /tenders
  demo [--url http://127.0.0.1:3000] [--secret S]
      loads the demo data through the public API (as npm run demo)

--schema is the service's part of a shared store (EVENT_STORE_SCHEMA): its schema on
PostgreSQL, the prefix of its streams on EventStoreDB. Without event store options, the
services' variables apply: EVENT_STORE, DATA_DIR, DATABASE_URL, EVENT_STORE_SCHEMA,
EVENTSTOREDB_URL. Stop a service before working on its
embedded store (--data-dir): its files belong to one process at a time.`;

/** Every projection of the product's own logs, by name. */
export const PROJECTIONS: Projection[] = [
  needsContext,
  consultationsContext,
  tendersContext,
  pilotsContext,
].flatMap((context) => context.projections ?? []);

export interface OpsIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const defaultUrl = (env: NodeJS.ProcessEnv) => `http://127.0.0.1:${env['PORT'] ?? 3000}`;

/** Parses the event-log options (and `--json`), opens that log, runs `work`, and closes it. */
async function withEventLog(
  args: string[],
  io: OpsIo,
  work: (log: EventLog, json: boolean) => Promise<number>,
): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { ...EVENT_LOG_OPTIONS, json: { type: 'boolean' } },
  });
  const log = await openEventLog(values, io.env);
  try {
    return await work(log, values.json === true);
  } finally {
    await log.store.close();
  }
}

function verify(args: string[], io: OpsIo): Promise<number> {
  return withEventLog(args, io, async (log, json) => {
    const progress = new Progress({ label: 'verify', unit: 'streams', out: io.stderr });
    const report = await verifyWithProgress(log.store, log.anchors, progress);
    io.stdout.write(
      json ? `${stringifyWithBigInts(report, 2)}\n` : describeReport(report, log.where),
    );
    return report.ok ? 0 : 1;
  });
}

/** Records an anchor at once, as the services' schedule does; `verify` then checks against it. */
function anchor(args: string[], io: OpsIo): Promise<number> {
  return withEventLog(args, io, async (log, json) => {
    const recorded = await anchorNow(log.store, log.anchors);
    io.stdout.write(
      json
        ? `${stringifyWithBigInts(recorded, 2)}\n`
        : `anchor ${recorded.id} recorded at ${recorded.createdAt} in ${log.where}: ` +
            `root ${recorded.root} over ${recorded.streamCount} streams, ${recorded.eventCount} events\n`,
    );
    return 0;
  });
}

function selectProjections(names: string[] | undefined, all: boolean | undefined): Projection[] {
  const known = PROJECTIONS.map((p) => p.name).join(', ');
  if (all && names?.length) throw new UsageError('Give --all or --projection, not both');
  if (all) return PROJECTIONS;
  if (!names?.length) throw new UsageError(`Name a projection (${known}) or give --all`);
  return names.map((name) => {
    const projection = PROJECTIONS.find((p) => p.name === name);
    if (!projection) throw new UsageError(`No projection ${name}; known: ${known}`);
    return projection;
  });
}

async function rebuild(args: string[], io: OpsIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ...EVENT_LOG_OPTIONS,
      projection: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      'mongo-url': { type: 'string' },
    },
  });
  const projections = selectProjections(values.projection, values.all);
  const mongoUrl = values['mongo-url'] ?? io.env['MONGO_URL'];
  if (!values['mongo-url'] && (io.env['READ_MODELS'] ?? 'memory') !== 'mongo') {
    io.stdout.write(
      'READ_MODELS=memory: read models live in each service’s memory and are rebuilt from the log ' +
        'at every start; restart the service to rebuild them. Set READ_MODELS=mongo and MONGO_URL ' +
        '(or give --mongo-url) to rebuild read models kept in MongoDB.\n',
    );
    return 0;
  }
  if (!mongoUrl) throw new UsageError('READ_MODELS=mongo needs MONGO_URL (or --mongo-url)');
  const log = await openEventLog(values, io.env);
  try {
    const documents = await MongooseDocumentStore.connect(mongoUrl);
    try {
      const rebuilt = await rebuildProjections({
        store: log.store,
        documents,
        projections,
        progressOut: io.stderr,
      });
      for (const r of rebuilt) {
        io.stdout.write(`rebuilt ${r.name} from ${log.where} up to position ${r.position}\n`);
      }
      return 0;
    } finally {
      await documents.close();
    }
  } finally {
    await log.store.close();
  }
}

async function exportCommand(args: string[], io: OpsIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      url: { type: 'string' },
      out: { type: 'string' },
      token: { type: 'string' },
      secret: { type: 'string' },
      'page-size': { type: 'string' },
    },
  });
  const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size']);
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 500))
    throw new UsageError('--page-size must be a whole number from 1 to 500');
  if (!values.out) throw new UsageError('export-ocds needs --out <dir>');
  const token =
    values.token ??
    (await mintToken(
      { sub: 'ops-export', org: 'ops', roles: ['auditor'], name: 'OCDS export' },
      { secret: resolveSecret(values.secret, io.env), ttl: '1h' },
    ));
  const result = await exportOcds({
    url: values.url ?? defaultUrl(io.env),
    token,
    outDir: values.out,
    pageSize,
    progressOut: io.stderr,
  });
  io.stdout.write(`exported the OCDS of ${result.tenders} tenders to ${values.out}\n`);
  return 0;
}

async function demo(args: string[], io: OpsIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { url: { type: 'string' }, secret: { type: 'string' } },
  });
  const url = (values.url ?? defaultUrl(io.env)).replace(/\/$/, '');
  const c = await loadDemo(url, resolveSecret(values.secret, io.env));
  io.stdout.write(
    `demo data loaded into ${url}: ${c.needs} needs, ${c.buyersGroups} buyers group, ` +
      `${c.consultations} consultations, ${c.responses} responses, ${c.clarifications} clarifications\n`,
  );
  return 0;
}

const COMMANDS: Record<string, (args: string[], io: OpsIo) => Promise<number>> = {
  verify,
  anchor,
  rebuild,
  'export-ocds': exportCommand,
  demo,
};

/** Runs one command; returns the exit code. */
export async function runOps(
  argv: string[],
  io: OpsIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr.write(`Unknown command ${command}\n${USAGE}\n`);
    return 2;
  }
  try {
    return await run(args, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // parseArgs reports unknown or malformed options with a code of its own.
    const usage =
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    io.stderr.write(`ops ${command}: ${message}\n`);
    return usage ? 2 : 1;
  }
}

if (require.main === module) {
  runOps(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
