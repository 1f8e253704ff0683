#!/bin/sh
# A real CUDA out-of-memory error under `headroom run`, and the guard stopping a program before
# one, on a machine with an NVIDIA GPU: see bench/cuda_oom_check.py.
#   bench/cuda_oom_check.sh OUT
# PYTHON: the interpreter with CUDA torch (default: python3 on PATH).
here=$(cd "$(dirname "$0")" && pwd)
exec "${PYTHON:-python3}" "$here/cuda_oom_check.py" "$@"
