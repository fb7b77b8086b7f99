#!/usr/bin/env bash
# The Python tools the checks use, each an implementation that is not Ersal's, pinned, in a
# virtual environment under target/ (created or updated on first use; PyPI only then):
#   openapi-spec-validator  validates docs/api/openapi.json (scripts/check-openapi.sh)
#   standardwebhooks        verifies the webhooks Ersal signs (tests/api/webhooks.rs)
# Prints the environment's python.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/python-tools
wanted="openapi-spec-validator==0.9.0 standardwebhooks==1.3.0"
stamp="$venv/.installed"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
  python3 -m venv "$venv" >&2
  # shellcheck disable=SC2086 # the list is split on purpose
  "$venv/bin/pip" install --quiet --disable-pip-version-check $wanted >&2
  echo "$wanted" > "$stamp"
fi
echo "$PWD/$venv/bin/python"
