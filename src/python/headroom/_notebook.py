"""Per-cell memory in Jupyter kernels: `%load_ext headroom`, or `headroom.notebook()` in code.

Each cell run is a region: `region_start` when the cell begins and `region_end` when it ends,
raised or not, both carrying a `cell` object that says which cell ran (see `_cells` and
docs/protocol.md, "Notebook cells"). Readers that predate notebooks show it as any region.
Checkpoints inside a cell need nothing extra: their file is the cell's compiled file name,
which the cell's `region_end` names too.

Until loaded, nothing of this runs (no hook is registered) and IPython is never imported:
the shell is handed in by IPython, or looked up only when `notebook()` is called.
"""
import sys
import time

from . import _cells, _diagnostics
from ._client import abs_file, snapshot
from ._connection import client
from ._format import format_bytes, format_duration
from ._peak import PeakTracker, reset_peaks

# Which device figure the one-line summary shows per kind: what the framework holds.
_SUMMARY_FIGURES = (("cuda", "reserved", "CUDA"), ("mps", "current", "MPS"), ("mlx", "active", "MLX"))


class CellRun:
    """What one cell run measured (bytes, seconds): `headroom.notebook().last`."""

    __slots__ = ("count", "cell_id", "hash", "preview", "file", "number", "rss_before", "rss_after", "delta", "peak",
                 "duration", "devices_before", "devices_after", "peak_devices", "error")

    def __init__(self):
        self.count = self.cell_id = self.file = self.error = None
        self.hash = self.preview = ""
        self.number = self.rss_before = self.rss_after = self.delta = self.peak = 0
        self.duration = 0.0
        self.devices_before = self.devices_after = self.peak_devices = []

    def __repr__(self):
        return "CellRun(%s)" % cell_line(self)


def cell_line(run):
    """`cell 7: +1.20 GB RSS, peak 3.40 GB, CUDA +800 MB, 2.10 s`: the RSS change over the
    cell, the highest RSS inside it, each framework's change (CUDA reserved, MPS current, MLX
    active) and the duration, in the editor's formatter; `, raised ValueError` when it raised."""
    parts = ["%s RSS" % format_bytes(run.delta, signed=True), "peak %s" % format_bytes(run.peak)]
    for kind, field, name in _SUMMARY_FIGURES:
        d = device_change(run.devices_before, run.devices_after, kind, field)
        if d is not None:
            parts.append("%s %s" % (name, format_bytes(d, signed=True)))
    parts.append(format_duration(run.duration))
    if run.error:
        parts.append("raised " + run.error.split(":", 1)[0])
    return "%s: %s" % ("cell" if run.count is None else "cell %d" % run.count, ", ".join(parts))


def device_change(before, after, kind, field):
    """The change of `field` summed over the devices of `kind`, or None when there are none
    after. A framework first used inside the cell held nothing before it."""
    total_after = [d.get(field) or 0 for d in after if d.get("kind") == kind]
    if not total_after:
        return None
    return sum(total_after) - sum(d.get(field) or 0 for d in before if d.get("kind") == kind)


def _label(run):
    return "cell" if run.count is None else "cell [%d]" % run.count


def _cell_field(run):
    cell = {"hash": run.hash, "preview": run.preview}
    if run.cell_id is not None:
        cell["id"] = run.cell_id
    if run.count is not None:
        cell["count"] = run.count
    return cell


