#!/usr/bin/env bash
# Builds VictoriaLogs (the central audit store the console can query instead of its
# local SQLite store) once, from the Go module proxy, and caches it outside the repo.
# Idempotent: prints the cached binary's path when it exists.
# Usage: bash test/services/victorialogs/build.sh   (prints the binary path on stdout)
set -euo pipefail

VLOGS_VERSION="v1.52.2"
cache_root="${VAULT_CONSOLE_CACHE:-$HOME/.cache/vault-console}"
out_dir="$cache_root/victorialogs/$VLOGS_VERSION"
out="$out_dir/victoria-logs"

if [[ -x "$out" ]] && "$out" -version >/dev/null 2>&1; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: go is not on PATH (need Go >= 1.24)" >&2; exit 2; }
mkdir -p "$out_dir"
gobin="$(mktemp -d "$out_dir/gobin.XXXXXX")"
trap 'rm -rf "$gobin"' EXIT

echo "build.sh: building VictoriaLogs $VLOGS_VERSION (first run takes about a minute)..." >&2
start=$(date +%s)
# go install with an exact version pins every dependency through the module's own go.sum
# (checked against the checksum database), so no go.mod of ours is needed.
GOBIN="$gobin" CGO_ENABLED=0 go install -trimpath \
  "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$VLOGS_VERSION" >&2
chmod 0755 "$gobin/victoria-logs"
# Atomic rename so a concurrent run never executes a half-written binary.
mv -f "$gobin/victoria-logs" "$out"
echo "build.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$out"
