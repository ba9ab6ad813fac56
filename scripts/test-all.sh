#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: typecheck, lint, unit and
# integration tests (vitest, against real OpenBao, gnome-keyring and S3), and the
# end-to-end tests (Playwright in Debian's Chromium through the browser harness).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "[test] setup failed" >&2; exit 1; }

results=$(mktemp -d)
failed=()
step() {
  local name=$1
  shift
  printf '\n==> %s\n' "$name"
  if ! "$@"; then failed+=("$name"); fi
}

step typecheck npm run --silent typecheck
step lint npm run --silent lint
# The keychain tests need a Secret Service: run vitest inside its own D-Bus session.
step "unit + integration" bash test/services/keyring/with-keyring.sh \
  npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
step "end to end" env PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" \
  bash test/services/keyring/with-keyring.sh npx playwright test --reporter=list,json

node scripts/summarize-tests.mjs "$results" || failed+=("summary")
if ((${#failed[@]})); then
  echo "[test] failed: ${failed[*]}" >&2
  exit 1
fi
