"""Workloads for bench/discovery.bench.ts, run under Debian's /usr/bin/python3.

look: in one fresh process, the first look over HEADROOM_RUNTIME_DIR (microseconds), then
  `rounds` rounds of three interleaved timings: a fresh look (`_discovery.look()`, the
  function the first reporting call runs; it caches nothing itself), the floor
  (os.listdir and a plain read of every file, no checks), and one `headroom.checkpoint()`
  to the connected socket in HEADROOM_ADDR. Expects the look to find EXPECT_TOKEN.
first: the first `headroom.checkpoint()` of a fresh process that no window holds (the
  look, then the answer kept), then the cost of each later call (ns), with nothing found.
"""
import json
import os
import statistics
import sys
import time

import headroom
from headroom import _discovery

mode = sys.argv[1]
pc = time.perf_counter_ns


def floor(folder):
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as f:
            f.read()


if mode == "look":
    rounds = int(sys.argv[2])
    folder = os.environ["HEADROOM_RUNTIME_DIR"]
    t0 = pc()
    window, refusals = _discovery.look()
    first = pc() - t0
    if window is None or window["token"] != os.environ["EXPECT_TOKEN"] or refusals:
        raise SystemExit("the look did not find the expected window: %r %r" % (window, refusals))
    if not headroom.enabled():
        raise SystemExit("not connected")
    looks, floors, cps = [], [], []
    for i in range(rounds):
        t0 = pc()
        _discovery.look()
        t1 = pc()
        floor(folder)
        t2 = pc()
        headroom.checkpoint("step")
        t3 = pc()
        looks.append(t1 - t0)
        floors.append(t2 - t1)
        cps.append(t3 - t2)
        if i % 100 == 99:
            time.sleep(0.002)  # let the writer thread drain, as a real loop would
    us = lambda xs: statistics.median(xs) / 1000
    print(json.dumps({"first_us": first / 1000, "look_us": us(looks), "floor_us": us(floors), "checkpoint_us": us(cps), "files": len(os.listdir(folder))}))

elif mode == "first":
    t0 = pc()
    headroom.checkpoint("first")
    first = pc() - t0
    d = headroom.diagnostics()
    if d["source"] not in ("none", "off"):
        raise SystemExit("expected no window, got %r" % d["source"])
    n = 2_000_000
    f = headroom.checkpoint
    t0 = pc()
    for _ in range(n):
        f("x")
    t1 = pc()
    for _ in range(n):
        pass
    t2 = pc()
    print(json.dumps({"first_us": first / 1000, "ns": ((t1 - t0) - (t2 - t1)) / n, "source": d["source"]}))
