"""The CUDA workload bench/gpu_check.py runs under `headroom run`. Usage: gpu_check_workload.py OUT

Steps whose transient buffers shrink (so per-step peaks differ only if each step's peak is its
own: without reset_peaks every step would report the first one's), a block whose peak must be
its own, then a steady hold during which it asks nvidia-smi about itself, for the attribution
check. Writes OUT/workload.json (what it did and saw), OUT/nvidia-smi/apps-busy.csv and
OUT/torch/memory_stats.json. HEADROOM_GPU_CHECK_STANDIN=<dir of cuda_standin.py> swaps torch
for the tests' stand-in (machines without a GPU).
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# This checkout's client, not whatever copy the CLI bundles: the check is of this source tree.
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src", "python"))
if os.environ.get("HEADROOM_GPU_CHECK_STANDIN"):
    sys.path.insert(0, os.environ["HEADROOM_GPU_CHECK_STANDIN"])
    from cuda_standin import install

    install()

import torch  # noqa: E402

import headroom  # noqa: E402

MiB = 1 << 20
BASE_MIB = 256  # what stays allocated through the steps (a model)
STEP_MIB = 64  # step k's transient buffer is (STEPS - k) * STEP_MIB
STEPS = 6
BLOCK_MIB = 32  # the tracked block's transient buffer
HOLD_MIB = 1024
HOLD_S = 5.0  # the editor asks nvidia-smi about processes every 2 s: two reads inside the hold
APPS_QUERY = ["nvidia-smi", "--query-compute-apps=pid,gpu_uuid,used_memory", "--format=csv,noheader,nounits"]


def buffer(mib):
    return torch.empty(mib * MiB, dtype=torch.uint8, device="cuda:0")


def main(out):
    base = buffer(BASE_MIB)
    torch.cuda.synchronize()
    headroom.checkpoint("cuda ready", reset_peaks=True)
    monitor = headroom.EpochMonitor(print_fn=None, reset_peaks=True)
    monitor.on_epoch_start()
    for k in range(STEPS):
        tmp = buffer((STEPS - k) * STEP_MIB)
        torch.cuda.synchronize()
        del tmp
        monitor.on_batch_end(k, loss=1.0 / (k + 1), batch_size=8)
    monitor.on_epoch_end()
    with headroom.track("block", reset_peaks=True):
        tmp = buffer(BLOCK_MIB)
        torch.cuda.synchronize()
        del tmp

    hold = buffer(HOLD_MIB)
    torch.cuda.synchronize()
    t0 = time.time()
    headroom.checkpoint("hold start")
    time.sleep(1.0)
    try:
        apps = subprocess.run(APPS_QUERY, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as e:
        apps = ""
        print("gpu_check_workload: nvidia-smi failed: %s" % e, file=sys.stderr)
    pid = os.getpid()
    mine = [line.split(",") for line in apps.splitlines() if line.split(",")[0].strip() == str(pid)]
    own = sum(int(r[2]) * MiB for r in mine if len(r) > 2 and r[2].strip().isdigit()) if mine else None
    free, total = torch.cuda.mem_get_info(0)
    reserved = torch.cuda.memory_reserved(0)
    time.sleep(max(0.0, HOLD_S - 1.0))
    headroom.checkpoint("hold end")
    t1 = time.time()

    os.makedirs(os.path.join(out, "nvidia-smi"), exist_ok=True)
    os.makedirs(os.path.join(out, "torch"), exist_ok=True)
    with open(os.path.join(out, "nvidia-smi", "apps-busy.csv"), "w", encoding="utf-8") as f:
        f.write(apps)
    with open(os.path.join(out, "torch", "memory_stats.json"), "w", encoding="utf-8") as f:
        json.dump(dict(torch.cuda.memory_stats(0)), f, indent=1)
    with open(os.path.join(out, "workload.json"), "w", encoding="utf-8") as f:
        json.dump({
            "pid": pid, "torch": torch.__version__, "device": torch.cuda.get_device_name(0),
            "base_mib": BASE_MIB, "step_mib": STEP_MIB, "steps": STEPS, "block_mib": BLOCK_MIB, "hold_mib": HOLD_MIB,
            "hold": [t0, t1], "smi_own_used": own, "reserved_in_hold": reserved, "device_used_in_hold": total - free,
        }, f, indent=1)
    del hold, base


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n")[0])
    main(sys.argv[1])