class CellMonitor:
    """Measures every cell run of one IPython shell and reports it; `last` is the latest run."""

    def __init__(self, shell, verbose=False):
        self.shell = shell
        self.verbose = verbose
        self.last = None
        # Runs begun and not ended, innermost last: a cell can run others (%rerun, %macro,
        # get_ipython().run_cell), each reported as its own run inside it.
        self._open = []

    def start(self):
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)

    def stop(self):
        while self._open:  # unloaded inside a cell: its runs end here, so no start is left open
            opened = self._open.pop()
            if opened is not None:
                try:
                    self._end(None, *opened)
                except Exception as e:
                    _diagnostics.note("cell-end", e)
        for event, fn in (("pre_run_cell", self.pre_run_cell), ("post_run_cell", self.post_run_cell)):
            try:
                self.shell.events.unregister(event, fn)
            except ValueError as e:  # already gone: someone else unregistered it
                _diagnostics.note("cell-unregister", e)

    def pre_run_cell(self, info):
        try:
            opened = self._begin(info)
        except Exception as e:  # never into the user's cell
            opened = None
            _diagnostics.note("cell-start", e)
        self._open.append(opened)  # None too: its post_run_cell pops it

    def post_run_cell(self, result):
        if not self._open:
            return  # the run that loaded the extension began before it was loaded
        opened = self._open.pop()
        if opened is None:
            return
        try:
            self._end(result, *opened)
        except Exception as e:
            _diagnostics.note("cell-end", e)

    def _begin(self, info):
        # A run starting inside another compiles under the same number: name the outer runs'
        # files now, while theirs are still the newest names made with it.
        for opened in self._open:
            if opened is not None and opened[0].file is None:
                opened[0].file = self._compiled_name(opened[0].number)
        raw = getattr(info, "raw_cell", None) or ""
        run = CellRun()
        # The compiler names this run's code with the shell's count, stored in history or not.
        run.number = self.shell.execution_count
        run.count = run.number if getattr(info, "store_history", True) else None
        run.cell_id = _cells.frontend_cell_id(info, self.shell)
        run.hash = _cells.source_hash(raw)
        run.preview = _cells.preview(raw)
        # Per-cell allocator peaks: the frameworks' peak counters restart with each cell (regions
        # and epochs still open, say an epoch that spans cells, keep the peaks they had seen).
        reset_peaks()
        mem = snapshot()
        peak = PeakTracker()
        run.rss_before = mem["rss"]
        run.devices_before = mem.get("devices", [])
        c = client()
        rid = None
        if c is not None:
            rid = c.region_id()
            r = c.base("region_start")
            r.update(id=rid, label=_label(run), mem=mem, cell=_cell_field(run))
            c.emit(r)
        return run, peak, c, rid, time.perf_counter()

    def _compiled_name(self, number):
        name = _cells.compiled_name(getattr(self.shell, "compile", None), number)
        return abs_file(name) if name else None

    def _end(self, result, run, peak, c0, rid, t0):
        run.duration = time.perf_counter() - t0
        p = peak.finish()
        mem = snapshot()
        run.rss_after = mem["rss"]
        run.delta = run.rss_after - run.rss_before
        run.peak = max(p["rss"], run.rss_after)
        run.peak_devices = p.get("devices", [])
        run.devices_after = mem.get("devices", [])
        run.error = _cells.describe_error(result)
        if run.file is None:
            run.file = self._compiled_name(run.number)
        self.last = run
        c = client()
        if c is not None and c is c0:  # a cell that connected elsewhere has no start there
            r = c.base("region_end")
            r.update(id=rid, label=_label(run), mem=mem, duration=run.duration, peak=p, cell=_cell_field(run))
            if run.file is not None:
                r["file"] = run.file
            if run.error is not None:
                r["error"] = run.error
            c.emit(r)
        if self.verbose:
            print(cell_line(run), flush=True)


_monitor = None  # the process's one monitor: a kernel has one shell


def load_ipython_extension(ipython):
    """`%load_ext headroom`: reports every cell run of this kernel from the next cell on."""
    _attach(ipython, None)


def unload_ipython_extension(ipython):
    """`%unload_ext headroom`: stops reporting cell runs; no hook is left behind."""
    global _monitor
    m = _monitor
    if m is not None and m.shell is ipython:
        m.stop()
        _monitor = None


def notebook(verbose=False):
    """Reports every cell run of this Jupyter kernel (IPython) from the next cell on: delta,
    peak, framework figures, duration, error; `verbose=True` also prints one line under each
    cell. Returns the monitor: `.last` is the latest cell run's figures. Calling it again
    only changes `verbose`. Resets the frameworks' peak counters (torch.cuda
    max_memory_allocated, MLX peak) at the start of each cell: they become per-cell peaks."""
    if not isinstance(verbose, (bool, int)):
        raise TypeError("headroom.notebook(verbose=...) takes True or False, not %r" % (verbose,))
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        raise RuntimeError("headroom.notebook() needs an IPython kernel or shell (Jupyter, VS Code notebooks), and this "
                           "process has none; in a script, measure blocks with headroom.track()")
    return _attach(shell, bool(verbose))


def _attach(shell, verbose):
    global _monitor
    if getattr(shell, "events", None) is None or not hasattr(shell, "execution_count"):
        raise TypeError("headroom's IPython extension needs an IPython shell, not %r" % (type(shell).__name__,))
    m = _monitor
    if m is not None and m.shell is not shell:
        m.stop()
        m = None
    if m is None:
        m = CellMonitor(shell, bool(verbose))
        m.start()
        _monitor = m
    elif verbose is not None:
        m.verbose = verbose
    return m
