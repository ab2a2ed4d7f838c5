#!/usr/bin/env bash
# The test command (`npm test`): Node 24, dependencies, the engines, then every project's
# Jest suite through Nx, and one closing line with the totals.
#   npm test                    everything
#   npm test -- --projects=eventsourcing,auth    some projects (any `nx run-many` option)
# PCP_SKIP_ENGINES=1 leaves the engines alone (engine tests then fail, naming the engine).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/node.sh
. scripts/lib/node.sh
pcp_use_node
pcp_install_deps "$root"

if [ "${PCP_SKIP_ENGINES:-}" != "1" ]; then
  bash scripts/engines.sh up
fi

results="$root/tmp/test-results"
rm -rf "$results"
mkdir -p "$results"
export PCP_TEST_RESULTS_DIR="$results"

status=0
bash scripts/nx.sh run-many -t test --outputStyle=stream "$@" || status=$?

node tools/jest/print-summary.js "$results" || status=$?
exit "$status"
