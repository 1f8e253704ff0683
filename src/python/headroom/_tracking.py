"""Checkpoints, regions and decorated calls: what the program reports as it runs."""
import functools
import sys
import threading
import time

from . import _alloc, _devices, _diagnostics, _oom, _procmem
from ._format import format_bytes, format_duration
from ._client import abs_file, snapshot
from ._connection import client
from ._peak import PeakTracker, reset_peaks as _reset_peaks
from ._frames import user_frame

_last = None  # the newest checkpoint record: an out-of-memory report names it


def last_checkpoint():
    """The newest checkpoint record this process sent, or None."""
    return _last


def checkpoint(label=None, reset_peaks=False, allocations=False):
    """Reports memory at this line. Returns at once when Headroom is not listening.

    `reset_peaks=True` resets torch's CUDA peak statistics after the report, so the next
    checkpoint's `max_allocated` is the peak since this one (a step's own, at a step's end).
    `allocations=True` also sends the top allocation sites and what grew since the previous
    snapshot (tracemalloc; started here if it is off, so the first one holds little)."""
    global _last
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
        _last = r
        if allocations:
            _alloc.at_checkpoint(label, (r["file"], r["line"], r["func"]))
        if reset_peaks:
            _reset_peaks()
    except Exception as e:  # the client never raises into user code
        _diagnostics.note("checkpoint", e)


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
        return "Region(%r, delta=%s, peak=%s, %s)" % (self.label, format_bytes(self.delta, signed=True), format_bytes(self.peak), format_duration(self.duration))


def region_line(label, region, kept="kept by block"):
    """`[headroom] load: +12.0 MB RSS kept by block, peak +315 MB inside, 1.23 s`: the figures and
    words of the editor's lens for the block (its formatter; the peak above the block's start)."""
    return "[headroom] %s: %s RSS %s, peak %s inside, %s" % (
        label, format_bytes(region.delta, signed=True), kept, format_bytes(region.peak - region.rss_before, signed=True), format_duration(region.duration))


class track:
    """Measures a block or a function: `with track("data loading"):` or `@track("epoch")`.

    Reports region start/end (or a call, for functions) with delta and peak inside. With
    Headroom not listening it still measures; `verbose=True` prints a line at the end.
    `reset_peaks=True` resets torch's CUDA peak statistics as the block starts, so its CUDA
    peak is the block's own rather than the run's (blocks open around it keep theirs).
    """

    def __init__(self, label=None, verbose=False, reset_peaks=False):
        if callable(label):  # bare @track
            self._fn = label
            self.label = label.__qualname__
            functools.update_wrapper(self, label)
        else:
            self._fn = None
            self.label = label
        self.verbose = verbose
        self.reset_peaks = reset_peaks
        self._stack = threading.local()

    # context manager
    def __enter__(self):
        c = client()
        # The user's line, also when a helper of ours (safe_operation, a compat wrapper) opened the block.
        f = user_frame(1) or sys._getframe(1)
        region = Region(self.label)
        if self.reset_peaks:
            _reset_peaks()
        state = [region, PeakTracker(), time.perf_counter(), None, f.f_code, f.f_lineno]
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
            except Exception as e:
                _diagnostics.note("region-start", e)
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
            except Exception as e:
                _diagnostics.note("region-end", e)
        if exc is not None:
            _oom.report(exc, "region", self.label, _last)
        return False

    def _finish(self, region, peak, t0, kept="kept by block"):
        region.duration = time.perf_counter() - t0
        region.rss_after, _ = _procmem.rss_vms()
        region.delta = region.rss_after - region.rss_before
        p = peak.finish()
        region.peak = p["rss"]
        region.peak_devices = p.get("devices", [])
        region.devices_after = _devices.device_memory()
        region._peak_record = p
        if self.verbose:
            print(region_line(self.label, region, kept), flush=True)

    # decorator
    def __call__(self, *args, **kwargs):
        if self._fn is None:
            fn = args[0]
            wrapped = track(self.label or fn.__qualname__, self.verbose, self.reset_peaks)
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
        if self.reset_peaks:
            _reset_peaks()
        peak = PeakTracker()
        region.rss_before = peak.start_rss
        t_wall = time.time()
        mem0 = snapshot() if c is not None else None
        t0 = time.perf_counter()
        error = None
        try:
            return self._fn(*args, **kwargs)
        except BaseException as e:
            error = "%s: %s" % (type(e).__name__, e)
            _oom.report(e, "region", self.label, _last)
            raise
        finally:
            self._finish(region, peak, t0, "kept per call")
            if c is not None:
                try:
                    code = self._fn.__code__
                    r = c.base("call")
                    r.update(label=str(self.label), func=code.co_name, file=abs_file(code.co_filename), line=code.co_firstlineno, t0=t_wall, mem0=mem0, mem=snapshot(), peak=region._peak_record)
                    if error:
                        r["error"] = error
                    c.emit(r)
                except Exception as e:
                    _diagnostics.note("call", e)


monitor_memory = track  # seed 002's name for the decorator
track_memory = track  # and for the context manager
