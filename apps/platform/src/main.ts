import 'reflect-metadata';
import { ConfigError, loadConfig, runService } from '@pcp/http';
import { PlatformModule } from './platform.module';

/** The embedded default: every context in one process, the event log on disk (PGlite). */
async function main(): Promise<void> {
  const config = loadConfig();
  await runService({
    module: PlatformModule.forRoot(config),
    config,
    title: 'Innovation procurement platform',
    description:
      'Needs, market consultations, PCP/PPI tenders, testbed pilots and the innovation pipeline, ' +
      'with a verifiable audit trail.',
    version: '0.1.0',
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`platform failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
