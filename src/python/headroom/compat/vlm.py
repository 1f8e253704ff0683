"""The VLM testing utilities' memory monitor (seed 000), name for name, built on Headroom.

    from headroom.compat.vlm import memory_monitor      # was: from src.testing.utils.memory_monitor import memory_monitor

    memory_monitor.print_memory_status("Before Model Load")
    # 📊 [Before Model Load] Memory: 2.45GB RSS, 15.3% used, 13.55GB available
    with memory_monitor.memory_safe_operation("large_inference", threshold_gb=12.0):
        result = model.predict(large_dataset)

Prints the same lines. In a Headroom window, each memory reading is also a checkpoint on its
line, force_cleanup() is a cleanup (freed bytes per kind) and each memory-safe operation a
region (delta, peak inside). "% used" is this process's RSS as a share of physical memory,
as psutil's memory_percent() gives it. Unlike the original, nothing here sleeps or imports
torch or MLX: their caches are emptied only when the program already uses them.
"""
from typing import Optional

from .. import _procmem
from .._cleanup import cleanup
from . import _report

__all__ = ["DEFAULT_CLEANUP_THRESHOLD", "DEFAULT_MEMORY_THRESHOLD", "MemoryMonitor", "MemorySafeContext", "memory_monitor"]

GB = 1024 ** 3
DEFAULT_MEMORY_THRESHOLD = 12.0  # GB of RSS that counts as memory pressure
DEFAULT_CLEANUP_THRESHOLD = 2.0  # GB of growth inside a memory-safe operation that triggers a cleanup afterwards

# What headroom.cleanup() reports doing -> the lines the original printed for it.
_CLEARED = (
    ("torch.mps", ("  🔧 MPS cache cleared",)),
    ("torch.cuda", ("  🔧 CUDA cache cleared",)),
    ("mlx", ("  🔧 MLX Metal cache cleared", "  🔧 MLX memory cleared")),
)


def _threshold(value, name="threshold_gb"):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("%s must be a number of GB, got %r" % (name, value))
    return value


def _rss_gb():
    return _procmem.rss_vms()[0] / GB


def _info():
    rss, vms = _procmem.rss_vms()
    system = _procmem.system_memory() or {}
    total, available = system.get("total"), system.get("available")
    return {
        "rss_gb": rss / GB,
        "vms_gb": vms / GB,
        "percent": 100.0 * rss / total if total else 0.0,
        "available_gb": available / GB if available is not None else 0.0,
    }


def _status_line(label):
    info = _info()
    prefix = "[%s] " % label if label else ""
    return "📊 %sMemory: %.2fGB RSS, %.1f%% used, %.2fGB available" % (prefix, info["rss_gb"], info["percent"], info["available_gb"])


class MemoryMonitor:
    """Memory readings, cleanup and memory-safe operations for one process."""

    def __init__(self):
        self.baseline_memory = _rss_gb()

    def get_memory_gb(self) -> float:
        """This process's RSS in GB."""
        _report.checkpoint()
        return _rss_gb()

    def get_memory_info(self) -> dict:
        """rss_gb, vms_gb, percent (RSS / physical memory) and available_gb (the system's)."""
        _report.checkpoint()
        return _info()

    def print_memory_status(self, label: str = ""):
        """Prints `📊 [label] Memory: 2.45GB RSS, 15.3% used, 13.55GB available`."""
        _report.checkpoint(label or None)
        _report.echo(_status_line(label))

    def force_cleanup(self, model_name: Optional[str] = None):
        """gc, malloc_trim, and the CUDA/MPS/MLX caches the program uses; prints what it cleared."""
        _report.echo("🧹 Force cleanup for %s..." % (model_name or "unknown model"))
        result = cleanup(reason=model_name or "force_cleanup")
        for prefix, lines in _CLEARED:
            if any(a.startswith(prefix) for a in result.actions):
                for line in lines:
                    _report.echo(line)
        for error in result.errors:
            if error.startswith("mlx"):
                _report.echo("  ⚠️ MLX cleanup warning: %s" % error.split(": ", 1)[-1])
        _report.echo("✅ Force cleanup completed")

    def check_memory_pressure(self, threshold_gb: float = DEFAULT_MEMORY_THRESHOLD) -> bool:
        """True (and a warning line) when this process's RSS is above threshold_gb."""
        _report.checkpoint()
        return self._pressure(threshold_gb)

    def _pressure(self, threshold_gb):
        current = _rss_gb()
        if current > _threshold(threshold_gb):
            _report.echo("⚠️ Memory pressure detected: %.2fGB > %sGB" % (current, threshold_gb))
            return True
        return False

    def memory_safe_operation(self, operation_name: str, threshold_gb: float = DEFAULT_MEMORY_THRESHOLD):
        """A MemorySafeContext: `with memory_monitor.memory_safe_operation("inference"): ...`."""
        return MemorySafeContext(self, operation_name, threshold_gb)


class MemorySafeContext:
    """Cleans up first when under pressure, reports the memory change, and cleans up after a
    growth of more than DEFAULT_CLEANUP_THRESHOLD GB. Exceptions inside pass through."""

    def __init__(self, monitor: MemoryMonitor, operation_name: str, threshold_gb: float):
        self.monitor = monitor
        self.operation_name = operation_name
        self.threshold_gb = _threshold(threshold_gb)
        self.start_memory = None
        self._region = None

    def __enter__(self):
        self.start_memory = _rss_gb()
        _report.echo(_status_line("Before %s" % self.operation_name))
        if self.monitor._pressure(self.threshold_gb):
            self.monitor.force_cleanup(self.operation_name)
        self._region = _report.Region(self.operation_name)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if self._region is not None:
            self._region.finish(exc_val)
        end_memory = _rss_gb()
        memory_diff = end_memory - self.start_memory
        _report.echo(_status_line("After %s" % self.operation_name))
        _report.echo("📈 Memory change: %+.2fGB" % memory_diff)
        if memory_diff > DEFAULT_CLEANUP_THRESHOLD:
            _report.echo("⚠️ Large memory increase detected, forcing cleanup...")
            self.monitor.force_cleanup(self.operation_name)
            _report.echo("📉 Memory after cleanup: %.2fGB" % _rss_gb())


# The global instance the original module exposes.
memory_monitor = MemoryMonitor()
