#!/usr/bin/env bash
# Runs Nx with Node 24 and installed dependencies: `npm run nx -- <args>`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/node.sh
. "$root/scripts/lib/node.sh"
pcp_use_node
pcp_install_deps "$root"
export NX_DAEMON="${NX_DAEMON:-false}" NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE="${NX_SKIP_NX_CACHE:-}"
cd "$root"
exec node node_modules/nx/dist/bin/nx.js "$@"
