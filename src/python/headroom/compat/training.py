"""The training memory monitor (seed 002), name for name, built on Headroom.

    from headroom.compat.training import (BatchMemoryProfiler, EpochMemoryMonitor, MemoryMonitor,
                                          MemoryTracker, monitor_memory, track_memory)

Prints the same lines (`Batch 0: GPU 23.1 MB, CPU 1634.7 MB, loss=0.005310`, `Epoch end: GPU
14.4 MB allocated, 3242.0 MB reserved, peak 2880.3 MB`, `[Memory] data loading: CPU +12.0 MB,
GPU +0.0 MB`). In a Headroom window the epoch callbacks are epochs and batches (every batch,
not only the printed ones, with its loss), track_memory() is a region, @monitor_memory a
call, and each reading or record a checkpoint on its line. GPU figures are torch.cuda's once
the program has initialised CUDA, else 0.0 ("GPU: Not available"); torch is never imported
here. `enabled=False` makes every callback return at once: no reading, no record.
"""
import functools
import sys
from typing import Dict, Optional

from .. import _devices, _procmem
from .._tracking import track
from ..training import EpochMonitor, _as_float
from . import _report

__all__ = ["BatchMemoryProfiler", "EpochMemoryMonitor", "MemoryMonitor", "MemoryTracker", "monitor_memory", "track_memory"]

MB = 1024 * 1024


def _cuda():
    """torch, when the program uses CUDA; else None."""
    torch = sys.modules.get("torch")
    return torch if _devices.cuda_ready(torch) else None


def _cpu_mb():
    return _procmem.rss_vms()[0] / MB


def _gpu_mb(device=0, reserved=False):
    torch = _cuda()
    if torch is None:
        return 0.0
    return (torch.cuda.memory_reserved(device) if reserved else torch.cuda.memory_allocated(device)) / MB


def _gpu_peak_mb(device=0):
    torch = _cuda()
    return torch.cuda.max_memory_allocated(device) / MB if torch is not None else 0.0


def _reset_gpu_peak(device=0):
    torch = _cuda()
    if torch is not None:
        torch.cuda.reset_peak_memory_stats(device)


def _summary(device=0):
    summary = {"cpu_memory_mb": _cpu_mb(), "gpu_memory_allocated_mb": _gpu_mb(device), "gpu_memory_reserved_mb": _gpu_mb(device, reserved=True)}
    torch = _cuda()
    if torch is not None:
        summary["gpu_memory_free_mb"] = torch.cuda.get_device_properties(device).total_memory / MB - summary["gpu_memory_reserved_mb"]
    return summary


def _usage_line(prefix, device):
    if _cuda() is None:
        return "%sCPU: %.1f MB | GPU: Not available" % (prefix, _cpu_mb())
    return "%sCPU: %.1f MB | GPU Allocated: %.1f MB | GPU Reserved: %.1f MB" % (prefix, _cpu_mb(), _gpu_mb(device), _gpu_mb(device, reserved=True))


def _label(prefix):
    """A checkpoint label from a print prefix: "After model creation: " -> "After model creation"."""
    return prefix.strip().rstrip(":").strip() or None


class MemoryMonitor:
    """Static readings of this process (CPU RSS) and CUDA (allocated, reserved), in MB."""

    @staticmethod
    def get_cpu_memory_mb() -> float:
        _report.checkpoint()
        return _cpu_mb()

    @staticmethod
    def get_gpu_memory_mb(device: int = 0) -> float:
        _report.checkpoint()
        return _gpu_mb(device)

    @staticmethod
    def get_gpu_memory_reserved_mb(device: int = 0) -> float:
        _report.checkpoint()
        return _gpu_mb(device, reserved=True)

    @staticmethod
    def get_memory_summary(device: int = 0) -> Dict[str, float]:
        _report.checkpoint()
        return _summary(device)

    @staticmethod
    def print_memory_usage(prefix: str = "", device: int = 0):
        """Prints `{prefix}CPU: 1634.7 MB | GPU: Not available` (or the CUDA figures)."""
        _report.checkpoint(_label(prefix))
        _report.echo(_usage_line(prefix, device))

    @staticmethod
    def log_memory_usage(logger, prefix: str = "", device: int = 0):
        """The same line as print_memory_usage, to `logger.info`."""
        _report.checkpoint(_label(prefix))
        logger.info(_usage_line(prefix, device))


class MemoryTracker:
    """Labelled snapshots (each a checkpoint in the editor) and a table of them."""

    def __init__(self, device: int = 0):
        self.device = device
        self.records = []

    def record(self, label: str):
        _report.checkpoint(label)
        summary = _summary(self.device)
        summary["label"] = label
        self.records.append(summary)

    def print_summary(self):
        if not self.records:
            _report.echo("No memory records available")
            return
        _report.echo("\n" + "=" * 80)
        _report.echo("Memory Usage Summary")
        _report.echo("=" * 80)
        _report.echo("%-30s %-12s %-15s %-15s" % ("Label", "CPU (MB)", "GPU Alloc (MB)", "GPU Reserved (MB)"))
        _report.echo("-" * 80)
        for r in self.records:
            _report.echo("%-30s %10.1f   %13.1f   %17.1f" % (r["label"], r["cpu_memory_mb"], r["gpu_memory_allocated_mb"], r["gpu_memory_reserved_mb"]))
        _report.echo("=" * 80 + "\n")

    def get_peak_memory(self) -> Dict[str, float]:
        if not self.records:
            return {"cpu_peak_mb": 0.0, "gpu_peak_mb": 0.0}
        return {"cpu_peak_mb": max(r["cpu_memory_mb"] for r in self.records), "gpu_peak_mb": max(r["gpu_memory_allocated_mb"] for r in self.records)}

    def clear(self):
        self.records = []


