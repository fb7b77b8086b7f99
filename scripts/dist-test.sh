#!/usr/bin/env bash
# Tests what ships: packages the release build (scripts/dist.sh; run `make build-release`
# first), extracts the tarball into a temporary folder and starts bin/ersal there in production
# mode (random secrets, a throwaway SQLite database, a free loopback port, nothing else from
# this environment). It must become ready, serve a page whose hashed CSS and fonts load from the
# packaged site, and the hashed JS and WASM named in hash.txt, and exit 0 soon after SIGTERM.
# Also checks that ersal.env.example names every variable the configuration reads.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "dist-test: FAILED: $*" >&2
  exit 1
}
ok() { echo "dist-test: ok: $*"; }

scripts/dist.sh
tarball=$(echo "${CARGO_TARGET_DIR:-target}"/dist/ersal-*.tar.gz)
[ -f "$tarball" ] || fail "no tarball from scripts/dist.sh"

tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
log=$tmp/ersal.log
fail_with_log() {
  echo "--- the end of the server's log ---" >&2
  tail -n 40 "$log" >&2
  fail "$@"
}

tar -C "$tmp" -xzf "$tarball"
app=$tmp/ersal
ok "extracted $tarball into $tmp"

for var in $(grep -ohE '"(ERSAL|DIVAR|KENAR)_[A-Z_]+"|"DATABASE_URL"' crates/server/src/config/mod.rs | tr -d '"' | sort -u); do
  grep -q "\b$var\b" "$app/ersal.env.example" || fail "ersal.env.example does not mention $var"
done
ok "ersal.env.example names every variable crates/server/src/config/mod.rs reads"

# A TCP port free on 127.0.0.1: the kernel's pick if python3 is there, else a scan (as
# scripts/postgres.sh does).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null && return
  local port
  for ((port = 53000; port < 53200; port++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  fail "no free TCP port in 53000-53199"
}
port=$(free_port)
base=http://127.0.0.1:$port
# GET $base$1 into $2 (default: nowhere); prints "<status> <content type>", status 000 when no
# answer came (a handler that panics drops the connection).
get() { curl -s --max-time 5 -o "${2:-/dev/null}" -w '%{http_code} %{content_type}' "$base$1" || true; }
secret() { head -c 36 /dev/urandom | base64; }
# Production mode: it refuses weak and development values, so this is the real start-up path.
# The public URL names a host reserved never to resolve (RFC 6761); nothing calls Divar here.
(
  cd "$app"
  exec env -i PATH="$PATH" NO_COLOR=1 \
    ERSAL_MODE=prod \
    ERSAL_PUBLIC_URL=https://ersal.test \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    DATABASE_URL="sqlite://$tmp/data/ersal.db" \
    DIVAR_IDENTIFICATION_KEYS="$(secret)" \
    KENAR_APP_SLUG=ersal-dist-test \
    KENAR_API_KEY="$(secret)" \
    KENAR_OAUTH_CLIENT_SECRET="$(secret)" \
    ERSAL_SECRET_KEY="$(secret)" \
    ERSAL_SUPPORT_PHONE=021-91000000 \
    ERSAL_PROCESSORS="شرکت حمل آزمون=جابه‌جایی مرسوله;میزبان آزمون=میزبانی" \
    bin/ersal
) > "$log" 2>&1 &
pid=$!

for _ in $(seq 60); do
  kill -0 "$pid" 2>/dev/null || fail_with_log "bin/ersal exited during start-up"
  [ "$(get /readyz)" = "200 application/json" ] && break
  sleep 0.5
done
[ "$(get /readyz)" = "200 application/json" ] ||
  fail_with_log "/readyz did not answer 200 within 30 s"
ok "started in production mode from $app; /readyz answers 200"

page=$tmp/privacy.html
answer=$(get /privacy "$page")
case "$answer" in
  "200 text/html"*) ;;
  *) fail_with_log "/privacy answered '$answer', not 200 HTML" ;;
esac
ok "/privacy is 200 HTML"

# The privacy page has no island, so it names the stylesheet and the fonts only; the island
# pages' JS and WASM are named from the packaged hash.txt.
assets=$(grep -oE '/(pkg|fonts)/[A-Za-z0-9._-]+' "$page" | sort -u)
css=$(sed -n 's/^css: //p' "$app/bin/hash.txt")
[ -n "$css" ] || fail "bin/hash.txt names no css hash"
echo "$assets" | grep -qx "/pkg/ersal.$css.css" ||
  fail_with_log "/privacy does not name /pkg/ersal.$css.css (hash.txt not read beside the binary?): ${assets//$'\n'/ }"
echo "$assets" | grep -q '^/fonts/' || fail_with_log "/privacy names no font"
for ext in js wasm; do
  hash=$(sed -n "s/^$ext: //p" "$app/bin/hash.txt")
  [ -n "$hash" ] || fail "bin/hash.txt names no $ext hash"
  assets+=$'\n'"/pkg/ersal.$hash.$ext"
done
for asset in $assets; do
  answer=$(get "$asset")
  [ "${answer%% *}" = 200 ] || fail_with_log "$asset answered '$answer', not 200 (site-root wrong or site missing?)"
  ok "$asset is 200"
done

kill -TERM "$pid"
for _ in $(seq 70); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
kill -0 "$pid" 2>/dev/null && fail_with_log "still running 35 s after SIGTERM"
status=0
wait "$pid" || status=$?
pid=
[ "$status" = 0 ] || fail_with_log "exited with status $status after SIGTERM"
ok "exited 0 after SIGTERM"
echo "dist-test: passed"
