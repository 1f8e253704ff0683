#!/bin/sh
# CUDA allocation sites from the allocator's own history on a machine with an NVIDIA GPU:
# see bench/cuda_snapshot_check.py.
#   bench/cuda_snapshot_check.sh OUT
# PYTHON: the interpreter with CUDA torch (default: python3 on PATH).
here=$(cd "$(dirname "$0")" && pwd)
exec "${PYTHON:-python3}" "$here/cuda_snapshot_check.py" "$@"
