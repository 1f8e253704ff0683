"""Out of memory inside the program, and the guard's interrupt.

A framework's out-of-memory error (PyTorch's OutOfMemoryError, MLX's allocation failure,
Python's MemoryError) is reported once, as an `oom` record with the allocator's state at that
moment, the line that raised and the checkpoint before it: when it leaves a tracked block
(`_tracking` calls `report`) or reaches the top of a thread uncaught (the excepthooks that
`install` chains in front of the program's own).

The guard's `interrupt` control message raises KeyboardInterrupt in the main thread, so the
program's own `except KeyboardInterrupt:` saves its work and exits.
"""
import _thread
import ctypes
import os
import re
import signal
import sys
import threading

from . import _diagnostics
from ._client import abs_file, on_control, snapshot
from ._devices import mlx_fn
from ._connection import client

# MLX says it in words (mlx/backend/metal/allocator.cpp, device.cpp); only these are its OOMs.
MLX_MARKERS = ("[metal::malloc]", "[malloc_or_wait]", "Insufficient Memory", "OutOfMemory")
_UNITS = {"bytes": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
_SIZE = r"([\d.]+) (bytes|KiB|MiB|GiB|TiB)"
MAX_ERROR = 2000

_installed = False


def _no_checkpoint():
    return None


_last_checkpoint = _no_checkpoint  # install() sets the getter of the newest checkpoint record


def framework_of(exc):
    """'torch', 'mlx' or 'python' when `exc` is that framework's out-of-memory error, else None."""
    torch = sys.modules.get("torch")
    if torch is not None:
        for cls in (getattr(torch, "OutOfMemoryError", None), getattr(getattr(torch, "cuda", None), "OutOfMemoryError", None)):
            if isinstance(cls, type) and isinstance(exc, cls):
                return "torch"
    if sys.modules.get("mlx.core") is not None and isinstance(exc, RuntimeError) and any(m in str(exc) for m in MLX_MARKERS):
        return "mlx"
    if isinstance(exc, MemoryError):
        return "python"
    return None


def _size(number, unit):
    return int(float(number) * _UNITS[unit])


def parse_message(text):
    """What torch's or MLX's message says: {requested, device, total, free}, those it names (bytes)."""
    out = {}
    m = re.search(r"Tried to allocate " + _SIZE, text) or re.search(r"allocate (\d+) (bytes)", text)
    if m:
        out["requested"] = _size(*m.groups())
    m = re.search(r"GPU (\d+)", text)
    if m:
        out["device"] = int(m.group(1))
    m = re.search(r"total capacity of " + _SIZE, text) or re.search(_SIZE + r" total capacity", text)
    if m:
        out["total"] = _size(*m.groups())
    m = re.search(r"of which " + _SIZE + " is free", text) or re.search(_SIZE + r" free;", text)
    if m:
        out["free"] = _size(*m.groups())
    return out


def _package_dir(module_name):
    mod = sys.modules.get(module_name)
    f = getattr(mod, "__file__", None)
    return os.path.dirname(os.path.abspath(f)) + os.sep if f else None


def raise_site(tb, framework):
    """{file, line, func} of the innermost frame of the traceback outside the framework and headroom."""
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    skip = tuple(d for d in (_package_dir("torch" if framework == "torch" else "mlx"), _package_dir("headroom")) if d)
    for frame, line in reversed(frames):
        path = abs_file(frame.f_code.co_filename)
        if not (skip and path.startswith(skip)):
            return {"file": path, "line": line, "func": frame.f_code.co_name}
    if frames:
        frame, line = frames[-1]
        return {"file": abs_file(frame.f_code.co_filename), "line": line, "func": frame.f_code.co_name}
    return {}


def _largest_free(torch, index):
    """The largest inactive block in torch's reserved memory on one device (its segments' snapshot)."""
    best = 0
    for seg in torch.cuda.memory_snapshot():
        if seg.get("device") != index:
            continue
        for block in seg.get("blocks", ()):
            if block.get("state") == "inactive":
                best = max(best, block.get("size", 0))
    return best


def cuda_allocator(torch, failed_device=None):
    """torch's allocator per CUDA device the program uses (and the one that failed): allocated,
    reserved, fragmentation, free and total."""
    out = []
    c = torch.cuda
    if not c.is_initialized():
        return out
    for i in range(c.device_count()):
        stats = c.memory_stats(i) or {}
        d = {"kind": "cuda", "index": i,
             "allocated": stats.get("allocated_bytes.all.current", 0), "reserved": stats.get("reserved_bytes.all.current", 0)}
        # mem_get_info on a device the program never used would create a CUDA context there
        # (hundreds of MB, perhaps on another job's GPU): only where it has one already.
        if d["reserved"] == 0 and i != failed_device:
            continue
        for field, key in (("active", "active_bytes.all.current"), ("inactive_split", "inactive_split_bytes.all.current"),
                           ("num_ooms", "num_ooms"), ("num_alloc_retries", "num_alloc_retries")):
            if key in stats:
                d[field] = stats[key]
        try:
            d["free"], d["total"] = c.mem_get_info(i)
        except Exception as e:
            _diagnostics.note("oom-mem-get-info", e)
        try:
            d["largest_free"] = _largest_free(torch, i)
        except Exception as e:
            _diagnostics.note("oom-snapshot", e)
        out.append(d)
    return out


def _mlx_allocator(mx):
    """MLX's active memory as allocated, and active plus its cache as reserved (torch's sense)."""
    active, cache = mlx_fn(mx, "get_active_memory"), mlx_fn(mx, "get_cache_memory")
    d = {"kind": "mlx", "index": 0}
    if active is not None:
        d["allocated"] = active()
        if cache is not None:
            d["reserved"] = d["allocated"] + cache()
    return [d]


def oom_record(c, exc, framework, where, region=None, last_checkpoint=None):
    """The `oom` record of one exception (docs/protocol.md)."""
    text = str(exc)
    r = c.base("oom")
    r["error"] = ("%s: %s" % (type(exc).__name__, text))[:MAX_ERROR]
    r["framework"] = framework
    r["where"] = where
    if region is not None:
        r["region"] = str(region)
    r.update(raise_site(exc.__traceback__, framework))
    said = parse_message(text)
    if "requested" in said:
        r["requested"] = said["requested"]
    allocator = []
    try:
        if framework == "torch":
            allocator = cuda_allocator(sys.modules["torch"], said.get("device"))
        elif framework == "mlx":
            allocator = _mlx_allocator(sys.modules["mlx.core"])
    except Exception as e:
        _diagnostics.note("oom-allocator", e)
    if framework == "torch" and ("device" in said or allocator):
        index = said.get("device", allocator[0]["index"] if allocator else 0)
        r["device"] = {"kind": "cuda", "index": index}
        mine = [a for a in allocator if a["index"] == index]
        if not mine and ("free" in said or "total" in said):  # the message's own figures, when torch.cuda cannot say
            allocator.append(dict({"kind": "cuda", "index": index}, **{k: said[k] for k in ("free", "total") if k in said}))
    if allocator:
        r["allocator"] = allocator
    cp = last_checkpoint if last_checkpoint is not None else _last_checkpoint()
    if cp is not None:
        r["checkpoint"] = {k: cp[k] for k in ("label", "file", "line", "t") if k in cp}
    r["mem"] = snapshot()
    return r


def report(exc, where, region=None, last_checkpoint=None):
    """Reports `exc` if it is an out-of-memory error not reported yet. Never raises."""
    try:
        # The kind first: only an out-of-memory error may look for a window to report to.
        framework = framework_of(exc)
        if framework is None or getattr(exc, "_headroom_oom", False):
            return
        c = client()
        if c is None:
            return
        try:
            exc._headroom_oom = True  # once per exception, however many blocks it leaves
        except AttributeError:
            pass
        c.emit(oom_record(c, exc, framework, where, region, last_checkpoint))
        if where != "region":  # the program is about to end: send it now
            c.transport.flush()
    except Exception as e:
        _diagnostics.note("oom-report", e)


def install(last_checkpoint):
    """Puts the report in front of sys.excepthook and threading.excepthook (calling the
    program's own hooks after it); `last_checkpoint()` returns the newest checkpoint record."""
    global _installed, _last_checkpoint
    _last_checkpoint = last_checkpoint
    if _installed:
        return
    _installed = True
    previous = sys.excepthook

    def excepthook(kind, value, tb):
        report(value, "uncaught")
        previous(kind, value, tb)

    sys.excepthook = excepthook
    previous_thread = threading.excepthook

    def thread_excepthook(args):
        report(args.exc_value, "thread")
        previous_thread(args)

    threading.excepthook = thread_excepthook


def interrupt_main():
    """KeyboardInterrupt in the main thread: through its SIGINT handler when Python has one
    (the program's own handler runs, as on Ctrl-C), else raised there directly."""
    if callable(signal.getsignal(signal.SIGINT)):
        _thread.interrupt_main()
        return "signal-handler"
    set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    set_async.argtypes = (ctypes.c_ulong, ctypes.py_object)
    set_async(threading.main_thread().ident, KeyboardInterrupt)
    return "async-exception"


def _on_interrupt(msg):
    interrupt_main()


on_control("interrupt", _on_interrupt)
