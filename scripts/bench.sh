#!/usr/bin/env bash
# `npm run bench [-- --quick]`: the benchmark suite of issue 9 (bench/), on the engines of
# `npm run engines:up` (started here when they are not running). Writes bench/results/latest.json
# and latest.md and prints the table. Sizes: BENCH_SCALE and the per-scenario BENCH_* counts
# (see bench/README.md); BENCH_ONLY=name,name runs a subset.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/node.sh
. scripts/lib/node.sh
pcp_use_node
pcp_install_deps "$root" >&2
bash scripts/engines.sh up >&2
# The services run from their builds, as `npm start` and the deployments run them.
bash scripts/nx.sh run-many -t build -p app-platform app-needs --outputStyle=static >&2
export BENCH_USE_BUILD=1
exec node --no-experimental-strip-types --max-old-space-size=4096 -r "$root/scripts/lib/swc-register.js" \
  "$root/bench/src/main.ts" "$@"
