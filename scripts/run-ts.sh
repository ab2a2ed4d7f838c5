#!/usr/bin/env bash
# Runs a TypeScript file of the workspace: `bash scripts/run-ts.sh <file.ts> [args...]`.
# Node 24 and the dependencies as everywhere else; the file and everything it imports are
# compiled in memory by @swc/core with the build's .swcrc (see scripts/lib/swc-register.js).
# Node's own type stripping is turned off: it knows neither decorators nor path aliases.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/node.sh
. "$root/scripts/lib/node.sh"
pcp_use_node
pcp_install_deps "$root" >&2
[ $# -ge 1 ] || { echo "usage: bash scripts/run-ts.sh <file.ts> [args...]" >&2; exit 2; }
file="$1"
shift
case "$file" in /*) ;; *) file="$PWD/$file" ;; esac
exec node --no-experimental-strip-types -r "$root/scripts/lib/swc-register.js" "$file" "$@"
