#!/usr/bin/env bash
# Builds the Python client's wheel (src/python, hatchling) into dist/python-wheel/, or into the
# folder given as $1, replacing any older one there; prints the wheel's path. The VSIX ships it.
#
# Offline when .venv has the build backend (scripts/ensure-venv.sh installs it, and keeps its
# wheels in .venv/wheelhouse); otherwise pip fetches hatchling from PyPI for an isolated build.
# HEADROOM_BUILD_PYTHON picks another interpreter. Nothing is written into src/python.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/python-wheel}
py=${HEADROOM_BUILD_PYTHON:-}
if [ -z "$py" ]; then
  if [ -x .venv/bin/python ]; then py=.venv/bin/python; else py=python3; fi
fi

# One version for the extension and its client: package.json's, which _version.py repeats.
"$py" - <<'PY'
import json, re, sys
want = json.load(open("package.json", encoding="utf-8"))["version"]
m = re.search(r'^__version__ = "([^"]+)"$', open("src/python/headroom/_version.py", encoding="utf-8").read(), re.M)
if not m or m.group(1) != want:
    sys.exit("[wheel] src/python/headroom/_version.py says %s, package.json says %s: make them equal" % (m and m.group(1), want))
PY

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
quiet=(-q --disable-pip-version-check --no-deps -w "$tmp")
if "$py" -c "import hatchling.build" 2>/dev/null; then
  "$py" -m pip wheel "${quiet[@]}" --no-build-isolation --no-index src/python
elif compgen -G ".venv/wheelhouse/hatchling-*.whl" >/dev/null; then
  "$py" -m pip wheel "${quiet[@]}" --no-index --find-links .venv/wheelhouse src/python
else
  "$py" -m pip wheel "${quiet[@]}" src/python
fi
wheels=("$tmp"/headroom_client-*-py3-none-any.whl)
[ -f "${wheels[0]}" ] || { echo "[wheel] pip built no headroom_client wheel" >&2; exit 1; }
mkdir -p "$out"
rm -f "$out"/headroom_client-*.whl
mv "${wheels[0]}" "$out/"
echo "$out/$(basename "${wheels[0]}")"
