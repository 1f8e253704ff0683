"""Workload for bench/notebook.bench.ts, under Debian's /usr/bin/python3: one real ipykernel
(jupyter_client), reporting to the bench's listener. Prints one JSON line of figures.

- in the kernel: IPython's own run_cell of a cell, with the extension's hooks registered and
  not, in ABBA blocks inside one cell (no process or zmq noise), per-run nanoseconds;
- end to end: execute_requests as a front end sends them (cellId metadata), each timed from
  send to the kernel's idle, with the extension loaded and unloaded in alternating blocks;
- the hooks a kernel has from headroom before it is loaded, with headroom imported.
"""
import json
import os
import statistics
import sys
import time

# Read before the tests package is imported: it clears them, so the suite never reports to a window.
ADDR, TOKEN = os.environ["HEADROOM_ADDR"], os.environ["HEADROOM_TOKEN"]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "python"))
from tests.kernel_helpers import Kernel, kernel_env  # noqa: E402

IN_KERNEL = r'''
import json, statistics, time
from headroom import _notebook
from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult
sh = get_ipython()
m = _notebook._monitor
m.stop()  # the blocks below register and unregister the hooks, as %load_ext / %unload_ext do
LARGE = "".join("row_%d = %d  # a line of a long cell, about eighty characters of source text here\n" % (i, i) for i in range(100))
out = {}
for name, src in (("small", "pass"), ("large", LARGE)):
    ns = {"on": [], "off": []}
    for block in range(__BLOCKS__):
        which = "on" if block % 4 in (0, 3) else "off"  # ABBA: drift weighs on both alike
        if which == "on":
            m.start()
        for _ in range(__CELLS__):
            t0 = time.perf_counter_ns()
            sh.run_cell(src, store_history=False)
            ns[which].append(time.perf_counter_ns() - t0)
        if which == "on":
            m.stop()
    out[name] = {k: statistics.median(v) / 1000 for k, v in ns.items()}
# the hooks alone: one pre_run_cell and post_run_cell pair, with the objects IPython passes
info = ExecutionInfo("pass", False, False, True, "vscode-notebook-cell:/w/bench.ipynb#W0")
res = ExecutionResult(info)
pair = []
for _ in range(2000):
    t0 = time.perf_counter_ns()
    m.pre_run_cell(info)
    m.post_run_cell(res)
    pair.append(time.perf_counter_ns() - t0)
out["hooks_pair_us"] = statistics.median(pair[200:]) / 1000
m.start()
print("BENCH " + json.dumps(out))
'''


def headroom_hooks():
    return ("import headroom\nsh = get_ipython()\nprint(sum(1 for e in ('pre_run_cell', 'post_run_cell') "
            "for cb in sh.events.callbacks[e] if 'headroom' in (getattr(getattr(cb, '__self__', cb), '__module__', '') or '')))")


def main():
    blocks, cells, e2e_blocks, e2e_cells = (int(x) for x in sys.argv[1:5])
    kernel = Kernel(kernel_env(HEADROOM_ADDR=ADDR, HEADROOM_TOKEN=TOKEN))
    try:
        before = int(kernel.run(headroom_hooks()).stdout.strip())
        assert kernel.run("%load_ext headroom").status == "ok"
        loaded = int(kernel.run(headroom_hooks()).stdout.strip())
        reply = kernel.run(IN_KERNEL.replace("__BLOCKS__", str(blocks)).replace("__CELLS__", str(cells)), timeout=300)
        line = [ln for ln in reply.stdout.splitlines() if ln.startswith("BENCH ")]
        if not line:
            raise SystemExit("in-kernel bench printed nothing: %s %s" % (reply.status, reply.stdout[-2000:]))
        in_kernel = json.loads(line[0][6:])
        e2e = {"on": [], "off": []}
        for block in range(e2e_blocks):
            which = "on" if block % 4 in (0, 3) else "off"
            kernel.run("%load_ext headroom" if which == "on" else "%unload_ext headroom")
            for i in range(e2e_cells):
                t0 = time.perf_counter_ns()
                kernel.run("pass", cell_id="vscode-notebook-cell:/w/bench.ipynb#W%d" % (i % 8))
                e2e[which].append(time.perf_counter_ns() - t0)
        print(json.dumps({
            "hooks_before_load": before, "hooks_loaded": loaded, "in_kernel": in_kernel,
            "e2e_on_us": statistics.median(e2e["on"]) / 1000, "e2e_off_us": statistics.median(e2e["off"]) / 1000,
            "cells_on": len(e2e["on"]), "kernel_pid": kernel.pid,
        }))
    finally:
        kernel.close()


main()
