#!/usr/bin/env bash
# Runs a command with Node 24 on PATH and the dependencies installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/node.sh
. "$root/scripts/lib/node.sh"
pcp_use_node
pcp_install_deps "$root"
cd "$root"
exec "$@"
