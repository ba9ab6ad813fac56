#!/usr/bin/env bash
# Installs everything the console, its tests and its demo need on a fresh Debian
# machine. Safe to run again: each step checks before it works.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# 1. Debian packages: Chromium for end-to-end tests, the Secret Service (keychain)
#    and libsecret for keytar's native build, PostgreSQL for the HA topology, and
#    the independent tools the tests cross-check against (ssh-keygen, oathtool, jq,
#    openssl for test certificates, python3-dkim to sign and verify DKIM mail).
#    test/unit/scripts/setup-installs-what-tests-call.test.ts fails when a test calls a
#    program or a Python module that this list does not bring.
#    knot: a real authoritative DNS server for the DKIM DNS tests (test/services/dns), which
#    start it as this user on a free loopback port; its own system service must not run.
#    prometheus + prometheus-alertmanager: promtool/amtool check the monitoring rules and the
#    watch tests run both on free loopback ports with temporary configs; Debian would start
#    them as system services (Prometheus on :9090, Alertmanager on :9093/:9094, all
#    interfaces), which must not run either.
APT_PACKAGES=(chromium libsecret-1-dev pkg-config gnome-keyring dbus dbus-x11 openssh-client oathtool jq
  openssl postgresql python3 python3-dkim make g++ ca-certificates knot prometheus prometheus-alertmanager)
# Installed for the tests, whose system services stay off (the tests start their own).
NO_SERVICES=(knot prometheus prometheus-alertmanager)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # No package may start its daemon while installing (knot's would bind port 53 on
  # loopback, in front of a local resolver): a temporary policy-rc.d says no.
  temp_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    temp_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
    [ -z "$temp_policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
    exit 1
  }
  [ -z "$temp_policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi
# Their system services stay off (stopped and disabled), on every run: the tests start their
# own knotd, prometheus and alertmanager on free loopback ports; nothing here may take port 53,
# the machine's resolver or a port on every interface.
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
for svc in "${NO_SERVICES[@]}"; do
  dpkg-query -W -f='${Status}' "$svc" 2>/dev/null | grep -q 'install ok installed' || continue
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    if systemctl is-enabled --quiet "$svc.service" 2>/dev/null || systemctl is-active --quiet "$svc.service" 2>/dev/null; then
      log "stopping and disabling the $svc system service (the tests run their own on a free port)"
      $SUDO systemctl disable --now "$svc.service" >/dev/null 2>&1 || true
    fi
  elif [ -x "/etc/init.d/$svc" ]; then
    $SUDO "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
    $SUDO update-rc.d "$svc" disable >/dev/null 2>&1 || true
  fi
done

# 2. npm packages. No Electron binary download here (its host is unreachable);
#    electron-vite builds without it and the harness drives the UI in Chromium.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
stamp="node_modules/.vault-console-lock.sha256"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

# 3. OpenBao (the real Vault server for tests and the demo), built once and cached.
#    Go lives in /usr/local/go on these machines; a CI shell may not have it on PATH.
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
bash test/services/openbao/build.sh >/dev/null

# 4. The S3-protocol server for backup tests, built once and cached.
if [ -f test/services/s3/build.sh ]; then
  bash test/services/s3/build.sh >/dev/null
fi

# 5. VictoriaLogs (the central audit store the console can query; tests start it on loopback), built once and cached.
bash test/services/victorialogs/build.sh >/dev/null

# 6. The app itself (main, preload, renderer, CLI).
log "electron-vite build"
npx electron-vite build >/dev/null
log "ready"
