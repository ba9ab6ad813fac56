#!/usr/bin/env bash
# Builds the S3-protocol test server (versitygw, posix backend with bucket versioning)
# once and caches it outside the repo. Idempotent: prints the cached binary's path.
# Usage: bash test/services/s3/build.sh   (prints the binary path on stdout)
set -euo pipefail

VGW_VERSION="v1.8.0"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mod="$here/versitygw"
cache_root="${VAULT_CONSOLE_CACHE:-$HOME/.cache/vault-console}"
sum_hash="$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-16)"
out_dir="$cache_root/versitygw/$VGW_VERSION"
out="$out_dir/versitygw"
key_file="$out_dir/versitygw.key"   # records which go.mod/go.sum the binary was built from

if [[ -x "$out" && -f "$key_file" && "$(cat "$key_file")" == "$sum_hash" ]]; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: go is not on PATH (need Go >= 1.25)" >&2; exit 2; }
mkdir -p "$out_dir"
tmp="$(mktemp "$out_dir/versitygw.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

echo "build.sh: building versitygw $VGW_VERSION (first run takes about a minute)..." >&2
start=$(date +%s)
(
  cd "$mod"
  CGO_ENABLED=0 go build -trimpath -ldflags "-X main.Version=$VGW_VERSION" \
    -o "$tmp" github.com/versity/versitygw/cmd/versitygw
) >&2
chmod 0755 "$tmp"
mv -f "$tmp" "$out"   # atomic: a concurrent run never executes a half-written binary
trap - EXIT
echo "$sum_hash" > "$key_file"
echo "build.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$out"
