#!/usr/bin/env bash
# Audits the production dependencies (npm audit --omit=dev) against the registry's advisories.
#   exit 1  a high or critical advisory affects a production dependency (listed);
#   exit 0  none, or the audit service could not be asked: that is reported loudly with its
#           error, without failing, since an unreachable service says nothing about our code.
# Extra arguments go to npm audit (e.g. --registry).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib/node.sh
pcp_use_node

report="$(mktemp)"
errors="$(mktemp)"
trap 'rm -f "$report" "$errors"' EXIT

npm audit --omit=dev --audit-level=high --json "$@" >"$report" 2>"$errors"
npm_status=$?

node - "$report" "$errors" "$npm_status" <<'JS'
const { readFileSync } = require('node:fs');
const [reportFile, errorsFile, npmStatus] = process.argv.slice(2);
const raw = readFileSync(reportFile, 'utf8').trim();
const stderr = readFileSync(errorsFile, 'utf8').trim();

function unreachable(reason) {
  const bar = '!'.repeat(78);
  console.log([
    bar,
    '!! DEPENDENCY AUDIT NOT DONE: the advisory service could not be asked.',
    `!! ${reason}`,
    ...stderr.split('\n').filter((l) => l && !/Unknown user config/.test(l)).map((l) => `!!   ${l}`),
    '!! Production dependencies were NOT checked for known vulnerabilities in this run.',
    '!! Run scripts/audit-deps.sh where the registry answers the audit endpoint.',
    bar,
  ].join('\n'));
  // Shown as an annotation by CI systems that read this syntax (GitHub Actions).
  console.log(`::warning title=Dependency audit not done::${reason}`);
  process.exit(0);
}

let report;
try {
  report = JSON.parse(raw);
} catch {
  unreachable(`npm audit exited ${npmStatus} without a report${raw ? `: ${raw.slice(0, 300)}` : ''}`);
}
const counts = report?.metadata?.vulnerabilities;
if (!counts || typeof counts !== 'object') {
  const message = String(
    report?.message || report?.error?.summary || report?.error?.code || 'no audit report',
  );
  const status = report?.statusCode && !message.startsWith(String(report.statusCode));
  unreachable(`npm audit: ${status ? `${report.statusCode} ` : ''}${message}`);
}

const serious = Object.values(report.vulnerabilities ?? {}).filter(
  (v) => v.severity === 'high' || v.severity === 'critical',
);
const summary = ['critical', 'high', 'moderate', 'low', 'info']
  .map((level) => `${counts[level] ?? 0} ${level}`)
  .join(', ');
if (serious.length === 0 && (counts.high ?? 0) === 0 && (counts.critical ?? 0) === 0) {
  console.log(`Dependency audit (production): no high or critical advisory (${summary}).`);
  process.exit(0);
}
console.log(`Dependency audit (production): HIGH OR CRITICAL ADVISORIES (${summary}):`);
for (const v of serious) {
  const titles = (v.via ?? [])
    .filter((via) => typeof via === 'object')
    .map((via) => `${via.title}${via.url ? ` (${via.url})` : ''}`);
  const fix = v.fixAvailable ? ' - a fix is available (npm audit fix)' : '';
  console.log(`  ${v.severity.toUpperCase()} ${v.name} ${v.range ?? ''}${fix}`);
  for (const title of titles) console.log(`      ${title}`);
}
process.exit(1);
JS
