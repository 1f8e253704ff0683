"""cleanup(): free what the program no longer uses, from the program or at the editor's request."""
import ctypes
import ctypes.util
import gc
import sys
import time

from . import _devices, _diagnostics, _procmem
from ._client import on_control
from ._connection import client
from ._format import format_bytes, format_duration

_DEVICE_NAMES = {"cuda": "CUDA", "mps": "MPS", "mlx": "MLX"}


class CleanupResult:
    """What cleanup() did: actions, before/after/freed bytes for RSS and per device."""

    def __init__(self):
        self.actions = []
        self.errors = []
        self.rss_before = self.rss_after = 0
        self.devices = []  # dicts: kind, index, field, before, after, freed
        self.duration = 0.0

    @property
    def freed(self):
        return max(0, self.rss_before - self.rss_after)

    def __str__(self):
        """`Freed 1.80 GB RSS, 3.10 GB CUDA reserved in 120 ms`: the editor's words for a cleanup
        (describeCleanup in src/extension/sessions/forceCleanup.ts), devices summed by kind."""
        by_device = {}
        for d in self.devices:
            name = "%s %s" % (_DEVICE_NAMES.get(d["kind"], d["kind"]), d["field"])
            by_device[name] = by_device.get(name, 0) + d["freed"]
        parts = ["%s RSS" % format_bytes(self.freed)]
        parts.extend("%s %s" % (format_bytes(freed), name) for name, freed in by_device.items() if freed > 0)
        return "Freed %s in %s" % (", ".join(parts), format_duration(self.duration))

    def __repr__(self):
        return "CleanupResult(%s)" % self


_libc_trim = None


def _malloc_trim():
    global _libc_trim
    if _procmem.PLATFORM != "linux":
        return False
    if _libc_trim is None:
        try:
            _libc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
            _libc_trim.argtypes = [ctypes.c_size_t]
        except (OSError, AttributeError):  # musl has no malloc_trim
            _libc_trim = False
    if _libc_trim is False:
        return False
    _libc_trim(0)
    return True


_DEVICE_FIELDS = {"cuda": ("reserved", "allocated"), "mps": ("driver", "current"), "mlx": ("cache", "active")}


def cleanup(reason=None):
    """Frees what can be freed: gc, malloc_trim (glibc), CUDA/MPS caches, MLX cache — each
    only if that framework is already in use. Reports the result to Headroom."""
    return _cleanup(reason, None)


force_cleanup = cleanup


def _on_request(msg):
    """The `cleanup` control message: runs on the control thread, the program keeps going."""
    _cleanup(msg.get("reason") or "requested from the editor", msg["id"])


on_control("cleanup", _on_request)


def _cleanup(reason, request_id):
    """cleanup(), answering the request `request_id` (None when the program asked itself)."""
    res = CleanupResult()
    t0 = time.perf_counter()
    res.rss_before, _ = _procmem.rss_vms()
    dev_before = _devices.device_memory()
    try:
        n = gc.collect()
        res.actions.append("gc.collect (%d unreachable)" % n)
    except Exception as e:
        res.errors.append("gc: %s" % e)
    try:
        if _malloc_trim():
            res.actions.append("malloc_trim(0)")
    except Exception as e:
        res.errors.append("malloc_trim: %s" % e)
    torch = sys.modules.get("torch")
    if _devices.cuda_ready(torch):
        try:
            for i in range(torch.cuda.device_count()):
                with torch.cuda.device(i):
                    torch.cuda.empty_cache()
            torch.cuda.ipc_collect()
            res.actions.append("torch.cuda.empty_cache + ipc_collect")
        except Exception as e:
            res.errors.append("cuda: %s" % e)
    if _devices.mps_ready(torch):
        try:
            torch.mps.empty_cache()
            res.actions.append("torch.mps.empty_cache")
        except Exception as e:
            res.errors.append("mps: %s" % e)
    mx = sys.modules.get("mlx.core")
    if mx is not None:
        fn = _devices.mlx_fn(mx, "clear_cache")
        if fn is not None:
            try:
                fn()
                res.actions.append("mlx.clear_cache")
            except Exception as e:
                res.errors.append("mlx: %s" % e)
    res.rss_after, _ = _procmem.rss_vms()
    after = {(d["kind"], d.get("index", 0)): d for d in _devices.device_memory()}
    for d in dev_before:
        key = (d["kind"], d.get("index", 0))
        for field in _DEVICE_FIELDS.get(d["kind"], ()):
            b = d.get(field)
            a = after.get(key, {}).get(field)
            if b is not None and a is not None:
                res.devices.append({"kind": d["kind"], "index": key[1], "field": field, "before": b, "after": a, "freed": max(0, b - a)})
    res.duration = time.perf_counter() - t0
    c = client()
    if c is not None:
        try:
            r = c.base("cleanup_result")
            r.update(
                id=request_id,
                reason=reason,
                duration=res.duration,
                actions=res.actions,
                rss={"before": res.rss_before, "after": res.rss_after, "freed": res.freed},
                devices=res.devices,
            )
            if res.errors:
                r["errors"] = res.errors
            c.emit(r)
        except Exception as e:
            _diagnostics.note("cleanup-result", e)
    return res
