"""Headroom: tell the Headroom VS Code extension (or a log file) what your program is doing,
and measure, check and free its memory. Standard library only; safe to leave in
production code: with no Headroom listening, reporting calls return at once.

    import headroom
    headroom.checkpoint("after model load")
    with headroom.track("forward"):
        ...
"""
from ._cleanup import CleanupResult, cleanup, force_cleanup
from ._client import diagnostics, enabled, flush
from ._peak import peak_memory
from ._safety import memory_safe_operation, safe_operation
from ._status import check_memory_pressure, get_memory_gb, memory_info, pressure, print_status, status
from ._tracking import Region, checkpoint, monitor_memory, track, track_memory
from ._version import __version__
from .manager import LeakReport, MemoryManager, estimate_image_memory, leak_check, suggest_batch_size
from .sampler import MemoryMonitor, MemoryType, memory_monitor_context
from .training import BatchProfiler, EpochMemoryMonitor, EpochMonitor, MemoryTracker

__all__ = [
    "BatchProfiler", "CleanupResult", "EpochMemoryMonitor", "EpochMonitor", "LeakReport", "MemoryManager", "MemoryMonitor",
    "MemoryTracker", "MemoryType", "Region", "__version__", "check_memory_pressure", "checkpoint", "cleanup", "diagnostics",
    "enabled", "estimate_image_memory", "flush", "force_cleanup", "get_memory_gb", "leak_check", "memory_info",
    "memory_monitor_context", "memory_safe_operation", "monitor_memory", "peak_memory", "pressure", "print_status",
    "safe_operation", "status", "suggest_batch_size", "track", "track_memory",
]
