#!/usr/bin/env bash
# Makes the served fonts (public/fonts/vazirmatn-fa-*.woff2) from Vazirmatn's non-Latin files
# (style/fonts/vazirmatn-nl-*.woff2, v33.003, SIL OFL): only the characters Persian pages use
# (Persian letters and digits, their punctuation and separators, ZWNJ and the marks, basic
# ASCII), with the shaping features Persian needs. Run after changing the list; not part of the
# build (the outputs are committed). Needs Python; installs fonttools in a throwaway venv.
set -euo pipefail
cd "$(dirname "$0")/.."

unicodes="U+0020-007E,U+00A0,U+00AB,U+00B7,U+00BB,U+060C,U+061B,U+061F,U+0621-063A,\
U+0640-0655,U+066A-066C,U+0670,U+067E,U+0686,U+0698,U+06A9,U+06AF,U+06C0,U+06CC,\
U+06F0-06F9,U+200C-200F,U+2013-2014,U+2018-201D,U+2026,U+2212"

venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet fonttools brotli

for weight in 400 700; do
  "$venv/bin/pyftsubset" "style/fonts/vazirmatn-nl-$weight-v33.woff2" \
    --unicodes="$unicodes" \
    --layout-features='init,medi,fina,isol,rlig,liga,calt,ccmp,locl,mark,mkmk,kern' \
    --flavor=woff2 --no-hinting --desubroutinize \
    --output-file="public/fonts/vazirmatn-fa-$weight-v33.woff2"
  echo "vazirmatn-fa-$weight-v33.woff2: $(stat -c %s "public/fonts/vazirmatn-fa-$weight-v33.woff2") bytes"
done
