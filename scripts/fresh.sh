#!/usr/bin/env bash
# The newcomer's path, away from this machine's caches: a clone of HEAD in a mode-700 home
# folder, an empty CARGO_HOME, and a PATH holding only the Rust toolchain (rustup's proxies) and
# the system's programs, so every tool `make` needs is installed the way a fresh machine gets it.
#   scripts/fresh.sh deps   `make deps` alone (cargo-deny installed, every crate of Cargo.lock
#                           fetched): what a build on Linux alone never downloads
#   scripts/fresh.sh test   the whole `make test`, tools included, timed
# Debian's packages (chromium, nginx, postgresql) are system-wide and stay as they are.
# Everything is made under target/fresh-<goal>/ and removed at the end unless FRESH_KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."

goal=${1:-}
case "$goal" in
  deps | test) ;;
  *) echo "usage: $0 deps|test" >&2; exit 2 ;;
esac

ROOT=$(pwd -P)
FRESH="$ROOT/target/fresh-$goal"
HOME_DIR="$FRESH/home"
CLONE="$HOME_DIR/ersal"

rm -rf "$FRESH"
mkdir -p "$HOME_DIR/.cargo/bin" "$FRESH/toolchain"
chmod 700 "$HOME_DIR"
if [ "${FRESH_KEEP:-0}" != 1 ]; then
  trap 'rm -rf "$FRESH"' EXIT
fi

# Only rustup's proxies from the real cargo bin folder: the toolchain a fresh machine has.
real_bin=$(dirname "$(command -v rustup)")
for tool in cargo rustc rustup rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver; do
  [ -e "$real_bin/$tool" ] && ln -s "$real_bin/$tool" "$FRESH/toolchain/$tool"
done
# `deps` checks the registry, not cargo-deny's install: it borrows an installed cargo-deny.
if [ "$goal" = deps ]; then
  deny=$(command -v cargo-deny || true)
  [ -n "$deny" ] || { echo "no cargo-deny installed: run scripts/setup.sh test first" >&2; exit 1; }
  ln -s "$deny" "$FRESH/toolchain/cargo-deny"
fi
path="$HOME_DIR/.cargo/bin:$FRESH/toolchain"
IFS=: read -r -a parts <<<"$PATH"
for dir in "${parts[@]}"; do
  [ "$dir" = "$real_bin" ] || path="$path:$dir"
done

git clone --quiet --no-hardlinks "$ROOT" "$CLONE"
echo "==> make $goal in $CLONE (HOME and CARGO_HOME empty)"
start=$(date +%s)
status=0
(
  cd "$CLONE"
  env HOME="$HOME_DIR" CARGO_HOME="$HOME_DIR/.cargo" RUSTUP_HOME="${RUSTUP_HOME:-$(rustup show home)}" \
    PATH="$path" make "$goal"
) || status=$?
elapsed=$(($(date +%s) - start))
printf '==> make %s exited %d after %d min %d s\n' "$goal" "$status" $((elapsed / 60)) $((elapsed % 60))
exit "$status"
