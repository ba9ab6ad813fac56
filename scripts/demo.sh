#!/usr/bin/env bash
# Sets up a fresh machine and runs the console against a local OpenBao seeded with
# demo tenants: an Electron window where an Electron binary exists, otherwise the
# browser harness (it prints the URL to open). Ctrl-C stops everything.
#   bash scripts/demo.sh [--tenants N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$(uname -s)" = "Linux" ] && [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  # No desktop session, so no OS keychain: the console refuses to sign in without
  # one (no plaintext fallback). Give the demo its own throwaway gnome-keyring.
  echo "[demo] no D-Bus session: using a throwaway gnome-keyring for this demo" >&2
  exec bash test/services/keyring/with-keyring.sh npx tsx scripts/demo.ts "$@"
fi
exec npx tsx scripts/demo.ts "$@"
