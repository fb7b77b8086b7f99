#!/usr/bin/env bash
# Packages the release build (`make build-release`) as a self-contained folder,
# <target>/dist/ersal/, and a tarball of it, <target>/dist/ersal-<version>.tar.gz:
#
#   bin/ersal, bin/hash.txt   the server; Leptos reads the asset hashes next to the executable
#   site/                     the site root: hashed, precompressed pkg/ files and fonts
#   Leptos.toml               the site layout, with site-root pointing at site/
#   config/tariff.toml        the tariff (the city list is built into the binary)
#   ersal.env.example         every variable production needs, to copy to /etc/ersal/ersal.env
#   deploy/                   the systemd unit, the nginx example and their README
#   VERSION
#
# The binary reads Leptos.toml, the site and the tariff relative to its working directory, so
# the folder runs wherever it is put, started from inside it (the unit's WorkingDirectory).
#
# The build is found where it was made: CARGO_TARGET_DIR (default target) and LEPTOS_SITE_ROOT
# (default Leptos.toml's site-root), the variables that steer the build itself. The output is
# rebuilt from scratch on every run.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "dist: $*" >&2
  exit 1
}
# One reader of Leptos.toml: the one the build uses (a LEPTOS_* variable already set wins).
leptos() { scripts/with-leptos-env.sh printenv "LEPTOS_$1"; }

