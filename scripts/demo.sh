#!/usr/bin/env bash
# Opens a real VS Code (code-server on 127.0.0.1) with Headroom installed from its VSIX and
# the examples/ workspace, and prints the URL. Ctrl+C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent package
exec node scripts/demo.mjs "$@"
