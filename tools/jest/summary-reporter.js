// Writes each Jest run's counts to tmp/test-results/<project>.json so that `npm test`
// can print one closing line for the whole workspace after Nx has run every project.
const fs = require('node:fs');
const path = require('node:path');

// eslint-disable-next-line no-control-regex -- colour codes begin with ESC
const ANSI = /\u001b\[[0-9;]*m/g;
// A worker that a signal killed (README, Layout: PGlite's WebAssembly starting in several
// processes at once) fails its suite, whose tests then count for nothing.
const WORKER_CRASH =
  /A jest worker process \(pid=\d+\) was terminated by another process: signal=(SIGSEGV|SIGBUS|SIGILL)/;

/** A failure's message without its stack, but with the spec line it failed at. */
const excerpt = (text) => {
  const lines = String(text ?? '')
    .replace(ANSI, '')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const message = lines.filter((line) => !/^\s+at /.test(line)).slice(0, 12);
  const where = lines.find((line) => /^\s+at .*\.spec\.ts:\d+/.test(line));
  return [...message, ...(where ? [where.trim()] : [])]
    .map((line) => line.slice(0, 300))
    .join('\n');
};

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
    // The closing lines of a CI log are often all that is kept: each failure's first lines go
    // there too, so a failure can be read without the whole log.
    const failures = [];
    const crashedSuites = [];
    for (const suite of results.testResults) {
      const file = path.relative(process.cwd(), suite.testFilePath);
      for (const test of suite.testResults.filter((t) => t.status === 'failed'))
        failures.push({
          file,
          test: test.fullName,
          message: excerpt(test.failureMessages.join('\n')),
        });
      if (suite.testExecError) {
        failures.push({ file, test: '(suite)', message: excerpt(suite.testExecError.message) });
        const crash = WORKER_CRASH.exec(String(suite.testExecError.message));
        if (crash) crashedSuites.push({ file, signal: crash[1] });
      }
    }
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
        failures,
        crashedSuites,
      }),
    );
  }
}

module.exports = SummaryReporter;
