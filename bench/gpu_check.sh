#!/bin/sh
# Checks every GPU path of Headroom on a machine with an NVIDIA GPU: see bench/README.md.
#   bench/gpu_check.sh OUT | --stand-in OUT | --dry-run OUT
# PYTHON: the interpreter with CUDA torch (default: python3 on PATH).
here=$(cd "$(dirname "$0")" && pwd)
exec "${PYTHON:-python3}" "$here/gpu_check.py" "$@"
