#!/usr/bin/env bash
# Fault runs (`npm run faults -- <scenario>|all`): the distributed services under a steady load
# on engines of their own (ports PCP_FAULTS_*_PORT, data in PCP_FAULTS_DIR, default
# /tmp/pcp-faults), a fault injected and recovered, then the audit: nothing lost, nothing
# duplicated, every read model equal to a rebuild from zero. Only 127.0.0.1; the shared
# engines on the default ports are never stopped. See README "Reliability".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec bash scripts/run-ts.sh tools/reliability/faults/faults.ts "$@"
