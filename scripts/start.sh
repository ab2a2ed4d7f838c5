#!/usr/bin/env bash
# The start command (`npm start`): Node 24, dependencies, a build of the platform app, then
# the embedded default (every context in one process, data under DATA_DIR, default ./.data).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/node.sh
. scripts/lib/node.sh
pcp_use_node
pcp_install_deps "$root"
bash scripts/nx.sh build app-platform --outputStyle=static >&2
exec node --enable-source-maps dist/apps/platform/src/main.js