class track_memory:
    """`with track_memory("data loading"):` prints `[Memory] data loading: CPU +12.0 MB, GPU +0.0 MB`
    (and the CUDA peak) at the end, also when the block raises; a region in the editor."""

    def __init__(self, label: str = "operation", device: int = 0, print_output: bool = True):
        self.label, self.device, self.print_output = label, device, print_output

    def __enter__(self):
        _reset_gpu_peak(self.device)
        self._start = (_cpu_mb(), _gpu_mb(self.device))
        self._region = _report.Region(self.label)
        return None

    def __exit__(self, exc_type, exc_val, exc_tb):
        self._region.finish(exc_val)
        if self.print_output:
            _print_change(self.label, self._start, self.device)
        return False

    def __call__(self, func):
        """As a decorator: each call of func is tracked as a block."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with track_memory(self.label, self.device, self.print_output):
                return func(*args, **kwargs)

        return wrapper


def _print_change(label, start, device):
    _report.echo("[Memory] %s: CPU %+.1f MB, GPU %+.1f MB" % (label, _cpu_mb() - start[0], _gpu_mb(device) - start[1]))
    if _cuda() is not None:
        _report.echo("         Peak GPU: %.1f MB" % _gpu_peak_mb(device))


def monitor_memory(label: Optional[str] = None, device: int = 0, verbose: bool = True):
    """`@monitor_memory("training epoch")`: prints the function's CPU and GPU change after each
    call that returns; a call record (delta, peak inside) in the editor."""

    def decorator(func):
        traced = track(label or func.__name__)(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            _reset_gpu_peak(device)
            start = (_cpu_mb(), _gpu_mb(device))
            result = traced(*args, **kwargs)
            if verbose:
                _print_change(label or func.__name__, start, device)
            return result

        return wrapper

    return decorator


class EpochMemoryMonitor(EpochMonitor):
    """on_epoch_start / on_batch_end / on_epoch_end: prints the first `verbose_batches` batches
    of each epoch and, with CUDA, the epoch's GPU figures; reports every epoch and batch."""

    def __init__(self, enabled: bool = True, verbose_batches: int = 5, device: int = 0):
        EpochMonitor.__init__(self, enabled=enabled, verbose_batches=verbose_batches, print_fn=None)
        self.device = device
        self._batch_count = 0

    def on_epoch_start(self):
        if not self.enabled:
            return
        EpochMonitor.on_epoch_start(self)  # resets the CUDA peaks and reports the epoch
        self._batch_count = 0

    def on_batch_start(self, batch_idx: int):
        if not self.enabled or batch_idx >= self.verbose_batches:
            return
        self._batch_start_gpu = _gpu_mb(self.device)

    def on_batch_end(self, batch_idx: int, loss: Optional[float] = None):
        if not self.enabled:
            return
        EpochMonitor.on_batch_end(self, batch_idx, loss=loss)
        if batch_idx >= self.verbose_batches:
            return
        value = _as_float(loss)
        loss_str = ", loss=%.6f" % value if value is not None else ("" if loss is None else ", loss=%s" % (loss,))
        _report.echo("Batch %s: GPU %.1f MB, CPU %.1f MB%s" % (batch_idx, _gpu_mb(self.device), _cpu_mb(), loss_str))
        self._batch_count = batch_idx + 1

    def on_epoch_end(self):
        if not self.enabled:
            return
        EpochMonitor.on_epoch_end(self)
        if _cuda() is not None:
            _report.echo("Epoch end: GPU %.1f MB allocated, %.1f MB reserved, peak %.1f MB" % (
                _gpu_mb(self.device), _gpu_mb(self.device, reserved=True), _gpu_peak_mb(self.device)))


class BatchMemoryProfiler:
    """Named checkpoints inside a step: GPU memory at each and the change from the previous
    one (`data_loaded → forward: GPU 120.0 MB (+40.0 MB)`); each a checkpoint in the editor."""

    def __init__(self, enabled: bool = True, device: int = 0):
        self.enabled = enabled
        self.device = device
        self.checkpoints = []
        self._last_label = "start"
        self._last_gpu = _gpu_mb(device)

    def checkpoint(self, label: str):
        if not self.enabled:
            return
        _report.checkpoint(label)
        gpu = _gpu_mb(self.device)
        self.checkpoints.append({"label": label, "gpu_mb": gpu, "gpu_delta": gpu - self._last_gpu, "from": self._last_label})
        self._last_label = label
        self._last_gpu = gpu

    def print_summary(self):
        if not self.enabled or not self.checkpoints:
            return
        _report.echo("    Memory profile:")
        for cp in self.checkpoints:
            delta = "%+.1f" % cp["gpu_delta"] if cp["gpu_delta"] != 0 else " 0.0"
            _report.echo("      %s → %s: GPU %.1f MB (%s MB)" % (cp["from"], cp["label"], cp["gpu_mb"], delta))

    def reset(self):
        self.checkpoints = []
        self._last_label = "start"
        self._last_gpu = _gpu_mb(self.device)

    def disable(self):
        self.enabled = False

    def enable(self):
        self.enabled = True
