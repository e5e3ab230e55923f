#!/usr/bin/env bash
# Installs the UI's npm packages from the lock file when they are missing or stale.
set -euo pipefail
cd "$(dirname "$0")/../ui"
if ! command -v npm >/dev/null; then
  echo "error: npm is not installed; Cairn's UI needs Node.js 20.19 or newer with npm" >&2
  exit 1
fi
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "==> installing the UI's npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
