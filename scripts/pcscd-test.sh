#!/usr/bin/env bash
# A private pcscd with the vsmartcard-vpcd virtual reader, for the card tests and the demo.
#
#   scripts/pcscd-test.sh start|stop|restart|status|env
#
# Why a private mount namespace: pcscd's socket path is fixed (/run/pcscd/pcscd.comm) and a test that kills
# pcscd must not kill a pcscd someone else uses. So pcscd runs in its own mount namespace where /run/pcscd is a
# bind mount of $VIGIE_PCSCD_DIR; clients reach it through PCSCLITE_CSOCK_NAME=$VIGIE_PCSCD_DIR/pcscd.comm
# (libpcsclite honours that variable). The network namespace is the host's: the virtual card connects to vpcd on
# 127.0.0.2:$VIGIE_VPCD_PORT (reader 0) and +1 (reader 1), through a local route with `quickack 1` (without it
# every APDU costs ~44 ms: Debian's vpcd writes length and payload separately, Nagle + delayed ACK).
# The route is shared by every instance started by this script (tests, demo, bench): it is added if missing and
# removed when the last instance that needed it stops, and only if this script added it (refcount under
# /run/vigie-quickack, serialised with flock).
#
# Needs root, pcscd and the vpcd driver. Otherwise exits 3 with the reason on stderr (tests skip and say why).
set -euo pipefail

DIR="${VIGIE_PCSCD_DIR:-/run/vigie-pcscd}"
PORT="${VIGIE_VPCD_PORT:-35963}"
# VIGIE_VPCD_READERS=0 starts pcscd without the virtual reader (the "no reader" situation).
READERS="${VIGIE_VPCD_READERS:-1}"
DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
SOCK="$DIR/pcscd.comm"
PIDFILE="$DIR/pcscd.pid.outer"
ROUTE=(local 127.0.0.2 dev lo table local)
QA=/run/vigie-quickack
ME="$QA/users/$(printf '%s' "$DIR" | tr '/' '_')"

route_use() {
  mkdir -p "$QA/users"
  (
    flock 9
    touch "$ME"
    # (no grep -q: with pipefail, its early exit would make `ip` die of SIGPIPE and the test lie)
    if ! ip route show table local 2>/dev/null | grep '^local 127.0.0.2 dev lo' >/dev/null; then
      if ip route add "${ROUTE[@]}" proto kernel scope host src 127.0.0.1 quickack 1 2>/dev/null; then touch "$QA/ours"; fi
    fi
    true
  ) 9>"$QA/lock"
}

route_release() {
  [ -d "$QA/users" ] || return 0
  (
    flock 9
    rm -f "$ME"
    # Forget instances that died without stopping.
    for m in "$QA"/users/*; do
      [ -e "$m" ] || continue
      local d pid
      d="$(basename "$m" | tr '_' '/')"
      pid="$(cat "$d/pcscd.pid.outer" 2>/dev/null || true)"
      if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then rm -f "$m"; fi
    done
    if [ -z "$(ls -A "$QA/users" 2>/dev/null)" ] && [ -f "$QA/ours" ]; then
      ip route del "${ROUTE[@]}" 2>/dev/null || true
      rm -f "$QA/ours"
    fi
    true
  ) 9>"$QA/lock"
}

why_not() {
  [ "$(id -u)" -eq 0 ] || { echo "not root (pcscd in a private mount namespace needs root)"; return; }
  command -v pcscd >/dev/null 2>&1 || { echo "pcscd is not installed (run scripts/setup-system.sh)"; return; }
  [ -f "$DRIVER" ] || { echo "vsmartcard-vpcd is not installed ($DRIVER missing; run scripts/setup-system.sh)"; return; }
  command -v unshare >/dev/null 2>&1 || { echo "unshare (util-linux) is missing"; return; }
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid; pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = pcscd ] && echo "$pid"
}

start() {
  local reason; reason="$(why_not)"
  if [ -n "$reason" ]; then echo "pcscd-test: cannot start: $reason" >&2; exit 3; fi
  if running_pid >/dev/null; then echo "PCSCLITE_CSOCK_NAME=$SOCK"; return; fi
  mkdir -p "$DIR/conf"
  rm -f "$SOCK" "$DIR/pcscd.pid"
  local hex; hex="$(printf '0x%X' "$PORT")"
  rm -f "$DIR/conf/vpcd"
  if [ "$READERS" != 0 ]; then cat > "$DIR/conf/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$hex
LIBPATH      $DRIVER
CHANNELID    $hex
CONF
  fi
  route_use
  # unshare execs sh, which execs pcscd: the background pid is pcscd's.
  unshare --mount --propagation private \
    sh -c "mount --bind '$DIR' /run/pcscd 2>/dev/null || { mkdir -p /run/pcscd && mount --bind '$DIR' /run/pcscd; }; exec pcscd --foreground -c '$DIR/conf'" \
    >"$DIR/pcscd.log" 2>&1 </dev/null &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 100); do
    [ -S "$SOCK" ] && break
    sleep 0.02
  done
  if [ ! -S "$SOCK" ]; then echo "pcscd-test: pcscd did not start; log:" >&2; cat "$DIR/pcscd.log" >&2; exit 1; fi
  echo "PCSCLITE_CSOCK_NAME=$SOCK"
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$SOCK" "$DIR/pcscd.pid" "$DIR/conf/vpcd" "$DIR/route-added"
  rmdir "$DIR/conf" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop)
    stop
    route_release
    rm -f "$DIR/pcscd.log"
    rmdir "$DIR" 2>/dev/null || true
    ;;
  restart) stop; start ;;
  status) if pid="$(running_pid)"; then echo "running pid $pid socket $SOCK port $PORT"; else echo "stopped"; exit 1; fi ;;
  check) reason="$(why_not)"; if [ -n "$reason" ]; then echo "$reason"; exit 3; fi ;;
  env) echo "PCSCLITE_CSOCK_NAME=$SOCK" ;;
  *) echo "usage: $0 start|stop|restart|status|check|env" >&2; exit 2 ;;
esac
