#!/usr/bin/env bash
# Checks that the documentation still matches the tree (no build needed):
#   * every backticked repository path in docs/architecture.md (one starting with crates/, app/,
#     src/, scripts/, migrations/, end2end/, public/, style/ or deploy/) exists;
#   * README.md stays short (at most 220 lines);
#   * every relative markdown link `](path)` in README.md and docs/*.md points to a file or
#     folder that exists (http(s) and mailto links and pure #anchors are skipped; a #anchor
#     suffix is stripped).
# Fenced code blocks are skipped. Prints one OK line with the counts, or every problem and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

ARCH=docs/architecture.md
README=README.md
MAX_README_LINES=220

problems=()

# Prints the lines of a markdown file outside fenced code blocks.
prose() {
  awk '/^[[:space:]]*(```|~~~)/ { fenced = !fenced; next } !fenced' "$1"
}

# 1. Module paths in the architecture page.
[[ -f $ARCH ]] || { echo "check-docs: $ARCH is missing" >&2; exit 1; }
mapfile -t paths < <(
  prose "$ARCH" | grep -o '`[^`]*`' | tr -d '`' |
    grep -E '^(crates|app|src|scripts|migrations|end2end|public|style|deploy)/[^[:space:]]*$' |
    sort -u || true
)
missing_paths=()
for p in "${paths[@]}"; do
  [[ -e $p ]] || missing_paths+=("$p")
done
if ((${#missing_paths[@]})); then
  problems+=("$ARCH names ${#missing_paths[@]} path(s) that do not exist:")
  for p in "${missing_paths[@]}"; do problems+=("  $p"); done
fi

# 2. The README's length.
readme_lines=$(wc -l <"$README")
if ((readme_lines > MAX_README_LINES)); then
  problems+=("$README has $readme_lines lines (at most $MAX_README_LINES): move detail into docs/")
fi

# 3. Relative links in the README and docs/*.md.
shopt -s nullglob
files=("$README" docs/*.md)
links=0
broken=()
for f in "${files[@]}"; do
  dir=$(dirname "$f")
  while IFS= read -r target; do
    target=${target#](}
    target=${target%)}
    target=${target%% *} # drop a "title"
    target=${target#<}
    target=${target%>}
    case $target in
      http://* | https://* | mailto:* | '#'* | '') continue ;;
    esac
    target=${target%%#*}
    links=$((links + 1))
    [[ -e "$dir/$target" ]] || broken+=("  $f: $target")
  done < <(prose "$f" | grep -o '](\([^)]*\))' || true)
done
if ((${#broken[@]})); then
  problems+=("${#broken[@]} relative link(s) point to nothing:")
  problems+=("${broken[@]}")
fi

if ((${#problems[@]})); then
  printf '%s\n' "check-docs: FAILED" "${problems[@]}" >&2
  exit 1
fi
echo "check-docs: OK: ${#paths[@]} paths in $ARCH exist, $README has $readme_lines lines" \
  "(max $MAX_README_LINES), $links relative links in ${#files[@]} files resolve"
