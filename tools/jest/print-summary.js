// Prints the workspace's closing test line from the files SummaryReporter wrote.
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
const total = { passed: 0, failed: 0, skipped: 0, suitesFailedToRun: 0 };
const reports = files
  .sort()
  .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
for (const r of reports) {
  for (const f of r.failures ?? []) {
    console.log(`FAILED ${r.project}: ${f.file} > ${f.test}`);
    console.log(f.message.replace(/^/gm, '    '));
  }
}
// Projects that ran again after a worker crash (scripts/test.sh): their first reports.
const retriedDir = path.join(dir, 'retried');
const retried = fs.existsSync(retriedDir)
  ? fs
      .readdirSync(retriedDir)
      .sort()
      .map((file) => JSON.parse(fs.readFileSync(path.join(retriedDir, file), 'utf8')))
  : [];
for (const r of retried) {
  for (const c of r.crashedSuites)
    console.log(`RAN AGAIN ${r.project}: a Jest worker died of ${c.signal} running ${c.file}`);
}
for (const r of reports) {
  // Projects without tests yet (jest --passWithNoTests) add nothing to report.
  if (r.passed + r.failed + r.skipped + r.suitesFailedToRun === 0) continue;
  for (const key of Object.keys(total)) total[key] += r[key];
  const line = `  ${r.project.padEnd(16)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`;
  console.log(r.failed || r.suitesFailedToRun ? `${line}  <- ${r.failedSuites.join(', ')}` : line);
}
if (total.suitesFailedToRun) console.log(`${total.suitesFailedToRun} test suite(s) failed to run`);
// Suites that could not run count as failures in the closing line.
const failed = total.failed + total.suitesFailedToRun;
const again = retried.length
  ? `; ran again after a Jest worker crash: ${retried.map((r) => r.project).join(', ')}`
  : '';
console.log(`tests: ${total.passed} passed, ${failed} failed, ${total.skipped} skipped${again}`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
