import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultEngines } from './faults/engines';
import { passed, runScenario } from './faults/run-scenario';
import { inSequence, scenarioNamed } from './faults/scenarios';
import { faultSettings, type FaultSettings } from './faults/settings';
import { freePorts } from './faults/system';

// The short fault run of CI: the distributed services on engines of their own, a small steady
// load, a service killed with SIGKILL and restarted, then PostgreSQL restarted. The longer
// runs of every scenario are `npm run faults -- all`.
describe('faults under load (kill -9 of a service, then a PostgreSQL restart)', () => {
  // The run's own engines, not the shared ones, on ports free at the start and in a folder of
  // their own (a manual `npm run faults` on the default ports may be running beside it); stopped
  // and removed when the suite is done.
  let settings: FaultSettings;
  beforeAll(async () => {
    const [postgres, kafka, controller, mongo] = await freePorts(4);
    settings = faultSettings({
      PCP_FAULTS_COMMANDS: '120',
      PCP_FAULTS_RATE: '15',
      PCP_FAULTS_FAULT_AFTER: '20',
      PCP_FAULTS_DOWN_SECONDS: '2',
      PCP_FAULTS_SETTLE_SECONDS: '90',
      PCP_FAULTS_DIR: mkdtempSync(join(tmpdir(), 'pcp-faults-ci-')),
      PCP_FAULTS_POSTGRES_PORT: String(postgres),
      PCP_FAULTS_KAFKA_PORT: String(kafka),
      PCP_FAULTS_KAFKA_CONTROLLER_PORT: String(controller),
      PCP_FAULTS_MONGO_PORT: String(mongo),
      ...process.env,
    });
  });
  afterAll(async () => {
    await new FaultEngines(settings).down();
    if (!settings.keep) rmSync(settings.dir, { recursive: true, force: true });
  }, 120_000);

  it('loses nothing, duplicates nothing, answers 503 rather than 500 or nothing, and read models equal a rebuild', async () => {
    const lines: string[] = [];
    const result = await runScenario(
      inSequence('ci', scenarioNamed('kill-service'), scenarioNamed('postgres')),
      settings,
      (line) => lines.push(line),
    );
    const summary = JSON.stringify({ ...result, log: lines }, null, 2);
    expect({ passed: passed(result), summary }).toEqual({ passed: true, summary });
    const c = result.counts;
    // The faults bit (some commands were refused while a part was down), and work went on.
    expect(c['5xx']).toBeGreaterThan(0);
    expect(c['2xx']).toBeGreaterThan(0);
    expect(c.events).toBeGreaterThanOrEqual(c['2xx']);
    expect(c.documents).toBeGreaterThan(0);
  }, 420_000);
});
