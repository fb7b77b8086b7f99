#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, reachable on loopback only. Its data lives in a private
# temporary folder owned by the user PostgreSQL runs as (`postgres` when run as root), so it works
# wherever the clone is, a mode-700 home folder included; target/postgres/ holds only pointers:
# `url` and `cluster` (the temporary folder's path).
#   scripts/postgres.sh start   (re)creates it from scratch, starts it on a free port, and prints
#                               its URL (postgres://postgres@127.0.0.1:<port>/postgres), the only
#                               line on stdout; the URL is also written to target/postgres/url
#   scripts/postgres.sh stop    stops it and removes its folder and target/postgres (fine if
#                               nothing runs)
#   scripts/postgres.sh down    stops it and keeps its data (an outage, for the fault tests)
#   scripts/postgres.sh up      starts it again after `down`, on the same port
# Installs Debian's postgresql package if no PostgreSQL is found. Authentication is `trust`
# and durability is off (fsync, full_page_writes): never put anything worth keeping in it.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$(pwd -P)
POINTERS="$ROOT/target/postgres"
URL_FILE="$POINTERS/url"
CLUSTER_FILE="$POINTERS/cluster"

# The cluster's folder (data, socket, log): the one recorded by `start`, if any.
set_cluster() {
  BASE=$1
  DATA="$BASE/data"
  SOCK="$BASE/run"          # unix socket directory: inside the cluster's folder, never /var/run
  LOG="$BASE/log"
}
if [ -f "$CLUSTER_FILE" ]; then
  set_cluster "$(cat "$CLUSTER_FILE")"
  case "$(basename "$BASE")" in
    ersal-postgres.*) ;;
    *) printf 'postgres.sh: %s names no cluster folder of ours\n' "$CLUSTER_FILE" >&2; exit 1 ;;
  esac
else
  set_cluster /nonexistent
fi

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'postgres.sh: %s\n' "$*" >&2; exit 1; }

# Newest /usr/lib/postgresql/<version>/bin holding initdb, or the directory of an initdb on PATH.
find_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | while read -r d; do
          [ -x "$d/initdb" ] && echo "$d"; done | tail -n 1 || true)
  if [ -z "$dir" ] && command -v initdb >/dev/null 2>&1; then
    dir=$(dirname "$(readlink -f "$(command -v initdb)")")
  fi
  echo "$dir"
}

install_postgres() {
  local sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "PostgreSQL is not installed and sudo is missing"
    sudo_cmd=(sudo)
  fi
  log "apt-get install postgresql"
  "${sudo_cmd[@]}" apt-get update -qq >&2
  # through env: sudo would drop DEBIAN_FRONTEND from the environment
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

# The user PostgreSQL runs as: it refuses to run as root, so root hands over to `postgres`.
if [ "$(id -u)" -eq 0 ]; then
  PG_USER=postgres
else
  PG_USER=$(id -un)
fi

# Runs a command as PG_USER.
runas() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

# Runs a command as the user owning the data directory (or PG_USER when there is none yet).
as_owner() {
  local owner=$PG_USER
  [ -d "$DATA" ] && owner=$(stat -c %U "$DATA")
  if [ "$owner" = "$(id -un)" ]; then
    "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    runuser -u "$owner" -- "$@"
  else
    die "$DATA belongs to $owner; cannot act on it as $(id -un)"
  fi
}

stop_cluster() {
  if [ ! -d "$BASE" ]; then
    rm -rf "$POINTERS"
    return 0
  fi
  if [ -f "$DATA/postmaster.pid" ]; then
    local bindir
    bindir=$(find_bindir)
    [ -n "$bindir" ] || die "a cluster is in $DATA but PostgreSQL's binaries are gone"
    if as_owner "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      log "stopping the cluster in $DATA"
      as_owner "$bindir/pg_ctl" -D "$DATA" -m fast -w stop >&2 \
        || as_owner "$bindir/pg_ctl" -D "$DATA" -m immediate -w stop >&2 \
        || die "could not stop the cluster in $DATA"
    fi
  fi
  rm -rf "$BASE" "$POINTERS"
}

# A TCP port free on 127.0.0.1: the kernel's pick if python3 is there, else a scan from 55432.
free_port() {
  local port
  if port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null) && [ -n "$port" ]; then
    echo "$port"
    return
  fi
  for ((port = 55432; port < 55632; port++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free TCP port found in 55432-55631"
}

start_cluster() {
  local bindir
  bindir=$(find_bindir)
  if [ -z "$bindir" ]; then
    install_postgres
    bindir=$(find_bindir)
    [ -n "$bindir" ] || die "PostgreSQL installed, but no initdb in /usr/lib/postgresql/*/bin"
  fi
  if [ "$(id -u)" -eq 0 ] && ! getent passwd postgres >/dev/null; then
    die "no postgres user to run PostgreSQL as (Debian's postgresql package creates it)"
  fi

  stop_cluster

  # The clone may sit where PG_USER cannot reach (root's mode-700 home): the cluster gets a
  # private temporary folder of PG_USER's own instead, its path recorded under target/.
  set_cluster "$(mktemp -d "${TMPDIR:-/tmp}/ersal-postgres.XXXXXX")"
  mkdir -p "$SOCK" "$POINTERS"
  echo "$BASE" >"$CLUSTER_FILE"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$PG_USER": "$BASE"
  fi
  runas test -w "$BASE" || die "$PG_USER cannot write $BASE"

  log "initdb $DATA ($("$bindir/postgres" --version))"
  runas "$bindir/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale \
    --no-sync >&2

  local port attempt
  for attempt in 1 2 3; do
    port=$(free_port)
    # a conf.d-style include would do too; appending keeps it in one visible place
    cat >>"$DATA/postgresql.conf" <<EOF

# scripts/postgres.sh (attempt $attempt): throwaway test cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$SOCK'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    log "pg_ctl start on 127.0.0.1:$port (log in $LOG)"
    if runas "$bindir/pg_ctl" -D "$DATA" -l "$LOG" -w start >&2; then
      local url="postgres://postgres@127.0.0.1:$port/postgres"
      echo "$url" >"$URL_FILE"
      echo "$url"
      return
    fi
    # most likely someone took the port in between: make sure nothing is left, try another one
    tail -n 5 "$LOG" >&2 || true
    runas "$bindir/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  done
  die "the cluster did not start; see $LOG"
}

# An outage: the cluster stops (fast: connections are cut) and comes back with its data.
down_cluster() {
  as_owner "$(find_bindir)/pg_ctl" -D "$DATA" -m fast -w stop >&2
}

up_cluster() {
  as_owner "$(find_bindir)/pg_ctl" -D "$DATA" -l "$LOG" -w start >&2
}

case "${1:-}" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  down) down_cluster ;;
  up) up_cluster ;;
  *) die "usage: $0 start|stop|down|up" ;;
esac
