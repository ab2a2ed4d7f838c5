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
bash scripts/nx.sh run-many -t test --outputStyle=stream "$@" 2>&1 | tee "$results/nx.log" ||
  status=$?

# A Jest worker killed by a signal (README, Layout: seen while processes start PGlite's
# WebAssembly at once) fails its suite, whose tests then count for nothing. When that is all
# that failed, those projects run once more and the summary names them; any other failure
# stands as it is.
if [ "$status" -ne 0 ] && crashed="$(node tools/jest/worker-crashes.js "$results" "$results/nx.log")"; then
  mkdir -p "$results/retried"
  for project in $crashed; do
    mv "$results/$project.json" "$results/retried/$project.json"
  done
  echo "Running again after a Jest worker crash: $(echo $crashed)"
  status=0
  bash scripts/nx.sh run-many -t test --outputStyle=stream --skip-nx-cache \
    --projects="$(echo $crashed | tr ' ' ',')" || status=$?
fi

node tools/jest/print-summary.js "$results" || status=$?
exit "$status"
