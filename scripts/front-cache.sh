#!/usr/bin/env bash
# Start or stop Varnish in front of the app, with deploy/varnish/default.vcl.
#   scripts/front-cache.sh start [LISTEN_PORT] [BACKEND_HOST] [BACKEND_PORT]   (6081 127.0.0.1 8000)
#   scripts/front-cache.sh stop [LISTEN_PORT]
# The app must know where to send bans: FRONT_CACHE_PURGE_URLS=http://127.0.0.1:6081/
# Needs Debian's varnish package (apt-get install varnish).
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-start}
listen=${2:-6081}
workdir="${TMPDIR:-/tmp}/newsroom-varnish-$listen"

case "$action" in
  start)
    backend_host=${3:-127.0.0.1}
    backend_port=${4:-8000}
    command -v varnishd >/dev/null || { echo "varnishd not found: apt-get install varnish" >&2; exit 1; }
    mkdir -p "$workdir"
    sed -e "s/__BACKEND_HOST__/$backend_host/" -e "s/__BACKEND_PORT__/$backend_port/" \
      deploy/varnish/default.vcl > "$workdir/default.vcl"
    varnishd -a "127.0.0.1:$listen" -n "$workdir" -f "$workdir/default.vcl" \
      -s "malloc,${VARNISH_MEMORY:-256m}" -P "$workdir/varnishd.pid"
    for _ in $(seq 1 50); do
      if curl -s -o /dev/null "http://127.0.0.1:$listen/healthz"; then
        echo "Varnish on 127.0.0.1:$listen -> $backend_host:$backend_port"; exit 0
      fi
      sleep 0.1
    done
    echo "Varnish did not answer on $listen" >&2; exit 1
    ;;
  stop)
    if [ -f "$workdir/varnishd.pid" ]; then kill "$(cat "$workdir/varnishd.pid")" 2>/dev/null || true; fi
    rm -rf "$workdir"
    ;;
  *) echo "usage: $0 start|stop [LISTEN_PORT] [BACKEND_HOST BACKEND_PORT]" >&2; exit 2 ;;
esac
