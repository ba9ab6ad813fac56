#!/usr/bin/env bash
# Builds the OpenBao server used by the tests and the demo, once, and caches it
# outside the repo. Idempotent: prints the cached binary's path when it exists.
# Usage: bash test/services/openbao/build.sh   (prints the binary path on stdout)
set -euo pipefail

OPENBAO_VERSION="2.4.0"
OPENBAO_COMMIT="f9407a27fbee"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${VAULT_CONSOLE_CACHE:-$HOME/.cache/vault-console}"

# Key the cache by version and the exact dependency set, so a go.sum change rebuilds.
sum_hash="$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-16)"
out_dir="$cache_root/openbao/$OPENBAO_VERSION"
out="$out_dir/bao"
key_file="$out_dir/bao.key"   # records which go.mod/go.sum/main.go the binary was built from

if [[ -x "$out" && -f "$key_file" && "$(cat "$key_file")" == "$sum_hash" ]] && "$out" version >/dev/null 2>&1; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: go is not on PATH (need Go >= 1.24)" >&2; exit 2; }
mkdir -p "$out_dir"
tmp="$(mktemp "$out_dir/bao.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

echo "build.sh: building OpenBao $OPENBAO_VERSION (first run takes a few minutes)..." >&2
start=$(date +%s)
# GONOSUMDB: the checksum-database mirror here answers 404 for three
# github.com/openbao/go-kms-wrapping submodules; go.sum still pins their hashes,
# so skipping the sumdb lookup does not weaken what gets built.
(
  cd "$here"
  GONOSUMDB=github.com/openbao/go-kms-wrapping CGO_ENABLED=0 go build -trimpath \
    -ldflags "-X github.com/openbao/openbao/version.fullVersion=$OPENBAO_VERSION -X github.com/openbao/openbao/version.GitCommit=$OPENBAO_COMMIT" \
    -o "$tmp" .
) >&2
chmod 0755 "$tmp"
# Atomic rename so a concurrent run never executes a half-written binary.
mv -f "$tmp" "$out"
trap - EXIT
echo "$sum_hash" > "$key_file"
echo "build.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$out"
