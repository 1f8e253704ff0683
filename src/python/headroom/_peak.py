"""Peak memory inside a block: shared by regions, decorated calls, epochs and peak_memory().

Linux keeps one high-water mark per process (VmHWM), reset at the start of each tracked
block; a tracker open while another starts keeps what it had seen before the reset. torch
keeps one peak per CUDA device the same way: `reset_peaks()` (asked for per step, region or
checkpoint) first hands the peaks so far to every open holder, so an epoch or an outer
region still reports its own peak when the steps inside it reset torch's.
"""
import threading

from . import _devices, _procmem

_lock = threading.Lock()
_active = []  # open trackers: each holds the highest VmHWM seen while it was open
_dev_open = []  # open DevicePeaks: each holds the highest CUDA peaks seen while it was open


class DevicePeaks:
    """The highest CUDA allocator figures per device while open, across resets of torch's peaks."""

    __slots__ = ("seen",)

    def __init__(self):
        self.seen = {}  # device index -> (max allocated, max reserved)
        with _lock:
            _dev_open.append(self)

    def _fold(self, peaks):
        seen = self.seen
        for i, (a, r) in peaks.items():
            old = seen.get(i)
            seen[i] = (a, r) if old is None else (max(a, old[0]), max(r, old[1]))

    def close(self):
        """[{kind: "cuda", index, allocated, reserved}]: the peaks per device while open."""
        peaks = _devices.cuda_peaks()
        with _lock:
            self._fold(peaks)
            try:
                _dev_open.remove(self)
            except ValueError:
                pass
        return [{"kind": "cuda", "index": i, "allocated": a, "reserved": r} for i, (a, r) in sorted(self.seen.items())]


def reset_peaks():
    """Resets torch's CUDA peak statistics (and MLX's peak) so that the next `max_allocated`
    is the next step's own; open regions, calls and epochs keep the peaks they had seen.
    Global, like torch's own reset: a program that reads torch.cuda.max_memory_allocated()
    itself sees it reset too, which is why regions and steps do this only when asked."""
    with _lock:
        if _dev_open:
            peaks = _devices.cuda_peaks()
            for h in _dev_open:
                h._fold(peaks)
        _devices.reset_device_peaks()


class PeakTracker:
    __slots__ = ("rss_peak", "start_rss", "dev_start", "dev")

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
        self.dev = DevicePeaks()

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
        devs = self.dev.close()
        if devs:
            peak["devices"] = devs
        return peak


class peak_memory:
    """`with peak_memory() as p: ...` then `p.rss` is the highest RSS inside the block
    (VmHWM on Linux, reset at entry), `p.devices` the allocator peaks per CUDA device."""

    def __enter__(self):
        reset_peaks()
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
