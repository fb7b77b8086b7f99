#!/usr/bin/env bash
# Two release instances of Ersal on one throwaway PostgreSQL, behind nginx (round-robin, no
# sticky sessions), with the Divar sandbox: what the two-instance journeys and the fault tests
# (end2end/instances/) run against. Needs `make build-release` and the sandbox's release build.
#   scripts/instances.sh start        PostgreSQL, the sandbox, instances a and b, nginx; returns
#                                     when all of them answer
#   scripts/instances.sh stop         stops everything (fine if nothing runs)
#   scripts/instances.sh kill NAME    kill -9 instance NAME (a or b)
#   scripts/instances.sh pause NAME   SIGSTOP: it keeps accepting connections, answers nothing
#   scripts/instances.sh resume       SIGCONT to every paused instance
#   scripts/instances.sh revive NAME  starts instance NAME again unless its port is taken
#   scripts/instances.sh db-down|db-up  a PostgreSQL outage, and its end (same data, same port)
# Ports: nginx 127.0.0.1:3200; instances a and b 3201 and 3202 (metrics 9201 and 9202); the
# sandbox 3100. Logs and pid files in target/instances/. The binaries are found where the build
# put them: CARGO_TARGET_DIR (default target), as scripts/dist.sh finds them.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$(pwd -P)
DIR="$ROOT/target/instances"
# Resolved, so that it compares equal to a process's /proc/PID/exe.
BIN=$(realpath -m "${CARGO_TARGET_DIR:-target}/release")
PUBLIC=http://127.0.0.1:3200

die() { printf 'instances.sh: %s\n' "$*" >&2; exit 1; }

port_of() {
  case "$1" in
    a) echo 3201 ;;
    b) echo 3202 ;;
    *) die "no instance $1 (a or b)" ;;
  esac
}

# The configuration both instances and the sandbox share (they must agree on keys and secrets).
common_env() {
  export ERSAL_MODE=dev
  export DATABASE_URL
  DATABASE_URL=$(cat "$ROOT/target/postgres/url")
  export DIVAR_IDENTIFICATION_KEYS=e2e-identification-key-000000
  export ERSAL_PUBLIC_URL=$PUBLIC
  export DIVAR_SANDBOX_ADDR=127.0.0.1:3100
  # Every journey comes from one address, far faster than a person (tests/api/limits.rs
  # tests the limits themselves).
  export ERSAL_RATE_LIMITS="fallback=1000,landing=1000,login=1000,functions=10000,pages=10000"
  export ERSAL_PREFILL_MS=5000
  # nginx on loopback reports the client's address.
  export ERSAL_TRUSTED_PROXIES=127.0.0.1
  # Short enough for a fault test to wait out; the configuration's smallest for a 2 s wait
  # (4 waits for the database and 25 s).
  export ERSAL_DB_ACQUIRE_TIMEOUT_SECS=2
  export ERSAL_OUTBOX_LEASE_SECS=33
  export RUST_LOG=info
}

# Waits up to 60 s for `url` to answer 200.
wait_for() {
  local url=$1 i
  for ((i = 0; i < 240; i++)); do
    if [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$url")" = 200 ]; then
      return 0
    fi
    sleep 0.25
  done
  die "$url did not answer 200 within 60 s"
}

# Whether something listens on 127.0.0.1:PORT.
listening() {
  [ -n "$(ss -Hltn "( sport = :$1 )")" ]
}

start_instance() {
  local name=$1 port
  port=$(port_of "$name")
  if listening "$port"; then
    echo "instance $name already listens on $port" >&2
    return 0
  fi
  (
    common_env
    export LEPTOS_SITE_ADDR=127.0.0.1:$port
    export ERSAL_METRICS_ADDR=127.0.0.1:$((port + 6000))
    exec "$BIN/ersal" >>"$DIR/$name.log" 2>&1
  ) &
  echo $! >"$DIR/$name.pid"
  wait_for "http://127.0.0.1:$port/readyz"
}

# The pid in NAME's pid file if it is still one of our processes (a stale file after a reboot
# or a crashed run may name someone else's process, which root must not signal).
our_pid() {
  local name=$1 binary pid
  [ -f "$DIR/$name.pid" ] || return 1
  pid=$(cat "$DIR/$name.pid")
  binary=$BIN/ersal
  [ "$name" = sandbox ] && binary=$BIN/divar-sandbox
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$binary" ] && echo "$pid"
}

signal_instance() {
  local signal=$1 name=$2 pid
  port_of "$name" >/dev/null
  pid=$(our_pid "$name") || die "instance $name is not running"
  kill "-$signal" "$pid"
}

resume_all() {
  local name pid
  for name in a b; do
    if pid=$(our_pid "$name"); then
      kill -CONT "$pid"
    fi
  done
}

