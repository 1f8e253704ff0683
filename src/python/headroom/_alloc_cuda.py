"""CUDA allocation sites: PyTorch's caching allocator records a stack per allocation once
`torch.cuda.memory._record_memory_history` is on; `_snapshot()` then lists every block with
the frames that allocated it. That snapshot is big (every segment, block and frame: tens of MB
on a real model), so it is reduced in the program to the top lines, like tracemalloc's, and
sent as an `allocations` record of source `cuda` (docs/protocol.md). The whole snapshot can be
saved for PyTorch's own viewer (pytorch.org/memory_viz).

Nothing here imports torch or initialises CUDA: it works only in a program that uses CUDA.
"""
import pickle
import sys
import time

from . import _alloc_reduce as reduce, _diagnostics

MAX_ENTRIES = 100000  # allocation events kept by the allocator's ring (its own memory: ~100 B each)

_recording = {}  # since (t), when headroom started the allocator's history


def _cuda():
    torch = sys.modules.get("torch")
    cuda = getattr(torch, "cuda", None)
    if cuda is None or not cuda.is_initialized():
        return None
    return cuda


def record_history(max_entries=MAX_ENTRIES):
    """Starts the allocator's history (stacks of every allocation from now on). False when the
    program does not use CUDA; the state ({since}) otherwise."""
    cuda = _cuda()
    if cuda is None:
        return False
    if not _recording:
        mem = cuda.memory
        try:
            mem._record_memory_history(enabled="all", max_entries=max_entries)
        except TypeError:  # torch before 2.1: (enabled, record_context, trace_alloc_max_entries, ...)
            mem._record_memory_history(True, trace_alloc_max_entries=max_entries)
        _recording["since"] = time.time()
    return dict(_recording)


def _site_frame(frames):
    """The frame a block is attributed to: the innermost Python frame of the program's own code,
    else the innermost Python frame, else None (C++ only: an allocation from outside Python)."""
    first = None
    for f in frames or ():
        name = f.get("filename") or ""
        if not name.endswith(".py"):
            continue
        if first is None:
            first = f
        if reduce.package_of(name) is None:
            return f, first if first is not f else None
    return first, None


def _blocks(snapshot):
    """(device, size, frames) of every live block, in either snapshot layout (torch >= 2.1:
    `frames` on the block; 2.0: the newest entry of its `history`)."""
    for seg in snapshot.get("segments", ()):
        dev = seg.get("device", 0)
        for b in seg.get("blocks", ()):
            if b.get("state") != "active_allocated":
                continue
            frames = b.get("frames")
            if frames is None and b.get("history"):
                frames = b["history"][-1].get("frames")
            yield dev, b.get("size", 0), frames


def reduce_snapshot(snapshot, top=50):
    """An `allocations` record's fields (source `cuda`) from a `torch.cuda.memory._snapshot()`."""
    lines = {}
    for dev, size, frames in _blocks(snapshot):
        f, inner = _site_frame(frames)
        key = (dev, f["filename"], f["line"]) if f else (dev, "<no Python frame>", 1)
        s = lines.get(key)
        if s is None:
            via = reduce.package_of(inner["filename"]) if inner else None
            # The site's callers, as tracemalloc's tracebacks list them: outward from the site.
            outer = list(frames or ())[list(frames or ()).index(f) + 1:] if f else []
            callers = [g for g in outer if (g.get("filename") or "").endswith(".py")]
            lines[key] = s = [0, 0, via, callers[: reduce.MAX_TRACEBACK]]
        s[0] += size
        s[1] += 1
    keys = sorted(lines, key=lambda k: -lines[k][0])
    sites = []
    for dev, file, line in keys[:top]:
        size, count, via, callers = lines[(dev, file, line)]
        s = {"file": reduce.text(file), "line": max(1, int(line or 1)), "size": size, "count": count, "device": dev}
        pkg = reduce.package_of(file) if not file.startswith("<") else None
        if pkg:
            s["package"] = pkg
        if via:
            s["via"] = via
        if callers:
            s["traceback"] = [{"file": reduce.text(c["filename"]), "line": max(1, int(c.get("line") or 1))} for c in callers]
        sites.append(s)
    rest = keys[top:]
    total = {"size": sum(v[0] for v in lines.values()), "count": sum(v[1] for v in lines.values())}
    more = {"sites": len(rest), "size": sum(lines[k][0] for k in rest), "count": sum(lines[k][1] for k in rest)}
    reserved = sum(seg.get("total_size", 0) for seg in snapshot.get("segments", ()))
    return {"source": "cuda", "sites": sites, "more": more, "total": total, "reserved": reserved}


def take(label=None, top=50, save=None, request=None, limit=reduce.DEFAULT_LIMIT):
    """The allocator's snapshot now, reduced; `save` writes the whole snapshot (pickle) for
    PyTorch's viewer. None when the program does not use CUDA."""
    cuda = _cuda()
    if cuda is None:
        return None
    started = not _recording
    state = record_history()
    t0 = time.perf_counter()
    snap = cuda.memory._snapshot()
    if save:
        with open(save, "wb") as f:
            pickle.dump(snap, f)
    r = reduce_snapshot(snap, top)
    if label is not None:
        r["label"] = reduce.text(label)
    if request is not None:
        r["id"] = request
    r["recording"] = dict(state, started=True) if started else state
    r["duration"] = round(time.perf_counter() - t0, 6)
    try:
        return reduce.fit(r, limit)
    except reduce.TooLarge as e:
        _diagnostics.note("allocations-cuda", e)
        return None
