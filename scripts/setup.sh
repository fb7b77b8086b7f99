#!/usr/bin/env bash
# Installs what `make run` / `make test` need, skipping whatever is already there.
#   scripts/setup.sh        the build tools (wasm target, cargo-leptos, wasm-bindgen, wasm-opt)
#   scripts/setup.sh test   also cargo-deny, Debian's Chromium and nginx (the two-instance
#                           journeys' reverse proxy), and the end2end npm packages
#                           (scripts/postgres.sh installs PostgreSQL itself)
# Everything comes from the package registries: crates.io, npm and Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml
CARGO_DENY_VERSION=0.20.2

step() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    step "rustup component add $component"
    rustup component add "$component"
  fi
done
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  step "cargo install cargo-leptos $CARGO_LEPTOS_VERSION"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
# wasm-opt from npm's binaryen (cargo-leptos puts node_modules/.bin first on PATH).
# Never Debian's binaryen: its wasm-opt breaks hydration of release builds.
if [ ! -x node_modules/.bin/wasm-opt ]; then
  step "npm ci (binaryen)"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = test ]; then
  if ! cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
    step "cargo install cargo-deny $CARGO_DENY_VERSION"
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
  fi
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  # The printed label is checked as a PDF, its QR code read back (end2end/tests/label.spec.ts).
  [ -x /usr/bin/pdftotext ] || missing+=(poppler-utils)
  [ -x /usr/bin/zbarimg ] || missing+=(zbar-tools)
  if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
  fi
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    step "npm ci (end2end)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi
