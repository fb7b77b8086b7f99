#!/usr/bin/env bash
# Runs a command with Leptos.toml's site settings exported as LEPTOS_* variables, so
# cargo-leptos builds to exactly where the server binary (which reads Leptos.toml) looks.
# A variable already set in the environment wins, as it does for the server.
set -euo pipefail
cd "$(dirname "$0")/.."
while IFS='=' read -r key value; do
  key=$(echo "$key" | tr -d '[:space:]')
  case "$key" in ''|\#*|\[*) continue ;; esac
  value=$(echo "$value" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e 's/^"//' -e 's/"$//')
  var="LEPTOS_$(echo "$key" | tr 'a-z-' 'A-Z_')"
  if [ -z "${!var:-}" ]; then
    export "$var=$value"
  fi
done < Leptos.toml
exec "$@"
