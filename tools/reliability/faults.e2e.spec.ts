import { FaultEngines } from './faults/engines';
import { passed, runScenario } from './faults/run-scenario';
import { inSequence, scenarioNamed } from './faults/scenarios';
import { faultSettings } from './faults/settings';

// The short fault run of CI: the distributed services on engines of their own, a small steady
// load, a service killed with SIGKILL and restarted, then PostgreSQL restarted. The longer
// runs of every scenario are `npm run faults -- all`.
describe('faults under load (kill -9 of a service, then a PostgreSQL restart)', () => {
  // The run's own engines, not the shared ones: stopped when the suite is done.
  afterAll(() => new FaultEngines(faultSettings()).down(), 120_000);

  it('loses nothing, duplicates nothing, answers 503 rather than 500 or nothing, and read models equal a rebuild', async () => {
    const settings = faultSettings({
      PCP_FAULTS_COMMANDS: '120',
      PCP_FAULTS_RATE: '15',
      PCP_FAULTS_FAULT_AFTER: '20',
      PCP_FAULTS_DOWN_SECONDS: '2',
      PCP_FAULTS_SETTLE_SECONDS: '90',
      ...process.env,
    });
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