write_nginx_conf() {
  rm -rf "$DIR/nginx"
  mkdir -p "$DIR/nginx"
  # nginx's workers run as an unprivileged user, who may not reach the clone (root's mode-700
  # home): the page they serve goes to a temporary folder of its own, readable by anyone.
  local pages
  pages=$(mktemp -d "${TMPDIR:-/tmp}/ersal-nginx.XXXXXX")
  chmod 755 "$pages"
  install -m 644 deploy/unavailable.html "$pages/unavailable.html"
  echo "$pages" >"$DIR/nginx-pages"
  # deploy/nginx.conf's access-log format itself, from its `map` to the next blank line: the
  # journeys check what it writes.
  awk '/^map \$uri \$ersal_log_path/ { p = 1 } p && /^$/ { exit } p' deploy/nginx.conf \
    >"$DIR/nginx/log-format.conf"
  grep -q '^log_format ersal_private' "$DIR/nginx/log-format.conf" \
    || die "no access-log format (map \$uri \$ersal_log_path … log_format ersal_private) in deploy/nginx.conf"
  # deploy/divar-event-sources.conf with the sandbox's address for Divar's: the sandbox sends
  # its events from 127.0.0.1, and the journeys check that any other address is refused.
  {
    echo "# Written by scripts/instances.sh from deploy/divar-event-sources.conf: the sandbox's"
    echo "# address instead of Divar's."
    grep -v '^allow ' deploy/divar-event-sources.conf | sed 's/^deny all;$/allow 127.0.0.1;\n&/'
  } >"$DIR/nginx/divar-event-sources.conf"
  grep -qx 'deny all;' "$DIR/nginx/divar-event-sources.conf" \
    || die "deploy/divar-event-sources.conf does not end its list with deny all;"
  cat >"$DIR/nginx/nginx.conf" <<EOF
# Written by scripts/instances.sh: deploy/nginx.conf's proxying, access log and events
# allow-list on loopback, without TLS, its upstream keepalive (each proxied request has a
# connection of its own, which the fault tests use to find the instance holding a request) or
# its request id.
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
events { worker_connections 512; }
http {
    include $DIR/nginx/log-format.conf;
    access_log $DIR/nginx/access.log ersal_private;
    client_body_temp_path $DIR/nginx/body;
    proxy_temp_path $DIR/nginx/proxy;
    fastcgi_temp_path $DIR/nginx/fastcgi;
    uwsgi_temp_path $DIR/nginx/uwsgi;
    scgi_temp_path $DIR/nginx/scgi;
    # max_fails=0: the fault tests kill and revive instances faster than nginx's passive check
    # would forget a failure; a refused connection is still retried on the other instance.
    upstream ersal {
        server 127.0.0.1:3201 max_fails=0;
        server 127.0.0.1:3202 max_fails=0;
    }
    server {
        listen 127.0.0.1:3200;
        client_max_body_size 32k;
        proxy_set_header Host \$http_host;
        proxy_set_header X-Forwarded-For \$remote_addr;
        proxy_set_header X-Forwarded-Proto \$scheme;
        proxy_connect_timeout 2s;
        proxy_read_timeout 40s;
        # As deploy/nginx.conf: a failed request is tried on the other instance, never a POST
        # once sent, never a single-use GET.
        proxy_next_upstream error timeout;
        location / {
            proxy_pass http://ersal;
        }
        location = /divar/events {
            include $DIR/nginx/divar-event-sources.conf;
            proxy_pass http://ersal;
        }
        location ^~ /l/ {
            proxy_next_upstream off;
            proxy_pass http://ersal;
        }
        location = /oauth/callback {
            proxy_next_upstream off;
            proxy_pass http://ersal;
        }
        # No instance answered: the Persian page, never nginx's English one.
        error_page 502 504 /unavailable.html;
        location = /unavailable.html {
            root $pages;
            internal;
        }
    }
}
EOF
}

start_all() {
  stop_all
  [ -x "$BIN/ersal" ] && [ -x "$BIN/divar-sandbox" ] \
    || die "build first: make build-release and cargo build --release -p divar-sandbox"
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || die "nginx is missing (scripts/setup.sh test)"
  mkdir -p "$DIR"
  scripts/postgres.sh start >/dev/null
  (
    common_env
    exec "$BIN/divar-sandbox" >>"$DIR/sandbox.log" 2>&1
  ) &
  echo $! >"$DIR/sandbox.pid"
  wait_for http://127.0.0.1:3100/
  # One after the other: the first applies the migrations.
  start_instance a
  start_instance b
  write_nginx_conf
  /usr/sbin/nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx"
  wait_for "$PUBLIC/readyz"
  echo "two instances behind $PUBLIC (logs in $DIR)"
}

stop_all() {
  if [ -f "$DIR/nginx/nginx.pid" ]; then
    /usr/sbin/nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -s stop 2>/dev/null || true
  fi
  if [ -f "$DIR/nginx-pages" ]; then
    case "$(cat "$DIR/nginx-pages")" in
      */ersal-nginx.*) rm -rf "$(cat "$DIR/nginx-pages")" ;;
    esac
    rm -f "$DIR/nginx-pages"
  fi
  local name pid
  for name in a b sandbox; do
    if pid=$(our_pid "$name"); then
      kill -CONT "$pid" 2>/dev/null || true
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  sleep 0.5
  for name in a b sandbox; do
    if pid=$(our_pid "$name"); then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/$name.pid"
  done
  scripts/postgres.sh stop
}

case "${1:-}" in
  start) start_all ;;
  stop) stop_all ;;
  kill) signal_instance KILL "${2:-}" ;;
  pause) signal_instance STOP "${2:-}" ;;
  resume) resume_all ;;
  revive) start_instance "${2:-}" ;;
  db-down) scripts/postgres.sh down ;;
  db-up) scripts/postgres.sh up ;;
  *) die "usage: $0 start|stop|kill NAME|pause NAME|resume|revive NAME|db-down|db-up" ;;
esac
