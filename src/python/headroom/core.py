"""Checkpoints, regions, memory readings, pressure checks and cleanup."""
import ctypes
import ctypes.util
import functools
import gc
import sys
import threading
import time

from . import _devices, _procmem
from ._client import abs_file, client, snapshot

GB = 1024 ** 3
MB = 1024 ** 2


def checkpoint(label=None):
    """Reports memory at this line. Returns at once when Headroom is not listening."""
    c = client()
    if c is None:
        return
    try:
        f = sys._getframe(1)
        code = f.f_code
        r = c.base("checkpoint")
        r["file"] = abs_file(code.co_filename)
        r["line"] = f.f_lineno
        r["func"] = code.co_name
        if label is not None:
            r["label"] = str(label)
        r["mem"] = snapshot()
        c.emit(r)
    except Exception:
        pass  # the client never raises into user code


# --- peak tracking shared by regions, calls and peak_memory -----------------------------
_peak_lock = threading.Lock()
_active = []  # open peak trackers: each holds the highest VmHWM seen while it was open


class _PeakTracker:
    __slots__ = ("rss_peak", "start_rss", "dev_start")

    def __init__(self):
        rss, _ = _procmem.rss_vms()
        self.start_rss = rss
        self.rss_peak = rss
        with _peak_lock:
            # Resetting VmHWM would lose the peaks of the trackers already open: fold the
            # current high-water mark into each of them first.
            if _active:
                hwm = _procmem.status_field("VmHWM") or 0
                for t in _active:
                    if hwm > t.rss_peak:
                        t.rss_peak = hwm
            _procmem.reset_peak_rss()
            _active.append(self)
        self.dev_start = _devices.device_memory()

    def finish(self):
        with _peak_lock:
            hwm = _procmem.peak_rss()
            for t in _active:
                if hwm > t.rss_peak:
                    t.rss_peak = hwm
            try:
                _active.remove(self)
            except ValueError:
                pass
        rss, _ = _procmem.rss_vms()
        if rss > self.rss_peak:
            self.rss_peak = rss
        peak = {"rss": self.rss_peak}
        devs = [
            {"kind": d["kind"], "index": d.get("index", 0), "allocated": d.get("max_allocated", d.get("allocated", 0)), "reserved": d.get("max_reserved", d.get("reserved", 0))}
            for d in _devices.device_memory()
            if d["kind"] == "cuda"
        ]
        if devs:
            peak["devices"] = devs
        return peak


class Region:
    """What a tracked block measured: rss before/after, delta, peak, duration (bytes, seconds)."""

    def __init__(self, label):
        self.label = label
        self.rss_before = self.rss_after = self.delta = self.peak = 0
        self.duration = 0.0
        self.peak_devices = []
        self.devices_before = []
        self.devices_after = []

    def __repr__(self):
        return "Region(%r, delta=%+.1f MB, peak=%.1f MB, %.3f s)" % (self.label, self.delta / MB, self.peak / MB, self.duration)


