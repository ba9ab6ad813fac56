#!/usr/bin/env bash
# Sets up a fresh machine and runs the console against a local OpenBao seeded with
# demo tenants: an Electron window where an Electron binary exists, otherwise the
# browser harness (it prints the URL to open). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx tsx scripts/demo.ts "$@"
