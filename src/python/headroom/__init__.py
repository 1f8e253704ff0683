"""Headroom: tell the Headroom VS Code extension (or a log file) what your program is doing,
and measure, check and free its memory. Standard library only; safe to leave in
production code: with no Headroom listening, reporting calls return at once.

    import headroom
    headroom.checkpoint("after model load")
    with headroom.track("forward"):
        ...
"""
from ._client import __version__
from .core import (
    CleanupResult,
    Region,
    check_memory_pressure,
    checkpoint,
    cleanup,
    force_cleanup,
    get_memory_gb,
    memory_info,
    memory_safe_operation,
    monitor_memory,
    peak_memory,
    pressure,
    print_status,
    safe_operation,
    status,
    track,
    track_memory,
)
from .manager import LeakReport, MemoryManager, estimate_image_memory, leak_check, suggest_batch_size
from .sampler import MemoryMonitor, MemoryType, memory_monitor_context
from .training import BatchProfiler, EpochMemoryMonitor, EpochMonitor, MemoryTracker


def enabled():
    """True when records go somewhere (HEADROOM_ADDR or HEADROOM_LOG was set)."""
    from ._client import client

    return client() is not None


def flush():
    """Sends what is queued now (normally a background thread does this every 20 ms)."""
    from ._client import client

    c = client()
    if c is not None:
        c.transport.flush()


__all__ = [
    "BatchProfiler", "CleanupResult", "EpochMemoryMonitor", "EpochMonitor", "LeakReport", "MemoryManager", "MemoryMonitor",
    "MemoryTracker", "MemoryType", "Region", "__version__", "check_memory_pressure", "checkpoint", "cleanup", "enabled",
    "estimate_image_memory", "flush", "force_cleanup", "get_memory_gb", "leak_check", "memory_info", "memory_monitor_context",
    "memory_safe_operation", "monitor_memory", "peak_memory", "pressure", "print_status", "safe_operation", "status",
    "suggest_batch_size", "track", "track_memory",
]
