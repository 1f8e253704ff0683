"""The allocations benchmark's program (bench/allocations.bench.ts runs it): how long a
tracemalloc snapshot with many live blocks takes to reduce to its top sites, against the
standard library's own grouping of the same snapshot; and what tracing costs a training-like
step, on against off, interleaved. Prints one JSON line.

    python3 bench/allocations_workload.py BLOCKS ROUNDS
"""
import json
import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src", "python"))
from headroom import _alloc, _alloc_reduce as reduce  # noqa: E402

LINES = 200  # distinct allocating lines, one small function each


def make_allocators():
    src = "\n".join("def f%d(n):\n    return [(%d, i) for i in range(n)]" % (i, i) for i in range(LINES))
    ns = {}
    exec(compile(src, "/bench/allocators.py", "exec"), ns)
    return [ns["f%d" % i] for i in range(LINES)]


def ours(snap):
    # What _alloc.take does with a snapshot (it filters none: filter_traces is a Python loop).
    lines = reduce.by_line(reduce.group_traces(reduce.raw_traces(snap)))
    out, more = reduce.sites(lines, None, 50)
    return reduce.fit({"source": "tracemalloc", "sites": out, "more": more})


def stdlib_lineno(snap):
    return snap.statistics("lineno")[:50]


def stdlib_traceback(snap):
    return snap.statistics("traceback")[:50]


def step(data):
    # A training step's Python side: batches of small objects made and dropped, some kept.
    batch = [{"x": [float(i)] * 8, "y": i % 10} for i in range(2000)]
    loss = sum(sum(b["x"]) for b in batch) / len(batch)
    data.append(loss)
    return loss


def timed(fn, *a):
    t = time.perf_counter()
    fn(*a)
    return time.perf_counter() - t


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def reduction(blocks, rounds):
    tracemalloc.start(5)
    fs = make_allocators()
    kept = [f(blocks // LINES) for f in fs]  # each tuple is a live block, plus each list
    snap_s, times = [], {"ours": [], "stdlib_lineno": [], "stdlib_traceback": []}
    for r in range(rounds):
        snap_s.append(timed(tracemalloc.take_snapshot))
        snap = tracemalloc.take_snapshot()
        order = list(times) if r % 2 == 0 else list(reversed(times))  # interleaved, both orders
        for name in order:
            times[name].append(timed({"ours": ours, "stdlib_lineno": stdlib_lineno, "stdlib_traceback": stdlib_traceback}[name], snap))
    n_traces = len(snap.traces)
    record = ours(snap)
    tracemalloc.stop()
    del kept
    return {
        "live_blocks": n_traces,
        "snapshot_ms": median(snap_s) * 1000,
        "reduce_ms": median(times["ours"]) * 1000,
        "stdlib_lineno_ms": median(times["stdlib_lineno"]) * 1000,
        "stdlib_traceback_ms": median(times["stdlib_traceback"]) * 1000,
        "record_bytes": reduce.encoded_size(record),
        "top_site_blocks": record["sites"][0]["count"],
    }


def memray_tracker():
    """A context manager that records with memray (Python allocators included, as tracemalloc
    sees them), or None where memray is not installed for this interpreter."""
    try:
        import memray
    except ImportError:
        return None
    import tempfile

    path = os.path.join(tempfile.mkdtemp(prefix="hr-memray-"), "run.bin")
    return lambda: memray.Tracker(destination=memray.FileDestination(path, overwrite=True), trace_python_allocators=True)


def tracing_cost(rounds, steps):
    data = []
    tracker = memray_tracker()
    modes = ["off", "nframe1", "nframe5"] + (["memray"] if tracker else [])
    times = {m: [] for m in modes}
    for r in range(rounds):
        # ABBA across the modes so drift falls on all of them alike.
        for mode in modes if r % 2 == 0 else list(reversed(modes)):
            if mode == "memray":
                with tracker():
                    t = timed(lambda: [step(data) for _ in range(steps)])
            else:
                if mode != "off":
                    tracemalloc.start(int(mode[-1]))
                t = timed(lambda: [step(data) for _ in range(steps)])
                tracemalloc.stop()
            times[mode].append(t)
    off = median(times["off"])
    out = {"step_ms_" + m: median(times[m]) / steps * 1000 for m in modes}
    out.update({"x_vs_off_" + m: median(times[m]) / off for m in modes if m != "off"})
    out["client_measured_overhead_x"] = _alloc.trace_allocations()["overhead"]
    return out


if __name__ == "__main__":
    blocks, rounds = int(sys.argv[1]), int(sys.argv[2])
    out = reduction(blocks, rounds)
    tracemalloc.stop()
    out.update(tracing_cost(max(rounds, 6), 20))
    print(json.dumps(out))
