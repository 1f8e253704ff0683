#!/usr/bin/env bash
# Every test: lint, type-check, unit (TypeScript and Python), editor suites in a real
# VS Code, UI tests in a real browser. Installs what it needs; reuses caches.
# Ends with one closing line: `all: N passed, M failed, K skipped` (a skip is never a pass).
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
total_pass=0
total_fail=0
total_skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

step() { echo; echo "=== $1"; }
# Adds a suite's counts from its closing line `<name>: N passed, M failed, K skipped`.
count() {
  local line
  line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
  if [ -z "$line" ]; then total_fail=$((total_fail + 1)); echo "[test] $1 printed no closing line"; return; fi
  total_pass=$((total_pass + $(sed -E 's/^[a-z-]+: ([0-9]+) passed.*/\1/' <<<"$line")))
  total_fail=$((total_fail + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
  if [[ "$line" =~ ([0-9]+)\ skipped ]]; then total_skip=$((total_skip + BASH_REMATCH[1])); else echo "[test] $1 does not say how many tests it skipped"; total_fail=$((total_fail + 1)); fi
}
gate() { # a step with no tests of its own: pass or fail as one
  if "$@"; then total_pass=$((total_pass + 1)); else total_fail=$((total_fail + 1)); echo "[test] FAILED: $*"; fi
}

step "dependencies"
bash scripts/ensure-system-deps.sh || exit 1
bash scripts/ensure-venv.sh || exit 1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || exit 1
fi
node -e "import('./test/rig/codeServer.mjs').then(m => m.ensureCodeServer())" || exit 1

step "lint";        gate npx eslint --max-warnings 0 .
step "type-check";  gate npm run --silent typecheck
step "build";       gate npm run --silent build
step "package";     gate npm run --silent package
# package builds the production bundles; the suites load the development ones.
npm run --silent build >/dev/null

step "unit (mocha)"
npx mocha --reporter dot 2>&1 | tee "$log"
node -e "
const s=require('fs').readFileSync('$log','utf8');
const p=+(/(\d+) passing/.exec(s)||[0,0])[1], f=+(/(\d+) failing/.exec(s)||[0,0])[1], k=+(/(\d+) pending/.exec(s)||[0,0])[1];
console.log('unit: '+p+' passed, '+(f+(p===0?1:0))+' failed, '+k+' skipped');" | tee -a "$log"
count unit

# The client's suite under two interpreters: Debian's (PyTorch 1.13) and the project venv's
# (PyTorch 2.13, transformers, Lightning), so a difference between torch 1.x and 2.x shows.
python_suite() { # $1: label, $2: interpreter
  step "python client (unittest, $1)"
  (cd src/python && "$2" -m unittest discover -s tests -t . 2>&1) | tee "$log"
  /usr/bin/python3 - "$log" "$1" <<'PY' | tee -a "$log"
import re, sys
s = open(sys.argv[1]).read()
ran = int((re.search(r"Ran (\d+) test", s) or [0, 0])[1])
m = re.search(r"FAILED \(([^)]*)\)", s)
bad = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", m[1])) if m else 0
skipped = int((re.search(r"skipped=(\d+)", s) or [0, 0])[1])
print(f"python-{sys.argv[2]}: {ran - bad - skipped} passed, {bad + (1 if ran == 0 else 0)} failed, {skipped} skipped")
PY
  count "python $1"
}
if [ -d src/python/tests ]; then
  python_suite debian /usr/bin/python3
  python_suite venv "$(pwd)/.venv/bin/python"
fi

step "editor suites (code-server)"
node test/vscode/runVscodeTests.mjs 2>&1 | tee "$log"; count vscode

step "UI (Playwright + Chromium)"
node test/ui/runUiTests.mjs 2>&1 | tee "$log"; count ui

echo
echo "[test] finished in $(( $(date +%s) - started )) s; screenshots in test-results/screenshots/"
echo "all: ${total_pass} passed, ${total_fail} failed, ${total_skip} skipped"
[ "$total_fail" -eq 0 ]
