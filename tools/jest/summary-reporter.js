// Writes each Jest run's counts to tmp/test-results/<project>.json so that `npm test`
// can print one closing line for the whole workspace after Nx has run every project.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(contexts, results) {
    const dir = process.env.PCP_TEST_RESULTS_DIR;
    if (!dir) return;
    const [context] = [...contexts];
    const name =
      (context && context.config.displayName && context.config.displayName.name) || 'jest';
    const failedSuites = results.testResults
      .filter((s) => s.testExecError || s.failureMessage)
      .map((s) => path.relative(process.cwd(), s.testFilePath));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({
        project: name,
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped: results.numPendingTests + results.numTodoTests,
        suitesFailedToRun: results.numRuntimeErrorTestSuites,
        failedSuites,
      }),
    );
  }
}

module.exports = SummaryReporter;
