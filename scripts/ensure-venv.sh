#!/usr/bin/env bash
# The project's Python environment for tests that need a newer PyTorch than Debian's 1.13
# (torchrun with gloo on Python 3.11): .venv with torch 2.13.0, the CPU build. The version is
# pinned exactly: a plain `torch` or an open range would pull a CUDA build of several GB.
# It also holds the Python client's build backend (hatchling, pinned) for scripts/build-wheel.sh,
# and that backend's wheels in .venv/wheelhouse, so `pip install src/python` builds offline
# (`--no-index --find-links .venv/wheelhouse`), as the package test does in a clean venv.
# And the trainer libraries the callback tests drive (transformers with accelerate, lightning),
# pinned, installed with torch pinned beside them so that pip can never trade it for another.
# And the readers the Parquet export is tested with (pyarrow, pandas, polars), pinned: the
# tests read every exported file back with each, as the people who export one will.
# And MLX's CPU build (mlx with its mlx-cpu backend, both pinned) for the tests that drive real
# MLX arrays, allocator figures and cache clearing; Debian's Python has none and skips them.
set -euo pipefail
cd "$(dirname "$0")/.."
want_torch=2.13.0
want_hatchling=1.27.0
want_transformers=5.24.0
want_accelerate=1.15.0
want_lightning=2.6.6
want_pyarrow=26.0.1
want_pandas=3.1.1
want_polars=2.1.0
want_mlx=0.32.4
want_mlx_cpu=0.32.4
venv=.venv
wheelhouse=$venv/wheelhouse
have_torch() { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, numpy, sys; sys.exit(0 if torch.__version__.split('+')[0] == '$want_torch' else 1)" 2>/dev/null; }
have_backend() {
  "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('hatchling') == '$want_hatchling' else 1)" 2>/dev/null &&
    compgen -G "$wheelhouse/hatchling-$want_hatchling-*.whl" >/dev/null
}
have_trainers() {
  "$venv/bin/python" -c "import importlib.metadata as m, sys; want = {'transformers': '$want_transformers', 'accelerate': '$want_accelerate', 'lightning': '$want_lightning'}; sys.exit(0 if all(m.version(k) == v for k, v in want.items()) else 1)" 2>/dev/null
}
have_tables() {
  "$venv/bin/python" -c "import importlib.metadata as m, sys; want = {'pyarrow': '$want_pyarrow', 'pandas': '$want_pandas', 'polars': '$want_polars'}; sys.exit(0 if all(m.version(k) == v for k, v in want.items()) else 1)" 2>/dev/null
}
have_mlx() {
  "$venv/bin/python" -c "import importlib.metadata as m, sys; want = {'mlx': '$want_mlx', 'mlx-cpu': '$want_mlx_cpu'}; sys.exit(0 if all(m.version(k) == v for k, v in want.items()) else 1)" 2>/dev/null
}
if have_torch && have_backend && have_trainers && have_tables && have_mlx; then
  exit 0
fi
if ! have_torch; then
  echo "[venv] creating $venv with torch==$want_torch (CPU) and numpy"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "torch==$want_torch" numpy 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
  "$venv/bin/python" -c "import torch; assert torch.__version__.split('+')[0] == '$want_torch', torch.__version__; print('[venv] torch', torch.__version__)"
fi
if ! have_backend; then
  echo "[venv] the Python client's build backend: hatchling==$want_hatchling, its wheels in $wheelhouse"
  "$venv/bin/pip" download -q --disable-pip-version-check -d "$wheelhouse" "hatchling==$want_hatchling" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
  "$venv/bin/pip" install -q --disable-pip-version-check --no-index --find-links "$wheelhouse" "hatchling==$want_hatchling"
  have_backend
fi
if ! have_trainers; then
  echo "[venv] trainer libraries for the callback tests: transformers==$want_transformers accelerate==$want_accelerate lightning==$want_lightning"
  "$venv/bin/pip" install -q --disable-pip-version-check "torch==$want_torch" "transformers==$want_transformers" "accelerate==$want_accelerate" "lightning==$want_lightning" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
  have_trainers
fi
if ! have_tables; then
  echo "[venv] Parquet readers for the export tests: pyarrow==$want_pyarrow pandas==$want_pandas polars==$want_polars"
  "$venv/bin/pip" install -q --disable-pip-version-check "pyarrow==$want_pyarrow" "pandas==$want_pandas" "polars==$want_polars" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
  have_tables
fi
if ! have_mlx; then
  echo "[venv] MLX (CPU) for the MLX tests: mlx==$want_mlx mlx-cpu==$want_mlx_cpu"
  "$venv/bin/pip" install -q --disable-pip-version-check "mlx[cpu]==$want_mlx" "mlx-cpu==$want_mlx_cpu" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
  have_mlx
fi
