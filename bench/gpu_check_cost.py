"""What the client's CUDA figures cost per record: microseconds per call, on real CUDA when the
program has it, else on the stand-in torch of the tests (src/python/tests/cuda_standin.py,
which builds and flattens memory_stats() the way torch 2.13 does, without the C++ side).

    python bench/gpu_check_cost.py            # stand-in (any machine)
    python bench/gpu_check_cost.py --cuda     # real torch.cuda (bench/gpu_check.py runs this)

Prints one line per figure and, with --json FILE, writes them.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = os.path.join(os.path.dirname(HERE), "src", "python")


def per_call_us(fn, seconds=0.3):
    fn()  # warm: first calls build caches
    n, t0 = 0, time.perf_counter()
    while True:
        for _ in range(50):
            fn()
        n += 50
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return dt / n * 1e6


def measure(cuda_real):
    sys.path.insert(0, PY)
    if cuda_real:
        import torch

        torch.ones(1 << 20, device="cuda")  # a context and a segment on device 0
        source = "torch %s, %s" % (torch.__version__, torch.cuda.get_device_name(0))
    else:
        sys.path.insert(0, os.path.join(PY, "tests"))
        from cuda_standin import MiB, install

        install().alloc(0, 64 * MiB)
        import torch

        source = "stand-in torch (tests/cuda_standin.py): Python side only"
    from headroom import _devices

    c = torch.cuda
    old = lambda: (c.memory_allocated(0), c.memory_reserved(0), c.max_memory_allocated(0), c.max_memory_reserved(0))
    out = {
        "source": source,
        "memory_stats_us": per_call_us(lambda: c.memory_stats(0)),
        "memory_stats_as_nested_dict_us": per_call_us(lambda: c.memory_stats_as_nested_dict(0)),
        "four_figures_one_by_one_us": per_call_us(old),
        "mem_get_info_us": per_call_us(lambda: c.mem_get_info(0)),
    }
    # What a record pays now: one nested-dict read per device, mem_get_info at most every 0.25 s.
    out["device_memory_us"] = per_call_us(_devices.device_memory)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cuda", action="store_true", help="measure real torch.cuda (needs an NVIDIA GPU)")
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args(argv)
    r = measure(a.cuda)
    print("CUDA figures per record, %s" % r["source"])
    for k in ("memory_stats_us", "memory_stats_as_nested_dict_us", "four_figures_one_by_one_us", "mem_get_info_us", "device_memory_us"):
        print("  %-30s %8.1f us" % (k[:-3], r[k]))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(r, f, indent=1)
    return r


if __name__ == "__main__":
    main()
