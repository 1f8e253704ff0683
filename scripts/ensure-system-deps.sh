#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo need, when run as root and missing.
# chromium: the real browser; libkrb5-dev + ripgrep: code-server's offline install;
# python3-*: real Python with PyTorch (CPU), psutil, debugpy and memory_profiler; python3-venv for
# the project venv and the clean venvs the client's install tests make; python3-ipykernel +
# python3-jupyter-client: a real Jupyter kernel, driven as a notebook front end drives it, for the
# notebook extension's tests and bench. prometheus: a real Prometheus server (and promtool) that scrapes
# `headroom run --metrics` in test/unit/prometheus.test.ts. iproute2 (`ip netns`, veth) and util-linux
# (`unshare --uts`): remote ranks in a network namespace of their own, test/unit/remoteRanks.netns.test.ts.
set -euo pipefail
pkgs=(chromium libkrb5-dev ripgrep unzip python3 python3-venv python3-torch python3-psutil python3-debugpy python3-memory-profiler python3-ipykernel python3-jupyter-client prometheus iproute2 util-linux)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "[deps] apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
