#!/usr/bin/env bash
# API fuzzing with schemathesis (`npm run fuzz`, or `npm run fuzz -- --ci` for a short run):
# the embedded platform built as `npm start` builds it, on a free loopback port with a fresh
# data folder, then schemathesis against its /docs-json with every check, once per role with a
# valid token of that role, from a fixed seed. Exit 1 when any check failed.
#
#   PCP_FUZZ_SEED        seed of the generated data (default 20261122): same seed, same requests
#   PCP_FUZZ_EXAMPLES    test cases per operation and role (default 30; --ci: 2)
#   PCP_FUZZ_ROLES       roles to fuzz as (default: procurer supplier evaluator auditor admin;
#                        --ci: procurer supplier)
#   PCP_FUZZ_WORKERS     schemathesis workers (default 1: its data generation is not thread-safe)
#   PCP_FUZZ_REPORT_DIR  where the JUnit reports go (default tmp/fuzz)
#
# schemathesis is installed once into ~/.cache/pcp-schemathesis (a Python venv), pinned below.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/node.sh
. scripts/lib/node.sh

SCHEMATHESIS_VERSION=4.32.5
VENV="${PCP_SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/pcp-schemathesis}"
ci=0
for arg in "$@"; do
  case "$arg" in
    --ci) ci=1 ;;
    --) ;;
    *) echo "usage: npm run fuzz [-- --ci]" >&2; exit 2 ;;
  esac
done
seed="${PCP_FUZZ_SEED:-20261122}"
if [ "$ci" = 1 ]; then
  examples="${PCP_FUZZ_EXAMPLES:-2}"
  roles="${PCP_FUZZ_ROLES:-procurer supplier}"
  phases="examples,fuzzing"
else
  examples="${PCP_FUZZ_EXAMPLES:-30}"
  roles="${PCP_FUZZ_ROLES:-procurer supplier evaluator auditor admin}"
  phases="examples,coverage,fuzzing"
fi
workers="${PCP_FUZZ_WORKERS:-1}"
reports="${PCP_FUZZ_REPORT_DIR:-$root/tmp/fuzz}"

say() { printf 'fuzz: %s\n' "$*" >&2; }

# schemathesis, pinned, in its own venv
if [ ! -x "$VENV/bin/schemathesis" ] ||
  [ "$("$VENV/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  say "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

pcp_use_node
pcp_install_deps "$root"
say "building the platform"
bash scripts/nx.sh build app-platform --outputStyle=static >&2

data="$(mktemp -d "${TMPDIR:-/tmp}/pcp-fuzz-XXXXXX")"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
secret="$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')"
url="http://127.0.0.1:$port"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -rf "$data"
}
trap cleanup EXIT

mkdir -p "$reports"
say "starting the platform on $url (data in $data)"
env HOST=127.0.0.1 PORT="$port" DATA_DIR="$data" AUTH_JWT_SECRET="$secret" LOG_LEVEL=warn \
  node --enable-source-maps dist/apps/platform/src/main.js >"$reports/platform.log" 2>&1 &
pid=$!
deadline=$((SECONDS + 120))
until curl -fsS -o /dev/null "$url/health/ready" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { say "the platform stopped; see $reports/platform.log"; tail -n 30 "$reports/platform.log" >&2; exit 1; }
  [ $SECONDS -lt $deadline ] || { say "the platform is not ready after 120 s"; exit 1; }
  sleep 0.5
done

status=0
total_generated=0
total_failed=0
for role in $roles; do
  token="$(bash scripts/run-ts.sh tools/token/mint-token.ts --sub "fuzz-$role" --org org-fuzz \
    --roles "$role" --name "Fuzz $role" --country ES --secret="$secret")"
  say "role $role: seed $seed, $examples cases per operation, phases $phases"
  out="$reports/$role.txt"
  # positive_data_acceptance is left out: well-formed requests about ids that do not exist, or
  # that the role may not touch, are refused by design (404, 403, 409, 422).
  set +e
  "$VENV/bin/schemathesis" --config-file scripts/fuzz.schemathesis.toml \
    run "$url/docs-json" --url "$url" \
    --checks all --exclude-checks positive_data_acceptance \
    --header "Authorization: Bearer $token" \
    --seed "$seed" --max-examples "$examples" --phases "$phases" --workers "$workers" \
    --request-timeout 10 --no-color --output-truncate true \
    --report junit --report-junit-path "$reports/$role.junit.xml" >"$out" 2>&1
  code=$?
  set -e
  # schemathesis closes with a pytest-style "=== N warnings in Xs ===" line; CI reads such lines
  # as a test runner's verdict, so the console copy leaves it out (the full output stays in $out).
  tail -n 25 "$out" | grep -Ev '^=+ .* in [0-9.]+s =+$' >&2 || true
  generated="$(grep -Eo '[0-9]+ generated' "$out" | tail -n 1 | awk '{print $1}' || true)"
  failed="$(grep -Eo 'found [0-9]+ unique failures?' "$out" | tail -n 1 | awk '{print $2}' || true)"
  total_generated=$((total_generated + ${generated:-0}))
  total_failed=$((total_failed + ${failed:-0}))
  [ "$code" -eq 0 ] || status=1
done
say "seed $seed: $total_generated test cases generated, $total_failed unique failures (reports in $reports)"
exit "$status"
