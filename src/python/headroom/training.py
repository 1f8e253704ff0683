"""Training-loop helpers: epoch/batch callbacks, multi-checkpoint trackers (seed 002)."""
import time

from . import _procmem
from ._client import snapshot
from ._connection import client
from ._frames import user_location as _caller  # the user's line, also when a subclass wraps these calls
from ._peak import DevicePeaks, reset_peaks as _reset_peaks

MB = 1024 ** 2


def _gpu_line(devices):
    cuda = [d for d in devices if d["kind"] == "cuda"]
    if cuda:
        return "GPU %.1f MB" % (sum(d["allocated"] for d in cuda) / MB)
    mps = [d for d in devices if d["kind"] == "mps"]
    if mps:
        return "MPS %.1f MB" % (mps[0]["current"] / MB)
    mlx = [d for d in devices if d["kind"] == "mlx"]
    if mlx:
        return "MLX %.1f MB" % (mlx[0]["active"] / MB)
    return "GPU -"


class EpochMonitor:
    """Three callbacks for a training loop: on_epoch_start, on_batch_end, on_epoch_end.

    Reports epochs and batches to Headroom (with loss and batch size) and prints the first
    `verbose_batches` batches of each epoch and an epoch summary. `enabled=False` makes
    every call a no-op, for production. `reset_peaks=True` resets torch's CUDA peak
    statistics after each batch, so each batch_end's `max_allocated` is that step's own peak;
    the epoch's peak is kept across those resets and sent with epoch_end.
    """

    def __init__(self, enabled=True, verbose_batches=5, print_fn=print, reset_peaks=False):
        self.enabled = enabled
        self.reset_peaks = reset_peaks
        self._epoch_peaks = None
        self.verbose_batches = verbose_batches
        self.print_fn = print_fn
        self.epoch = -1
        self.batches = 0
        self._t0 = 0.0
        self.last_loss = None
        if enabled and verbose_batches and print_fn:
            print_fn("Memory monitoring enabled (verbose for first %d batches)" % verbose_batches)

    def on_epoch_start(self, epoch=None):
        if not self.enabled:
            return
        self.epoch = self.epoch + 1 if epoch is None else epoch
        self.batches = 0
        self.last_loss = None
        self._t0 = time.perf_counter()
        _reset_peaks()
        if self._epoch_peaks is not None:
            self._epoch_peaks.close()  # an epoch that never ended
        self._epoch_peaks = DevicePeaks()
        c = client()
        if c is not None:
            r = c.base("epoch_start")
            r.update(_caller(), epoch=self.epoch, mem=snapshot())
            c.emit(r)

    def on_batch_end(self, batch, loss=None, batch_size=None):
        if not self.enabled:
            return
        self.batches += 1
        loss_v = _as_float(loss)
        if loss_v is not None:
            self.last_loss = loss_v
        c = client()
        verbose = self.print_fn and batch < self.verbose_batches if isinstance(batch, int) else False
        if c is None and not verbose:
            if self.reset_peaks:
                _reset_peaks()
            return
        mem = snapshot()
        if c is not None:
            r = c.base("batch_end")
            r.update(_caller(), epoch=self.epoch, batch=batch, mem=mem)
            if loss_v is not None:
                r["loss"] = loss_v
            if batch_size is not None:
                r["batch_size"] = int(batch_size)
            c.emit(r)
        if verbose:
            line = "Batch %s: %s, CPU %.1f MB" % (batch, _gpu_line(mem.get("devices", [])), mem["rss"] / MB)
            if loss_v is not None:
                line += ", loss=%.6f" % loss_v
            self.print_fn(line)
        if self.reset_peaks:
            _reset_peaks()

    def on_epoch_end(self, loss=None):
        if not self.enabled:
            return
        mem = snapshot()
        loss_v = _as_float(loss)
        if loss_v is None:
            loss_v = self.last_loss
        dur = time.perf_counter() - self._t0
        peak = {"rss": _procmem.peak_rss()}
        if self._epoch_peaks is not None:
            devs = self._epoch_peaks.close()
            self._epoch_peaks = None
            if devs:
                peak["devices"] = devs
        c = client()
        if c is not None:
            r = c.base("epoch_end")
            r.update(_caller(), epoch=self.epoch, mem=mem, batches=self.batches, duration=dur, peak=peak)
            if loss_v is not None:
                r["loss"] = loss_v
            c.emit(r)
        if self.print_fn:
            cuda = [d for d in mem.get("devices", []) if d["kind"] == "cuda"]
            if cuda:
                self.print_fn("Epoch end: GPU %.1f MB allocated, %.1f MB reserved, peak %.1f MB" % (
                    sum(d["allocated"] for d in cuda) / MB, sum(d["reserved"] for d in cuda) / MB, _epoch_peak(peak, cuda) / MB))
            else:
                self.print_fn("Epoch end: CPU %.1f MB RSS, peak %.1f MB, %d batches in %.1f s" % (mem["rss"] / MB, _procmem.peak_rss() / MB, self.batches, dur))


