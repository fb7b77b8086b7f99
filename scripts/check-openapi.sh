#!/usr/bin/env bash
# Validates the operator API's OpenAPI document (docs/api/openapi.json, which a test keeps equal
# to the one the server serves) with an implementation that is not Ersal's: Python's
# openapi-spec-validator, from PyPI, in a virtual environment under target/.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.9.0
venv=target/openapi-venv
if ! "$venv/bin/python" -m openapi_spec_validator --help >/dev/null 2>&1 \
  || ! "$venv/bin/pip" show openapi-spec-validator 2>/dev/null | grep -qx "Version: $VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator==$VERSION"
fi
"$venv/bin/python" -m openapi_spec_validator docs/api/openapi.json
