#!/usr/bin/env bash
# Installs everything the console, its tests and its demo need on a fresh Debian
# machine. Safe to run again: each step checks before it works.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# 1. Debian packages: Chromium for end-to-end tests, the Secret Service (keychain)
#    and libsecret for keytar's native build, PostgreSQL for the HA topology, the
#    independent tools the tests cross-check against (ssh-keygen, oathtool, jq), and
#    Prometheus + Alertmanager (promtool/amtool check the monitoring rules; the watch
#    tests run both on free loopback ports with temporary configs).
APT_PACKAGES=(chromium libsecret-1-dev pkg-config gnome-keyring dbus dbus-x11 openssh-client oathtool jq
  postgresql python3 make g++ ca-certificates prometheus prometheus-alertmanager)
# Debian starts these as system services on install (Prometheus on :9090, Alertmanager on
# :9093/:9094, all interfaces). Tests never need them: keep them from starting here.
NO_SERVICES=(prometheus prometheus-alertmanager)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # invoke-rc.d asks policy-rc.d: exit 101 = "do not start services" for this install only.
  policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# vault-console setup: no service starts during this install\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
    [ "$policy_added" -eq 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
    exit 1
  }
  [ "$policy_added" -eq 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
  # Where systemd runs, also keep them from starting at the next boot (only the ones installed now).
  if [ -d /run/systemd/system ]; then
    for svc in "${NO_SERVICES[@]}"; do
      if printf '%s\n' "${missing[@]}" | grep -qx "$svc"; then
        $SUDO systemctl disable --now "$svc.service" >/dev/null 2>&1 || true
      fi
    done
  fi
fi

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

# 5. The app itself (main, preload, renderer, CLI).
log "electron-vite build"
npx electron-vite build >/dev/null
log "ready"