EpochMemoryMonitor = EpochMonitor


def _epoch_peak(peak, cuda):
    """Allocated bytes at the epoch's peak, over CUDA devices: kept across per-step resets."""
    if "devices" in peak:
        return sum(d["allocated"] for d in peak["devices"])
    return sum(d.get("max_allocated", 0) for d in cuda)


def _as_float(x):
    if x is None:
        return None
    try:
        return float(x.item()) if hasattr(x, "item") else float(x)
    except (TypeError, ValueError):
        return None


class MemoryTracker:
    """Records labelled snapshots (each also a checkpoint in the editor) and summarises them."""

    def __init__(self, enabled=True):
        self.enabled = enabled
        self.records = []  # (label, t, rss, devices)

    def record(self, label):
        if not self.enabled:
            return
        mem = snapshot()
        self.records.append((label, time.time(), mem["rss"], mem.get("devices", [])))
        c = client()
        if c is not None:
            r = c.base("checkpoint")
            r.update(_caller(), label=str(label), mem=mem)
            c.emit(r)

    def summary(self):
        """Rows of (label, rss MB, delta MB from previous, delta MB from first)."""
        rows = []
        for i, (label, _t, rss, _d) in enumerate(self.records):
            prev = self.records[i - 1][2] if i else rss
            rows.append((label, rss / MB, (rss - prev) / MB, (rss - self.records[0][2]) / MB))
        return rows

    def print_summary(self, print_fn=print):
        if not self.records:
            print_fn("No memory records.")
            return
        w = max(len(str(r[0])) for r in self.records)
        print_fn("%-*s  %10s  %10s  %10s" % (w, "checkpoint", "RSS MB", "delta", "from start"))
        for label, rss, d, d0 in self.summary():
            print_fn("%-*s  %10.1f  %+10.1f  %+10.1f" % (w, label, rss, d, d0))


class BatchProfiler:
    """Named checkpoints inside a batch, averaged over batches: where does each step's memory go?"""

    def __init__(self, enabled=True):
        self.enabled = enabled
        self._last = None
        self.deltas = {}  # name -> list of MB deltas since the previous checkpoint

    def checkpoint(self, name):
        if not self.enabled:
            return
        rss = _procmem.rss_vms()[0]
        if self._last is not None:
            self.deltas.setdefault(name, []).append((rss - self._last) / MB)
        self._last = rss
        c = client()
        if c is not None:
            r = c.base("checkpoint")
            r.update(_caller(), label=str(name), mem=snapshot())
            c.emit(r)

    def print_summary(self, print_fn=print):
        for name, ds in self.deltas.items():
            print_fn("%-20s avg %+8.2f MB  max %+8.2f MB  (%d hits)" % (name, sum(ds) / len(ds), max(ds), len(ds)))
