#!/usr/bin/env bash
# Validates the operator API's OpenAPI document (docs/api/openapi.json, which a test keeps equal
# to the one the server serves) with an implementation that is not Ersal's: Python's
# openapi-spec-validator, from PyPI (scripts/python-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

python=$(scripts/python-tools.sh)
"$python" -m openapi_spec_validator docs/api/openapi.json
