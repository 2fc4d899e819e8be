#!/usr/bin/env bash
# The one test command (`npm test`): system set-up, typecheck, lint, unit + integration, end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1

step() { printf '\n=== %s\n' "$*"; }

step "system packages"
bash scripts/setup-system.sh test

step "typecheck"
npm run --silent typecheck

step "lint"
npm run --silent lint

step "electronegativity (Electron shell: no finding of MEDIUM or higher)"
node scripts/electronegativity.mjs

step "build renderer"
npm run --silent build:renderer

step "unit and integration tests (vitest)"
# A private D-Bus session with an unlocked gnome-keyring, so keychain tests use a real Secret Service.
mkdir -p .tmp
rm -f .tmp/vitest.json .tmp/playwright.json
status=0
bash scripts/with-keyring.sh npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json || status=1

step "end-to-end tests (playwright)"
PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/playwright.json npx playwright test --reporter=list,json || status=1

step "summary"
node scripts/test-summary.mjs || status=1
exit "$status"