class track:
    """Measures a block or a function: `with track("data loading"):` or `@track("epoch")`.

    Reports region start/end (or a call, for functions) with delta and peak inside. With
    Headroom not listening it still measures; `verbose=True` prints a line at the end.
    """

    def __init__(self, label=None, verbose=False):
        if callable(label):  # bare @track
            self._fn = label
            self.label = label.__qualname__
            functools.update_wrapper(self, label)
        else:
            self._fn = None
            self.label = label
        self.verbose = verbose
        self._stack = threading.local()

    # context manager
    def __enter__(self):
        c = client()
        f = sys._getframe(1)
        region = Region(self.label)
        state = [region, _PeakTracker(), time.perf_counter(), None, f.f_code, f.f_lineno]
        region.rss_before = state[1].start_rss
        region.devices_before = state[1].dev_start
        if c is not None:
            try:
                rid = c.region_id()
                r = c.base("region_start")
                r.update(id=rid, file=abs_file(f.f_code.co_filename), line=f.f_lineno, func=f.f_code.co_name, mem=snapshot())
                if self.label is not None:
                    r["label"] = str(self.label)
                c.emit(r)
                state[3] = rid
            except Exception:
                pass
        stack = getattr(self._stack, "s", None)
        if stack is None:
            stack = self._stack.s = []
        stack.append(state)
        return region

    def __exit__(self, exc_type, exc, tb):
        region, peak, t0, rid, code, line = self._stack.s.pop()
        self._finish(region, peak, t0)
        c = client()
        if c is not None and rid is not None:
            try:
                r = c.base("region_end")
                r.update(id=rid, file=abs_file(code.co_filename), line=line, func=code.co_name, mem=snapshot(), duration=region.duration, peak=region._peak_record)
                if self.label is not None:
                    r["label"] = str(self.label)
                if exc_type is not None:
                    r["error"] = "%s: %s" % (exc_type.__name__, exc)
                c.emit(r)
            except Exception:
                pass
        return False

    def _finish(self, region, peak, t0):
        region.duration = time.perf_counter() - t0
        region.rss_after, _ = _procmem.rss_vms()
        region.delta = region.rss_after - region.rss_before
        p = peak.finish()
        region.peak = p["rss"]
        region.peak_devices = p.get("devices", [])
        region.devices_after = _devices.device_memory()
        region._peak_record = p
        if self.verbose:
            print("[headroom] %s: %+.1f MB RSS (peak %.1f MB) in %.2f s" % (self.label, region.delta / MB, region.peak / MB, region.duration), flush=True)

    # decorator
    def __call__(self, *args, **kwargs):
        if self._fn is None:
            fn = args[0]
            wrapped = track(self.label or fn.__qualname__, self.verbose)
            wrapped._fn = fn
            functools.update_wrapper(wrapped, fn)
            return wrapped
        return self._call(*args, **kwargs)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self.__call__, obj)

    def _call(self, *args, **kwargs):
        c = client()
        if c is None and not self.verbose:
            return self._fn(*args, **kwargs)
        region = Region(self.label)
        peak = _PeakTracker()
        region.rss_before = peak.start_rss
        t_wall = time.time()
        mem0 = snapshot() if c is not None else None
        t0 = time.perf_counter()
        error = None
        try:
            return self._fn(*args, **kwargs)
        except BaseException as e:
            error = "%s: %s" % (type(e).__name__, e)
            raise
        finally:
            self._finish(region, peak, t0)
            if c is not None:
                try:
                    code = self._fn.__code__
                    r = c.base("call")
                    r.update(label=str(self.label), func=code.co_name, file=abs_file(code.co_filename), line=code.co_firstlineno, t0=t_wall, mem0=mem0, mem=snapshot(), peak=region._peak_record)
                    if error:
                        r["error"] = error
                    c.emit(r)
                except Exception:
                    pass


monitor_memory = track  # seed 002's name for the decorator
track_memory = track  # and for the context manager


def memory_info():
    """rss, vms, percent (of system), available (bytes), gb figures, cgroup limit, devices."""
    rss, vms = _procmem.rss_vms()
    sysm = _procmem.system_memory() or {}
    cg = _procmem.cgroup_limit()
    info = {
        "rss": rss,
        "vms": vms,
        "rss_gb": rss / GB,
        "vms_gb": vms / GB,
        "percent": sysm.get("percent"),
        "available": sysm.get("available"),
        "available_gb": (sysm["available"] / GB) if sysm.get("available") is not None else None,
        "total": sysm.get("total"),
        "cgroup_limit": cg[0] if cg else None,
        "cgroup_usage": cg[1] if cg else None,
        "devices": _devices.device_memory(),
    }
    return info


def get_memory_gb():
    """Process RSS in GB (seed 000)."""
    return _procmem.rss_vms()[0] / GB


def status(label=None):
    """One line: `[label] Memory: 2.45 GB RSS, 15.3% used, 13.55 GB available | cuda:0 1.20 GB alloc / 2.00 GB reserved`."""
    i = memory_info()
    parts = ["%.2f GB RSS" % i["rss_gb"]]
    if i["percent"] is not None:
        parts.append("%.1f%% used" % i["percent"])
    if i["available_gb"] is not None:
        parts.append("%.2f GB available" % i["available_gb"])
    if i["cgroup_limit"]:
        parts.append("cgroup %.2f/%.2f GB" % (i["cgroup_usage"] / GB, i["cgroup_limit"] / GB))
    line = "Memory: " + ", ".join(parts)
    for d in i["devices"]:
        if d["kind"] == "cuda":
            line += " | cuda:%d %.2f GB alloc / %.2f GB reserved" % (d["index"], d["allocated"] / GB, d["reserved"] / GB)
        elif d["kind"] == "mps":
            line += " | mps %.2f GB" % (d["current"] / GB)
        elif d["kind"] == "mlx":
            line += " | mlx %.2f GB active" % (d["active"] / GB)
    return ("[%s] " % label if label else "") + line