target=${CARGO_TARGET_DIR:-target}
site=$(leptos SITE_ROOT)
pkg_dir=$(leptos SITE_PKG_DIR)
name=$(leptos OUTPUT_NAME)
binary=$target/release/ersal
# cargo-leptos writes hash.txt beside the server binary; Leptos looks for it beside the
# running executable (std::env::current_exe), so it travels in bin/ with it.
hashes=$target/release/hash.txt
version=$(awk '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 }
  p && $1 == "version" { gsub(/"/, "", $3); print $3; exit }' Cargo.toml)
[ -n "$version" ] || die "no [package] version in Cargo.toml"

missing="not found; run \`make build-release\` first (or set CARGO_TARGET_DIR / LEPTOS_SITE_ROOT to where the build went)"
[ -x "$binary" ] || die "$binary $missing"
[ -f "$hashes" ] || die "$hashes $missing"
[ -d "$site/$pkg_dir" ] || die "$site/$pkg_dir $missing"
# hash.txt and the site must come from the same build, or pages name files that do not exist.
while IFS=: read -r kind hash || [ -n "$kind" ]; do
  [ -n "$kind" ] || continue
  file=$site/$pkg_dir/$name.${hash// /}.$kind
  [ -f "$file" ] || die "$hashes names $file, which the site lacks: the build is incomplete or mixed; rebuild"
done < "$hashes"

dist=$target/dist
out=$dist/ersal
rm -rf "$dist"
mkdir -p "$out/bin" "$out/config" "$out/site"
install -m 755 "$binary" "$out/bin/ersal"
install -m 644 "$hashes" "$out/bin/hash.txt"
cp -R "$site/." "$out/site"
install -m 644 config/tariff.toml "$out/config/tariff.toml"
cp -R deploy "$out/deploy"
{
  echo "# The site layout, read by bin/ersal from its working directory (this folder) at start-up;"
  echo "# site-root is the packaged site. A LEPTOS_* variable overrides any key, for example"
  echo "# LEPTOS_SITE_ADDR=10.0.0.11:3000 (ersal.env)."
  sed -e '1,/^\[package.metadata.leptos\]/{/^\[package.metadata.leptos\]/!d;}' \
    -e 's|^site-root *=.*|site-root = "site"|' Leptos.toml
} > "$out/Leptos.toml"
grep -qx 'site-root = "site"' "$out/Leptos.toml" || die "Leptos.toml has no site-root line to rewrite"
echo "$version $(git describe --always --dirty 2>/dev/null || echo unknown)" > "$out/VERSION"

cat > "$out/ersal.env.example" <<'EOF'
# Ersal's production environment. Copy to /etc/ersal/ersal.env (owned by root, mode 600: it
# holds secrets), fill in every empty value, and restart. Ersal refuses to start while a
# required value is missing, weak, or a development default, and names the variable.
# Format: KEY=value, one a line, no quotes needed (systemd's EnvironmentFile=).

ERSAL_MODE=prod

# The public origin users reach Ersal at (https); landing URLs are built on it. Required.
ERSAL_PUBLIC_URL=

# Where this instance listens: loopback behind nginx on the same host; a private address when
# nginx runs elsewhere. Never a public address: nginx terminates TLS.
LEPTOS_SITE_ADDR=127.0.0.1:3000

# The database. SQLite serves one instance (the unit's data folder is /var/lib/ersal);
# several instances need PostgreSQL: postgres://user:password@host/ersal
DATABASE_URL=sqlite:///var/lib/ersal/ersal.db
# ERSAL_DB_MAX_CONNECTIONS=10
# ERSAL_DB_ACQUIRE_TIMEOUT_SECS=5

# How long an instance's claim on a chat message lasts, at least 4 × ERSAL_DB_ACQUIRE_TIMEOUT_SECS
# + 25 (one attempt): when an instance dies, its message waits that long for another one.
# ERSAL_OUTBOX_LEASE_SECS=120

# on-start: each start applies pending migrations. manual: run `ersal migrate` before starting
# a new version (deploy/README.md); /readyz answers 503 until the schema is there.
ERSAL_MIGRATE=on-start

# From the Kenar panel (docs/operations.md, "Connecting to Divar"). Required.
# The value(s) Divar sends in Authorization on /divar/init: random, >= 16 bytes each;
# comma-separated, old and new, while rotating.
DIVAR_IDENTIFICATION_KEYS=
# The app slug (OAuth client_id); not the development app's.
KENAR_APP_SLUG=
# The API key (x-api-key), >= 16 bytes.
KENAR_API_KEY=
# The OAuth client secret, >= 16 bytes.
KENAR_OAUTH_CLIENT_SECRET=
# PKCE on OAuth consents: off until Divar says its OAuth server accepts it.
# KENAR_OAUTH_PKCE=off

# Divar's endpoints; the defaults are Divar's production ones.
# KENAR_API_BASE_URL=https://open-api.divar.ir
# KENAR_OAUTH_BASE_URL=https://oauth.divar.ir
# DIVAR_COMPLETION_URL=https://open-platform-redirect.divar.ir/completion

# The root secret: encryption at rest and signatures. Required, >= 32 bytes, no commas:
#   openssl rand -base64 48
# Every instance needs the same one. Losing it loses the sealed data: keep a copy offline.
ERSAL_SECRET_KEY=
# Its id (1-255), and the secrets it replaced that are still read, as id:secret,... (docs/security.md,
# "Rotating the root secret").
# ERSAL_SECRET_KEY_ID=1
# ERSAL_PREVIOUS_SECRET_KEYS=

# The reverse proxies whose client-address header is believed (addresses or networks,
# comma-separated): nginx's address as Ersal sees it. Requests from anyone else have that
# header ignored. Unset: the connection's peer is the client, so behind nginx every user would
# share nginx's address and its rate limits.
ERSAL_TRUSTED_PROXIES=127.0.0.1
# The header those proxies set (deploy/nginx.conf overwrites it with the client's address).
ERSAL_CLIENT_ADDRESS_HEADER=x-forwarded-for

# Prometheus metrics, on an address of their own that must never be public (no authentication).
# Unset: no metrics are recorded.
# ERSAL_METRICS_ADDR=127.0.0.1:9464

# Per-address requests per minute, over the defaults.
# ERSAL_RATE_LIMITS=fallback=30,landing=120,login=10,functions=300,pages=600

# Milliseconds a page waits for Divar's get-post answer to prefill the item (50-5000).
# ERSAL_PREFILL_MS=300

# Support's phone line, shown to users beside the bot (Divar's policies: staffed at least 12
# hours a day). Required. Digits with + - and spaces, e.g. 021-91000000.
ERSAL_SUPPORT_PHONE=
# When staff answer the support bot and the phone, Tehran time (whole hours from-to).
# ERSAL_SUPPORT_HOURS=9-21
# The companies that receive users' personal data, named on the privacy page. Required:
# name=what it does;name=what it does (the shipping company, the host).
ERSAL_PROCESSORS=
# ERSAL_DIVAR_CALLS_PER_MINUTE and _PER_DAY: the ceiling under the key's quota in the Kenar
# panel that every instance shares (docs/operations.md, "Divar's API budget").
# ERSAL_DIVAR_CALLS_PER_MINUTE=300
# ERSAL_DIVAR_CALLS_PER_DAY=20000
# Days a closed support conversation is kept (1-3650).
# ERSAL_SUPPORT_RETENTION_DAYS=30

# The listener. With a longer request timeout raise the unit's TimeoutStopSec to match, and
# with more connections its LimitNOFILE.
# ERSAL_HEADER_READ_SECS=10
# ERSAL_REQUEST_TIMEOUT_SECS=30
# ERSAL_MAX_CONNECTIONS=1024

# Lifetimes, in seconds: an unopened landing URL, an idle browser session.
# ERSAL_LANDING_TTL_SECS=1800
# ERSAL_SESSION_IDLE_SECS=900

# The tariff; by default the packaged one. An edited tariff belongs outside the release
# folder, which upgrades replace: /etc/ersal/tariff.toml, say.
# ERSAL_TARIFF_FILE=config/tariff.toml

# Days a shipment's personal data is kept after it ends (the privacy page states it).
# ERSAL_RETENTION_DAYS=30

# Log filter (tracing's EnvFilter); logs go to the journal.
# RUST_LOG=info,sqlx=warn,tower_http=info

# Never here: DIVAR_SANDBOX_ADDR (development only; an error in production) and
# ERSAL_OPERATOR_PASSWORD (give it to `ersal operator add` alone; deploy/README.md).
EOF

tarball=$dist/ersal-$version.tar.gz
# Owned by root in the archive, whoever built it, in a stable order.
# Nothing in the package writable but by its owner, whatever the builder's umask.
chmod -R u=rwX,go=rX "$dist/ersal"
tar -C "$dist" --sort=name --owner=0 --group=0 --numeric-owner -czf "$tarball" ersal
echo "dist: $out"
echo "dist: $tarball ($(du -h "$tarball" | cut -f1))"
