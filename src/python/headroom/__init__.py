"""Headroom: tell the Headroom VS Code extension (or a log file) what your program is doing,
and measure, check and free its memory. Standard library only; safe to leave in
production code: with no Headroom listening, reporting calls return at once.

    import headroom
    headroom.checkpoint("after model load")
    with headroom.track("forward"):
        ...
    with headroom.track("step", reset_peaks=True):   # this block's own CUDA peak, not the run's
        ...

Where records go: HEADROOM_ADDR (+ HEADROOM_TOKEN), set by Headroom in the programs it
launches and in a window's terminals; or HEADROOM_LOG=path.ndjson. With neither, the first
reporting call looks once for the connection file of the VS Code window whose workspace
folder holds the program (its working directory or main script) and reports there; a
program outside every workspace never connects. HEADROOM=off (or HEADROOM_DISABLE=1) turns
all of it off.

    headroom.connect()                       # look now (even under HEADROOM=off); True when connected
    headroom.connect("unix:/run/.../hr.sock", token)   # or connect to a given listener

From a shell outside VS Code: eval "$(python -m headroom env)".

Where did the memory go: allocation sites (tracemalloc, started on request; its overhead is
measured and reported) and live tensors, sent to Headroom and returned:

    headroom.trace_allocations()                      # start tracing now (else the first snapshot does)
    headroom.checkpoint("epoch 1", allocations=True)  # top lines by bytes, and what grew since the last
    headroom.allocations("after load", top=20)        # the same, anywhere
    headroom.tensors()                                # parameters, gradients, optimizer state, the rest
    headroom.cuda_allocations(save="snap.pickle")     # the CUDA allocator's own history, reduced

In a Jupyter kernel, `%load_ext headroom` (or `headroom.notebook(verbose=True)`) reports every
cell run: its delta, peak, framework figures and duration, and which cell it was.
"""
from ._alloc import allocations, cuda_allocations, trace_allocations
from ._tensors import tensors
from ._cleanup import CleanupResult, cleanup, force_cleanup
from ._connection import connect, diagnostics, enabled, flush
from ._notebook import load_ipython_extension, notebook, unload_ipython_extension
from ._peak import peak_memory, reset_peaks
from ._safety import memory_safe_operation, safe_operation
from ._status import check_memory_pressure, get_memory_gb, memory_info, pressure, print_status, status
from ._tracking import Region, checkpoint, monitor_memory, track, track_memory
from . import _oom, _tracking
from ._version import __version__
from .manager import LeakReport, MemoryManager, estimate_image_memory, leak_check, suggest_batch_size
from .sampler import MemoryMonitor, MemoryType, memory_monitor_context
from .training import BatchProfiler, EpochMemoryMonitor, EpochMonitor, MemoryTracker

# An out-of-memory error that ends the program is reported with the allocator's state (docs/protocol.md, `oom`).
_oom.install(_tracking.last_checkpoint)

__all__ = [
    "BatchProfiler", "CleanupResult", "EpochMemoryMonitor", "EpochMonitor", "LeakReport", "MemoryManager", "MemoryMonitor",
    "MemoryTracker", "MemoryType", "Region", "__version__", "allocations", "check_memory_pressure", "checkpoint", "cleanup", "connect", "cuda_allocations", "diagnostics",
    "enabled", "estimate_image_memory", "flush", "force_cleanup", "get_memory_gb", "leak_check", "load_ipython_extension", "memory_info",
    "memory_monitor_context", "memory_safe_operation", "monitor_memory", "notebook", "peak_memory", "pressure", "print_status",
    "reset_peaks", "safe_operation", "status", "suggest_batch_size", "tensors", "trace_allocations", "track", "track_memory", "unload_ipython_extension",
]
