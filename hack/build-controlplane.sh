#!/usr/bin/env bash
# Build the pinned upstream Kubernetes control plane used by the tests:
#   etcd, kube-apiserver, kube-controller-manager, kubectl
# from the Go modules pinned in hack/controlplane/go.mod (+ go.sum).
#
# Output: ${P2PNET_K8S_BIN:-$HOME/.cache/p2pnet/k8s-<version>/bin}, outside the repo,
# never committed. Idempotent: a binary that is already there is not rebuilt (delete
# it, or the whole dir, to force a rebuild). The bin dir is printed as the last line.
#
# Go's module and build caches (GOMODCACHE, GOCACHE) keep their defaults, so a rebuild
# after a cache-dir wipe is incremental. Env knobs:
#   P2PNET_K8S_BIN      output dir (default above)
#   P2PNET_GO_BUILD_P   go build -p (default: number of CPUs; the reference machine has 2)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mod_dir="$here/controlplane"

command -v go >/dev/null || { echo "build-controlplane: 'go' not found on PATH" >&2; exit 1; }

# Versions come from go.mod only (single source of truth).
kube_version="$(sed -n 's/^[[:space:]]*k8s\.io\/kubernetes[[:space:]]\{1,\}\(v[^[:space:]]*\).*/\1/p' "$mod_dir/go.mod" | head -n1)"
etcd_version="$(sed -n 's/^[[:space:]]*go\.etcd\.io\/etcd\/server\/v3[[:space:]]\{1,\}\(v[^[:space:]]*\).*/\1/p' "$mod_dir/go.mod" | head -n1)"
[[ -n "$kube_version" && -n "$etcd_version" ]] || {
  echo "build-controlplane: cannot read pinned versions from $mod_dir/go.mod" >&2; exit 1; }

bin_dir="${P2PNET_K8S_BIN:-$HOME/.cache/p2pnet/k8s-$kube_version/bin}"
mkdir -p "$bin_dir"

# Static binaries, module graph exactly as committed (fail rather than edit go.mod/go.sum).
export CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly -buildvcs=false"
build_p="${P2PNET_GO_BUILD_P:-$(nproc 2>/dev/null || echo 2)}"

# What upstream's hack/lib/version.sh stamps, so /version and `kubectl version` report
# the pinned release instead of v0.0.0-master. buildDate = the tag's time (reproducible).
major="${kube_version#v}"; major="${major%%.*}"
minor="${kube_version#v*.}"; minor="${minor%%.*}"
build_date="$(cd "$mod_dir" && go list -m -f '{{if .Time}}{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' k8s.io/kubernetes)"
kube_x=""
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  kube_x+=" -X '$pkg.gitVersion=$kube_version' -X '$pkg.gitMajor=$major' -X '$pkg.gitMinor=$minor'"
  kube_x+=" -X '$pkg.gitTreeState=clean' -X '$pkg.gitCommit=' -X '$pkg.buildDate=${build_date:-1970-01-01T00:00:00Z}'"
done

built_any=0
build_one() { # name package extra-ldflags
  local name="$1" pkg="$2" extra="$3"
  if [[ -x "$bin_dir/$name" ]]; then
    echo "build-controlplane: $name present, skipping" >&2
    return 0
  fi
  echo "build-controlplane: building $name ($pkg) with -p $build_p ..." >&2
  local start=$SECONDS tmp="$bin_dir/.$name.tmp.$$"
  # Build to a temp name and rename, so an interrupted build never leaves a binary
  # that a later run would wrongly skip.
  (cd "$mod_dir" && go build -p "$build_p" -trimpath -ldflags="-s -w$extra" -o "$tmp" "$pkg") || {
    rm -f "$tmp"; return 1; }
  mv -f "$tmp" "$bin_dir/$name"
  built_any=1
  echo "build-controlplane: $name built in $((SECONDS - start))s" >&2
}

build_one etcd go.etcd.io/etcd/server/v3 ""
build_one kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$kube_x"
build_one kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$kube_x"
build_one kubectl k8s.io/kubernetes/cmd/kubectl "$kube_x"

version_file="$bin_dir/VERSION"
if [[ ! -f "$version_file" || "$built_any" == 1 ]]; then
  printf 'kubernetes=%s\netcd=%s\ngo=%s\n' "$kube_version" "$etcd_version" "$(go env GOVERSION)" \
    > "$version_file"
fi

echo "$bin_dir"
