"""Allocator figures from the ML frameworks the program already uses.

Nothing here imports torch or mlx, or initialises CUDA: a framework counts only if it is
already in sys.modules, and CUDA only once the program has initialised it.
"""
import sys

from . import _diagnostics


def _torch():
    return sys.modules.get("torch")


def _mlx():
    return sys.modules.get("mlx.core")


def cuda_ready(torch=None):
    torch = torch or _torch()
    try:
        return torch is not None and torch.cuda.is_initialized()
    except Exception as e:
        _diagnostics.note("cuda-ready", e)
        return False


def mps_ready(torch=None):
    torch = torch or _torch()
    try:
        return torch is not None and hasattr(torch, "mps") and torch.backends.mps.is_available()
    except Exception as e:
        _diagnostics.note("mps-ready", e)
        return False


def mlx_fn(mx, name):
    fn = getattr(mx, name, None)  # mlx >= 0.24 moved these to the top level
    if fn is None and hasattr(mx, "metal"):
        fn = getattr(mx.metal, name, None)
    return fn


def device_memory():
    """Per-device allocator figures as protocol `DeviceMemory` dicts (bytes)."""
    out = []
    torch = _torch()
    if torch is not None:
        if cuda_ready(torch):
            try:
                c = torch.cuda
                for i in range(c.device_count()):
                    out.append({
                        "kind": "cuda",
                        "index": i,
                        "allocated": c.memory_allocated(i),
                        "reserved": c.memory_reserved(i),
                        "max_allocated": c.max_memory_allocated(i),
                        "max_reserved": c.max_memory_reserved(i),
                    })
            except Exception as e:
                _diagnostics.note("cuda-memory", e)
        if mps_ready(torch):
            try:
                out.append({"kind": "mps", "index": 0, "current": torch.mps.current_allocated_memory(), "driver": torch.mps.driver_allocated_memory()})
            except Exception as e:
                _diagnostics.note("mps-memory", e)
    mx = _mlx()
    if mx is not None:
        try:
            active = mlx_fn(mx, "get_active_memory")
            if active is not None:
                cache = mlx_fn(mx, "get_cache_memory")
                peak = mlx_fn(mx, "get_peak_memory")
                out.append({"kind": "mlx", "index": 0, "active": active(), "cache": cache() if cache else None, "peak": peak() if peak else None})
        except Exception as e:
            _diagnostics.note("mlx-memory", e)
    return out


def device_info():
    """Devices for the hello record: kind, index, name, total bytes (only initialised ones)."""
    out = []
    torch = _torch()
    if cuda_ready(torch):
        try:
            for i in range(torch.cuda.device_count()):
                p = torch.cuda.get_device_properties(i)
                out.append({"kind": "cuda", "index": i, "name": p.name, "total": p.total_memory})
        except Exception as e:
            _diagnostics.note("cuda-info", e)
    if mps_ready(torch):
        try:
            total = torch.mps.recommended_max_memory() if hasattr(torch.mps, "recommended_max_memory") else None
        except Exception as e:
            _diagnostics.note("mps-info", e)
            total = None
        out.append({"kind": "mps", "index": 0, "name": "Apple GPU (MPS)", "total": total})
    return out


def frameworks():
    """Versions of the ML frameworks already imported."""
    found = {}
    for name, mod in (("torch", "torch"), ("mlx", "mlx.core"), ("numpy", "numpy"), ("jax", "jax"), ("tensorflow", "tensorflow")):
        m = sys.modules.get(mod)
        if m is not None:
            found[name] = str(getattr(m, "__version__", None) or getattr(sys.modules.get(name), "__version__", "?"))
    return found


def reset_device_peaks():
    torch = _torch()
    if cuda_ready(torch):
        try:
            for i in range(torch.cuda.device_count()):
                torch.cuda.reset_peak_memory_stats(i)
        except Exception as e:
            _diagnostics.note("cuda-reset-peaks", e)
    mx = _mlx()
    if mx is not None:
        fn = mlx_fn(mx, "reset_peak_memory")
        if fn is not None:
            try:
                fn()
            except Exception as e:
                _diagnostics.note("mlx-reset-peaks", e)
