"""Workloads for bench/client.bench.ts, run under Debian's /usr/bin/python3."""
import json
import os
import statistics
import sys
import time

import headroom

mode = sys.argv[1]


def make_train_step():
    """A one-thread torch CPU training step for the loop workloads, sized to take about
    HEADROOM_BENCH_STEP_MS (13 ms) on this machine: the batch shrinks on a slow CPU, so the
    loop benchmarks measure the same ratio in the same time wherever they run."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(1024, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    target_s = float(os.environ.get("HEADROOM_BENCH_STEP_MS", "13")) / 1000

    def timed(rows):
        xb, yb = torch.randn(rows, 1024), torch.randint(0, 10, (rows,))
        c0 = time.process_time()
        for _ in range(3):
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return (time.process_time() - c0) / 3

    rows = 256
    per_step = timed(rows)
    if per_step > target_s * 1.5:
        rows = max(8, int(rows * target_s / per_step))
    x = torch.randn(rows, 1024)
    y = torch.randint(0, 10, (rows,))

    def train_step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return train_step


if mode == "checkpoint":
    n = 20000
    times = []
    pc = time.perf_counter_ns
    for i in range(n):
        t0 = pc()
        headroom.checkpoint("step")
        times.append(pc() - t0)
        if i % 500 == 0:
            time.sleep(0.001)  # let the writer thread drain, as a real loop would
    times = times[1000:]
    times.sort()
    print(json.dumps({"median_us": statistics.median(times) / 1000, "p95_us": times[int(len(times) * 0.95)] / 1000, "enabled": headroom.enabled()}))

elif mode == "disabled":
    n = 2_000_000
    f = headroom.checkpoint
    t0 = time.perf_counter_ns()
    for _ in range(n):
        f("x")
    t1 = time.perf_counter_ns()
    for _ in range(n):
        pass
    t2 = time.perf_counter_ns()
    print(json.dumps({"ns": ((t1 - t0) - (t2 - t1)) / n, "enabled": headroom.enabled()}))

elif mode == "loop_ab":
    # On and off in alternating blocks of the same process: no between-process variance. The
    # off blocks are two arms, off1 and off2, identical: their difference is the noise floor,
    # measured in the same run as the overhead instead of in extra processes.
    train_step = make_train_step()
    noop = lambda label=None: None
    cycles = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    per_block = int(sys.argv[3]) if len(sys.argv) > 3 else 20

    def step(cp):
        train_step()
        cp("step")

    for _ in range(20):
        step(headroom.checkpoint)
    cpu = {"on": 0.0, "off1": 0.0, "off2": 0.0}
    # ABCCBA order: a drift in machine speed over a cycle weighs on every arm alike.
    for _ in range(cycles):
        for which in ("on", "off1", "off2", "off2", "off1", "on"):
            cp = headroom.checkpoint if which == "on" else noop
            c0 = time.process_time()
            for _ in range(per_block):
                step(cp)
            headroom.flush()
            cpu[which] += time.process_time() - c0
    off = (cpu["off1"] + cpu["off2"]) / 2
    print(json.dumps({"overhead_pct": (cpu["on"] - off) / off * 100, "floor_pct": (cpu["off1"] - cpu["off2"]) / cpu["off2"] * 100, "enabled": headroom.enabled()}))

elif mode in ("loop", "loop_mprof"):
    train_step = make_train_step()

    def step():
        loss = train_step()
        headroom.checkpoint("step")
        return loss

    if mode == "loop_mprof":
        from memory_profiler import profile

        step = profile(step, stream=open(os.devnull, "w"))
    # ~10 ms per iteration on this machine: 100 checkpoints/s.
    for _ in range(20):
        step()
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    # CPU time of the whole process: the writer thread's encoding and sending count too.
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(iters):
        step()
    headroom.flush()
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({"seconds": dt, "cpu_seconds": cpu, "per_iter_ms": dt / iters * 1000, "enabled": headroom.enabled()}))
