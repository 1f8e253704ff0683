"""Peak memory inside a block: shared by regions, decorated calls and peak_memory().

Linux keeps one high-water mark per process (VmHWM), reset at the start of each tracked
block; a tracker open while another starts keeps what it had seen before the reset.
"""
import threading

from . import _devices, _procmem

_lock = threading.Lock()
_active = []  # open trackers: each holds the highest VmHWM seen while it was open


class PeakTracker:
    __slots__ = ("rss_peak", "start_rss", "dev_start")

    def __init__(self):
        rss, _ = _procmem.rss_vms()
        self.start_rss = rss
        self.rss_peak = rss
        with _lock:
            # Resetting VmHWM would lose the peaks of the trackers already open: fold the
            # current high-water mark into each of them first.
            if _active:
                hwm = _procmem.hwm() or 0
                for t in _active:
                    if hwm > t.rss_peak:
                        t.rss_peak = hwm
            _procmem.reset_peak_rss()
            _active.append(self)
        self.dev_start = _devices.device_memory()

    def finish(self):
        """The `peak` of a record: {rss, devices?} (CUDA allocator peaks per device)."""
        with _lock:
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


class peak_memory:
    """`with peak_memory() as p: ...` then `p.rss` is the highest RSS inside the block
    (VmHWM on Linux, reset at entry), `p.devices` the allocator peaks per CUDA device."""

    def __enter__(self):
        _devices.reset_device_peaks()
        self._t = PeakTracker()
        self.rss = self.start = self._t.start_rss
        self.devices = []
        return self

    def __exit__(self, *exc):
        p = self._t.finish()
        self.rss = p["rss"]
        self.devices = p.get("devices", [])
        self.delta = self.rss - self.start
        return False
