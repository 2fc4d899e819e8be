#!/usr/bin/env bash
# Installs the Debian packages Vigie needs, by what needs them. Idempotent: installs only what is missing.
#
#   scripts/setup-system.sh [app|test]
#
#   app  (default, `npm run setup`, before `npm ci`): what building needs (the `smartcard` PC/SC binding is
#        compiled by node-gyp: python3, make, g++, the PC/SC headers) and the demo card reader (pcscd with the
#        vsmartcard virtual reader driver).
#   test (run by `npm test`): the above, plus what the tests drive for real: Chromium, PostgreSQL, HAProxy,
#        gnome-keyring in a D-Bus session, Xvfb, poppler-utils (letters as text), openssl (test certificates).
#
# As root with apt it installs what is missing. Otherwise it prints the exact command to run; only a missing build
# package (or, for `test`, any missing package) stops it: without pcscd the app starts with no demo reader and says so.
set -euo pipefail

BUILD=(python3 make g++ pkg-config libpcsclite-dev)
DEMO=(pcscd vsmartcard-vpcd iproute2 util-linux)
TEST=(pcsc-tools chromium postgresql haproxy gnome-keyring dbus dbus-x11 xvfb poppler-utils openssl)

what="${1:-app}"
case "$what" in
  app) required=("${BUILD[@]}"); optional=("${DEMO[@]}") ;;
  test) required=("${BUILD[@]}" "${DEMO[@]}" "${TEST[@]}"); optional=() ;;
  *) echo "usage: $0 [app|test]" >&2; exit 2 ;;
esac

missing_of() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$p"
  done
}

mapfile -t missing_required < <(missing_of "${required[@]}")
mapfile -t missing_optional < <(missing_of "${optional[@]}")
missing=("${missing_required[@]}" "${missing_optional[@]}")

# A Node older than the one the project requires builds, but warns at every install (Electron's tools need it).
node_major="$(node -p 'process.versions.node.split(".").map(Number).slice(0, 2).join(".")' 2>/dev/null || echo 0)"
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)' 2>/dev/null; then
  echo "setup-system: Node.js $node_major is older than the 22.12 Vigie requires (see README, « Which Node »)." >&2
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages for '$what' present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: missing system packages: ${missing[*]}" >&2
  echo "Run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  if [ ${#missing_required[@]} -gt 0 ]; then exit 1; fi
  echo "setup-system: Vigie will start without its demo card reader until pcscd and vsmartcard-vpcd are installed." >&2
  exit 0
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: done"