def print_status(label=None):
    """Prints `status(label)` (seed 000's print_memory_status)."""
    print("📊 " + status(label), flush=True)


def pressure(threshold_gb=None, fraction=None):
    """True when under memory pressure.

    threshold_gb: this process's RSS is above it. fraction: the memory that can kill the job
    (the cgroup limit when there is one, else the system) is fuller than this (0..1).
    With neither, fraction=0.9.
    """
    if threshold_gb is not None and _procmem.rss_vms()[0] / GB > threshold_gb:
        return True
    if threshold_gb is not None and fraction is None:
        return False
    fraction = 0.9 if fraction is None else fraction
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1], got %r" % (fraction,))
    cg = _procmem.cgroup_limit()
    if cg:
        return cg[1] / cg[0] > fraction
    s = _procmem.system_memory()
    return bool(s and s.get("percent") is not None and s["percent"] / 100.0 > fraction)


check_memory_pressure = pressure


class peak_memory:
    """`with peak_memory() as p: ...` then `p.rss` is the highest RSS inside the block
    (VmHWM on Linux, reset at entry), `p.devices` the allocator peaks per CUDA device."""

    def __enter__(self):
        _devices.reset_device_peaks()
        self._t = _PeakTracker()
        self.rss = self.start = self._t.start_rss
        self.devices = []
        return self

    def __exit__(self, *exc):
        p = self._t.finish()
        self.rss = p["rss"]
        self.devices = p.get("devices", [])
        self.delta = self.rss - self.start
        return False


class safe_operation:
    """Seed 000's memory-safe operation: cleans up first when under pressure, measures the
    block as a region, and cleans up afterwards when it grew by more than `cleanup_gb`."""

    def __init__(self, name, threshold_gb=12.0, cleanup_gb=2.0, verbose=True):
        self.name, self.threshold_gb, self.cleanup_gb, self.verbose = name, threshold_gb, cleanup_gb, verbose
        self.before_cleanup = self.after_cleanup = None
        self._track = track(name)

    def __enter__(self):
        if pressure(threshold_gb=self.threshold_gb):
            self.before_cleanup = cleanup(reason="before %s: under pressure" % self.name)
        self.region = self._track.__enter__()
        return self

    def __exit__(self, *exc):
        self._track.__exit__(*exc)
        r = self.region
        if r.delta > self.cleanup_gb * GB:
            self.after_cleanup = cleanup(reason="after %s: grew %.2f GB" % (self.name, r.delta / GB))
        if self.verbose:
            print("[headroom] %s: %+.2f GB RSS, peak %.2f GB, %.2f s%s" % (
                self.name, r.delta / GB, r.peak / GB, r.duration, ", cleaned up" if self.after_cleanup else ""), flush=True)
        return False


memory_safe_operation = safe_operation


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

    def __repr__(self):
        parts = ["RSS %.1f MB" % (self.freed / MB)]
        for d in self.devices:
            parts.append("%s:%s %s %.1f MB" % (d["kind"], d["index"], d["field"], d["freed"] / MB))
        return "CleanupResult(freed %s in %.3f s)" % (", ".join(parts), self.duration)


_libc_trim = None


def _malloc_trim():
    global _libc_trim
    if not _procmem.LINUX:
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


def cleanup(reason=None, _request_id=None):
    """Frees what can be freed: gc, malloc_trim (glibc), CUDA/MPS caches, MLX cache — each
    only if that framework is already in use. Reports the result to Headroom."""
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
        fn = _devices._mlx_fn(mx, "clear_cache")
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
                id=_request_id,
                reason=reason,
                duration=res.duration,
                actions=res.actions,
                rss={"before": res.rss_before, "after": res.rss_after, "freed": res.freed},
                devices=res.devices,
            )
            if res.errors:
                r["errors"] = res.errors
            c.emit(r)
        except Exception:
            pass
    return res


force_cleanup = cleanup
