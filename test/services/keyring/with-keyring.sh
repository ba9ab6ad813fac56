#!/usr/bin/env bash
# Runs a command with a real, unlocked Secret Service (gnome-keyring-daemon) on a private
# D-Bus session bus, so keytar talks to libsecret exactly as on a Linux desktop.
#   bash test/services/keyring/with-keyring.sh npx vitest run --project integration
# The daemon gets a throwaway HOME (its keyring files live there and are deleted at the
# end); the wrapped command keeps the caller's HOME. Exits with the command's exit code.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

if [[ $# -eq 0 ]]; then
  echo "usage: with-keyring.sh <command> [args...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
  command -v "$tool" >/dev/null || {
    echo "with-keyring.sh: $tool not found (apt-get install dbus dbus-x11 gnome-keyring libsecret-1-0)" >&2
    exit 2
  }
done

# Re-exec inside a fresh session bus; dbus-run-session tears the bus down when we exit.
if [[ -z "${VAULT_CONSOLE_IN_KEYRING_SESSION:-}" ]]; then
  VAULT_CONSOLE_IN_KEYRING_SESSION=1 exec dbus-run-session --config-file="$here/session.conf" -- bash "${BASH_SOURCE[0]}" "$@"
fi
unset VAULT_CONSOLE_IN_KEYRING_SESSION

keyring_home="$(mktemp -d "${TMPDIR:-/tmp}/vault-console-keyring.XXXXXX")"
chmod 0700 "$keyring_home"
mkdir -p -m 0700 "$keyring_home/run" "$keyring_home/share"
daemon_pid=""
cleanup() {
  if [[ -n "$daemon_pid" ]]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$keyring_home"
}
trap cleanup EXIT

# Throwaway keyring password: the keyring dies with this session, nobody needs it later.
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
printf '%s' "$password" | HOME="$keyring_home" XDG_DATA_HOME="$keyring_home/share" \
  XDG_RUNTIME_DIR="$keyring_home/run" \
  gnome-keyring-daemon --foreground --unlock --components=secrets >"$keyring_home/daemon.log" 2>&1 &
daemon_pid=$!
unset password

# Ready means: the Secret Service owns its bus name AND a real keytar round trip works
# (the default collection exists and is unlocked).
probe='const k=require("keytar");(async()=>{const s="vault-console-probe",a="probe-"+process.pid;
await k.setPassword(s,a,"ok");const v=await k.getPassword(s,a);await k.deletePassword(s,a);
process.exit(v==="ok"?0:1)})().catch(()=>process.exit(1))'
ready=""
for _ in $(seq 1 100); do
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    echo "with-keyring.sh: gnome-keyring-daemon exited early:" >&2
    cat "$keyring_home/daemon.log" >&2
    exit 3
  fi
  # NameHasOwner asks the bus itself, so the probe can never trigger an activation.
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' &&
    (cd "$repo" && timeout 10 node -e "$probe") >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.1
done
if [[ -z "$ready" ]]; then
  echo "with-keyring.sh: Secret Service did not become ready within 10 s; daemon log:" >&2
  cat "$keyring_home/daemon.log" >&2
  exit 3
fi

set +e
"$@"
code=$?
set -e
exit "$code"
