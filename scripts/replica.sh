#!/usr/bin/env bash
# A physical streaming replica of the local PostgreSQL primary, for tests/test_replicas.py and
# for trying the read-replica router by hand (docs/deploy.md, "Read replicas").
#
#   scripts/replica.sh start    # base backup of the primary, start it as a hot standby, wait
#   scripts/replica.sh status   # running? in recovery? how far behind? (exit 3 when down)
#   scripts/replica.sh stop     # stop it and remove its data directory and our pg_hba line
#
# Environment (defaults in brackets):
#   PRIMARY_HOST [127.0.0.1]  PRIMARY_PORT [5432]  PRIMARY_USER [postgres]   trust auth assumed
#   REPLICA_PORT [5433]       REPLICA_DIR [/tmp/newsroom-replica-$REPLICA_PORT]
#
# What it changes on the primary, idempotently: a pg_hba.conf line allowing replication
# connections from 127.0.0.1 (the `all` database keyword does not cover replication), then a
# reload. `stop` takes that line out again. Nothing else: wal_level=replica and
# max_wal_senders=10 are PostgreSQL 15's defaults, and no replication slot is created, so a
# stopped replica never makes the primary keep WAL. `start` always takes a fresh base backup
# (a few seconds for a few hundred MB), so a replica can never be left too far behind to catch up.
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PRIMARY_USER=${PRIMARY_USER:-postgres}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/tmp/newsroom-replica-$REPLICA_PORT}
HBA_MARK="# newsroom scripts/replica.sh"
HBA_LINE="host replication all 127.0.0.1/32 trust $HBA_MARK"

die() { echo "replica.sh: $*" >&2; exit 1; }

bindir() {
  # The primary's own major version, so the standby's binaries match it exactly.
  # (the newest installed one when the primary is down, so `stop` still works)
  local major
  major=$(psql_primary -c "SHOW server_version_num" 2>/dev/null | cut -c1-2 || true)
  [ -n "$major" ] || major=$(ls /usr/lib/postgresql | sort -n | tail -1)
  [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ] || die "no PostgreSQL $major binaries in /usr/lib/postgresql/$major/bin"
  echo "/usr/lib/postgresql/$major/bin"
}

psql_primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -d postgres -tAX "$@"; }
psql_replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PRIMARY_USER" -d postgres -tAX "$@"; }

# PostgreSQL refuses to run as root: run its programs as the postgres user when we are root.
as_pg() {
  # (from /, which the postgres user can always enter)
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

running() { [ -f "$REPLICA_DIR/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; }

allow_replication_on_primary() {
  local hba
  hba=$(psql_primary -c "SHOW hba_file")
  [ -w "$hba" ] || die "cannot edit $hba to allow replication connections (run as root or postgres)"
  if ! grep -Eq '^\s*host\s+replication\s+(all|postgres)\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    echo "$HBA_LINE" >>"$hba"
    psql_primary -c "SELECT pg_reload_conf()" >/dev/null
  fi
  [ "$(psql_primary -c "SHOW wal_level")" != minimal ] || die "the primary runs with wal_level=minimal; set wal_level=replica and restart it"
  [ "$(psql_primary -c "SHOW max_wal_senders")" -gt 0 ] || die "the primary has max_wal_senders=0"
}

start() {
  if running; then
    echo "replica already running on port $REPLICA_PORT ($REPLICA_DIR)"
    return 0
  fi
  pg_isready -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -q || die "the primary at $PRIMARY_HOST:$PRIMARY_PORT is not accepting connections"
  if pg_isready -h 127.0.0.1 -p "$REPLICA_PORT" -q; then
    die "port $REPLICA_PORT is taken by another server; set REPLICA_PORT"
  fi
  allow_replication_on_primary
  rm -rf "$REPLICA_DIR"
  mkdir -p "$REPLICA_DIR"
  chmod 700 "$REPLICA_DIR"
  [ "$(id -u)" != 0 ] || chown postgres: "$REPLICA_DIR"
  # -R writes standby.signal and primary_conninfo; -X stream copies the WAL made during the
  # backup over a second connection, so the copy is consistent on its own.
  as_pg "$BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" \
    -D "$REPLICA_DIR" -R -X stream -c fast --no-password --no-sync
  # A hot standby refuses to replay unless these are at least the primary's values.
  local limits
  limits=$(psql_primary -c "SELECT name || ' = ' || setting FROM pg_settings
      WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders',
                     'max_prepared_transactions', 'max_locks_per_transaction')")
  # Debian keeps postgresql.conf and pg_hba.conf in /etc, outside the data directory, so the
  # copy has none: give the standby its own (its socket in its own directory, so it never
  # collides with the system cluster's /var/run/postgresql).
  as_pg tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $REPLICA_PORT
unix_socket_directories = '$REPLICA_DIR'
hot_standby = on
$limits
shared_buffers = 64MB
# A throwaway test copy, rebuilt by every start: skipping fsync saves seconds at start-up
# (no sync of the whole data directory) and never risks anything worth keeping.
fsync = off
# Report replay progress quickly, so the primary's pg_stat_replication is current.
wal_receiver_status_interval = 1s
hot_standby_feedback = on
logging_collector = off
EOF
  as_pg tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_pg touch "$REPLICA_DIR/pg_ident.conf"
  as_pg "$BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/server.log" -w -t 30 start >/dev/null \
    || { tail -20 "$REPLICA_DIR/server.log" >&2; die "the replica did not start"; }
  for _ in $(seq 1 60); do
    if [ "$(psql_replica -c "SELECT pg_is_in_recovery()" 2>/dev/null)" = t ]; then
      echo "replica running on 127.0.0.1:$REPLICA_PORT, streaming from $PRIMARY_HOST:$PRIMARY_PORT ($REPLICA_DIR)"
      return 0
    fi
    sleep 0.5
  done
  tail -20 "$REPLICA_DIR/server.log" >&2
  die "the replica did not accept connections in recovery within 30 s"
}

stop() {
  if running; then
    as_pg "$BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w -t 30 stop >/dev/null
  fi
  rm -rf "$REPLICA_DIR"
  local hba
  hba=$(psql_primary -c "SHOW hba_file" 2>/dev/null || true)
  if [ -n "$hba" ] && [ -w "$hba" ] && grep -qF "$HBA_MARK" "$hba"; then
    sed -i "\\|$HBA_MARK|d" "$hba"
    psql_primary -c "SELECT pg_reload_conf()" >/dev/null
  fi
  echo "replica on port $REPLICA_PORT stopped and removed"
}

status() {
  if ! running; then
    echo "replica: down (port $REPLICA_PORT, $REPLICA_DIR)"
    return 3
  fi
  psql_replica -F ' ' -c "SELECT 'replica: up, in recovery=' || pg_is_in_recovery()
      || ', replay paused=' || (pg_get_wal_replay_pause_state() <> 'not paused')
      || ', received ' || pg_last_wal_receive_lsn() || ', replayed ' || pg_last_wal_replay_lsn()"
  psql_primary -F ' ' -c "SELECT 'primary sees: ' || state || ', replay_lag=' || coalesce(replay_lag::text, '0')
      FROM pg_stat_replication WHERE client_addr = '127.0.0.1'"
}

BIN=$(bindir)
case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
