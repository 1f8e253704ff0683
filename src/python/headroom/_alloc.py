"""Allocation sites on demand: tracemalloc snapshots taken when the program asks
(`headroom.allocations()`, `headroom.checkpoint(label, allocations=True)`) or the editor does
(the `allocations` control message), reduced in the program by `_alloc_reduce` and sent as one
bounded `allocations` record (docs/protocol.md).

Tracing is the program's cost, so it starts only on request (`headroom.trace_allocations()`, or
the first snapshot asked for while it is off) and its overhead is measured when it starts and
reported with every record: a snapshot of a program that was not tracing holds only what was
allocated since.
"""
import sys
import threading
import time
import tracemalloc

from . import _alloc_cuda, _alloc_reduce as reduce, _diagnostics, _tensors
from ._client import abs_file, on_control
from ._connection import client

DEFAULT_NFRAME = 5
MAX_SINCE = 8  # labelled snapshots kept to measure growth against

_lock = threading.Lock()
_tracing = {}  # what the record's `tracing` says: since (t), nframe, overhead (ratio)
_last = None  # {"label", "t", "sizes"} of the newest snapshot
_labelled = {}  # label -> that snapshot's {"label", "t", "sizes"}


def _workload():
    # A training step's Python side, as bench/allocations_workload.py's step: small objects made,
    # summed and dropped. Pure allocation would read 40 to 120 times slower traced, which no
    # real step is; tensor math allocates few Python objects and pays less than this.
    t = time.perf_counter()
    batch = [{"x": [float(i)] * 8, "y": i % 10} for i in range(1000)]
    sum(sum(b["x"]) for b in batch)
    return time.perf_counter() - t


def _median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def trace_allocations(nframe=DEFAULT_NFRAME, measure=True):
    """Starts tracemalloc (if it is off) with `nframe` frames per allocation, and measures what
    it costs: the slowdown of a small Python-side step, tracing on against off. Returns the
    tracing state ({since, nframe, overhead?}); the program's own tracing is left as it is."""
    with _lock:
        if tracemalloc.is_tracing():
            if not _tracing:
                _tracing.update(since=time.time(), nframe=tracemalloc.get_traceback_limit(), started_by="program")
            return dict(_tracing)
        off = _median([_workload() for _ in range(5)]) if measure else None
        tracemalloc.start(nframe)
        _tracing.clear()
        _tracing.update(since=time.time(), nframe=nframe, started_by="headroom")
        if measure and off:
            on = _median([_workload() for _ in range(5)])
            _tracing["overhead"] = round(on / off, 2)
        return dict(_tracing)


def _caller(depth):
    try:
        f = sys._getframe(depth + 1)
        return abs_file(f.f_code.co_filename), f.f_lineno, f.f_code.co_name
    except ValueError:
        return None


def take(label=None, top=50, since=None, where=None, request=None, limit=reduce.DEFAULT_LIMIT):
    """A tracemalloc snapshot reduced to its top sites, growth since `since` (a label of an
    earlier snapshot; by default the previous one), as an `allocations` record's fields.
    Raises reduce.TooLarge when it cannot be bounded."""
    global _last
    started = not tracemalloc.is_tracing()
    state = trace_allocations()
    t0 = time.perf_counter()
    # Unfiltered: Snapshot.filter_traces walks every trace in Python, traced (4 s for 350k
    # blocks), and what headroom itself holds (the sizes kept for `grew`) is the program's memory too.
    snap = tracemalloc.take_snapshot()
    lines = reduce.by_line(reduce.group_traces(reduce.raw_traces(snap)))
    with _lock:
        base = _labelled.get(since) if since is not None else _last
        out, more = reduce.sites(lines, base["sizes"] if base else None, top)
        now = {"label": label, "t": time.time(), "sizes": reduce.sizes(lines)}
        _last = now
        if label is not None:
            _labelled.pop(label, None)
            _labelled[label] = now
            while len(_labelled) > MAX_SINCE:
                _labelled.pop(next(iter(_labelled)))
    r = {"source": "tracemalloc", "sites": out, "more": more}
    r["total"] = {"size": sum(v[0] for v in lines.values()), "count": sum(v[1] for v in lines.values())}
    if request is not None:
        r["id"] = request
    if label is not None:
        r["label"] = reduce.text(label)
    if where:
        r["file"], r["line"], r["func"] = where
    if base:
        r["since"] = {"t": base["t"]} if base["label"] is None else {"t": base["t"], "label": reduce.text(base["label"])}
    tracing = dict(state, memory=tracemalloc.get_tracemalloc_memory())
    if started:
        tracing["started"] = True
    r["tracing"] = tracing
    r["duration"] = round(time.perf_counter() - t0, 6)
    return reduce.fit(r, limit)


def send(fields):
    """Sends an `allocations` record made of `fields`; False when not connected."""
    c = client()
    if c is None:
        return False
    r = c.base("allocations")
    r.update(fields)
    c.emit(r)
    return True


def allocations(label=None, top=50, since=None, limit=reduce.DEFAULT_LIMIT):
    """Takes a snapshot of the program's allocation sites now, sends it to Headroom when it is
    listening, and returns it (a dict: `sites`, `total`, `more`, `since`, `tracing`). None when
    it could not be taken or bounded (counted in the client's errors, never raised)."""
    try:
        r = take(label, top, since, where=_caller(1), limit=limit)
    except Exception as e:  # the client never raises into user code
        _diagnostics.note("allocations", e)
        return None
    send(r)
    return r


def cuda_allocations(label=None, top=50, save=None):
    """The CUDA allocator's live blocks reduced to their top lines (starting its history if
    it is off: blocks allocated before carry no stack), sent and returned; `save` also writes
    the whole snapshot for PyTorch's viewer. None in a program that does not use CUDA."""
    try:
        r = _alloc_cuda.take(label, top, save)
    except Exception as e:  # the client never raises into user code
        _diagnostics.note("allocations-cuda", e)
        return None
    if r is not None:
        send(r)
    return r


def at_checkpoint(label, where):
    """`checkpoint(label, allocations=True)`: a snapshot on the checkpoint's line."""
    try:
        send(take(label, where=where))
    except Exception as e:
        _diagnostics.note("allocations", e)


def _on_allocations(msg):
    """The editor asked ("Headroom: Show Allocation Sites"): answer with the same id."""
    top = msg.get("top")
    top = top if isinstance(top, int) and 0 < top <= 500 else 50
    send(take(msg.get("label"), top, request=msg.get("id")))
    if msg.get("tensors"):
        send(_tensors.take(request=msg.get("id")))
    if msg.get("cuda"):
        r = _alloc_cuda.take(msg.get("label"), top, request=msg.get("id"))
        if r is not None:
            send(r)


on_control("allocations", _on_allocations)
