"""The APIs of the memory tools Headroom replaces, name for name, built on Headroom.

Change the import line and keep the calls you already wrote; they print what they printed
and also report to the Headroom window (checkpoints, regions, epochs, cleanups):

    headroom.compat.vlm       from src.testing.utils.memory_monitor import memory_monitor
    headroom.compat.cobra     from batch_processing.memory import MemoryManager
    headroom.compat.training  from src.utils.memory_monitor import MemoryMonitor, MemoryTracker, ...
    headroom.compat.nncf      from memory_monitor import MemoryMonitor, MemoryType, memory_monitor_context
                              python -m headroom.compat.nncf --log-dir DIR command ...

Nothing is imported here, so each module (and `python -m headroom.compat.nncf`) loads alone.
"""
