// Decides whether a failed `npm test` may run some projects again: only when every task Nx
// reports as failed is a project whose only failures are suites whose Jest worker a signal
// killed (README, Layout), and nothing else failed. Prints those projects, one a line, and
// exits 0; otherwise prints nothing and exits 1, and the failure stands.
//   node tools/jest/worker-crashes.js <results dir> <log of the Nx run>
const fs = require('node:fs');
const path = require('node:path');

// eslint-disable-next-line no-control-regex -- colour codes begin with ESC
const ANSI = /\u001b\[[0-9;]*m/g;

/** The projects of the `Failed tasks:` list that closes a failed `nx run-many -t test`. */
function failedTasks(log) {
  const lines = log.replace(ANSI, '').split('\n');
  const start = lines.findIndex((line) => line.trim() === 'Failed tasks:');
  if (start < 0) return null;
  const projects = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') {
      if (projects.length > 0) break;
      continue;
    }
    const task = /^\s*- (\S+):test$/.exec(line);
    if (!task) break;
    projects.push(task[1]);
  }
  return projects;
}

/** Projects whose report shows suites killed by a signal and no other failure. */
function crashedProjects(dir) {
  const crashed = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const crashes = report.crashedSuites ?? [];
    if (crashes.length === 0) continue;
    if (report.failed > 0 || report.suitesFailedToRun !== crashes.length) return null;
    crashed.push(report.project);
  }
  return crashed;
}

function main([dir, logFile]) {
  const failed = failedTasks(fs.readFileSync(logFile, 'utf8'));
  const crashed = crashedProjects(dir);
  if (!failed || !crashed || crashed.length === 0) return 1;
  const same =
    failed.length === crashed.length && failed.every((project) => crashed.includes(project));
  if (!same) return 1;
  console.log(crashed.sort().join('\n'));
  return 0;
}

process.exit(main(process.argv.slice(2)));
