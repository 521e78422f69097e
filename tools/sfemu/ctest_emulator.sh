#!/bin/sh
# Starts and stops a background sf-emulator for CTest fixtures (tests/CMakeLists.txt):
#   ctest_emulator.sh start SF_EMULATOR STATE_DIR [--tls] [more sf-emulator options]
#   ctest_emulator.sh stop STATE_DIR
# start: writes STATE_DIR/url (the URL listened on), STATE_DIR/pid, STATE_DIR/log and, with
# --tls, STATE_DIR/certs/{ca,server,server-key}.pem; returns once the emulator listens.
# stop: SIGTERM, then waits for a clean exit (SIGKILL and failure after 10 s).
set -eu

usage() { echo "usage: $0 start SF_EMULATOR STATE_DIR [--tls] [options] | stop STATE_DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage

case "$1" in
start)
  [ $# -ge 3 ] || usage
  bin=$2; state=$3; shift 3
  mkdir -p "$state"
  # A leftover from an interrupted run.
  if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
    kill -TERM "$(cat "$state/pid")" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$state/url" "$state/pid" "$state/log"
  tls=""
  if [ "${1:-}" = "--tls" ]; then
    shift
    "$bin" --make-test-certs "$state/certs" >/dev/null
    tls="--tls-cert $state/certs/server.pem --tls-key $state/certs/server-key.pem"
  fi
  # Detached from ctest's pipes and session, so that ctest does not wait for it.
  # shellcheck disable=SC2086
  setsid "$bin" --port 0 --url-file "$state/url" $tls "$@" >"$state/log" 2>&1 </dev/null &
  echo $! >"$state/pid"
  i=0
  while [ ! -s "$state/url" ]; do
    if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
      echo "sf-emulator exited before listening:" >&2
      cat "$state/log" >&2
      exit 1
    fi
    i=$((i + 1))
    if [ $i -gt 300 ]; then
      echo "sf-emulator did not listen within 30 s:" >&2
      cat "$state/log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "started: $(cat "$state/url") (pid $(cat "$state/pid"))"
  ;;
stop)
  state=$2
  [ -f "$state/pid" ] || { echo "no emulator recorded in $state" >&2; exit 1; }
  pid=$(cat "$state/pid")
  kill -TERM "$pid" 2>/dev/null || { echo "emulator $pid was not running" >&2; cat "$state/log" >&2; exit 1; }
  i=0
  while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
      kill -KILL "$pid" 2>/dev/null || true
      echo "emulator $pid did not stop within 10 s" >&2
      exit 1
    fi
    sleep 0.1
  done
  rm -f "$state/pid"
  cat "$state/log"
  if [ -e "$state/url" ]; then
    echo "the emulator left its URL file behind" >&2
    exit 1
  fi
  ;;
*) usage ;;
esac
