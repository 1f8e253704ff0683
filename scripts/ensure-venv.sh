#!/usr/bin/env bash
# The project's Python environment for tests that need a newer PyTorch than Debian's 1.13
# (torchrun with gloo on Python 3.11): .venv with torch 2.13.0, the CPU build. The version is
# pinned exactly: a plain `torch` or an open range would pull a CUDA build of several GB.
set -euo pipefail
cd "$(dirname "$0")/.."
want_torch=2.13.0
venv=.venv
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, numpy, sys; sys.exit(0 if torch.__version__.split('+')[0] == '$want_torch' else 1)" 2>/dev/null; then
  exit 0
fi
echo "[venv] creating $venv with torch==$want_torch (CPU) and numpy"
/usr/bin/python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "torch==$want_torch" numpy 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
"$venv/bin/python" -c "import torch; assert torch.__version__.split('+')[0] == '$want_torch', torch.__version__; print('[venv] torch', torch.__version__)"
