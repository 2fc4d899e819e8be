#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (a real Secret Service).
# Recipe from reference/environment.md: the keyring must be unlocked with a newline on stdin.
set -euo pipefail
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  # In CI a missing real part is a failure, never a silent skip.
  if [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; then
    echo "with-keyring: CI: dbus-run-session or gnome-keyring-daemon is missing (scripts/setup-system.sh test installs them)" >&2
    exit 1
  fi
  echo "with-keyring: dbus-run-session or gnome-keyring-daemon missing; running without a Secret Service" >&2
  exec "$@"
fi
export VIGIE_KEYRING_HOME="${VIGIE_KEYRING_HOME:-$(mktemp -d)}"
exec dbus-run-session -- bash -c '
  export HOME="$VIGIE_KEYRING_HOME"
  eval "$(echo "" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
  export VIGIE_SECRET_SERVICE=1
  exec "$@"
' bash "$@"
