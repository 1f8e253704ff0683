"""What the per-platform memory readers share: the page size and the system figures."""
import os

from . import _diagnostics

try:
    PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):
    PAGE = 4096


def system_figures(total, avail):
    """The dict system_memory() returns, from total and available bytes (avail may be None)."""
    if avail is None:
        return {"total": total, "available": None, "used": None, "percent": None}
    used = total - avail
    return {"total": total, "available": avail, "used": used, "percent": 100.0 * used / total}


def portable_system_memory():
    """psutil when the user has it, else the physical memory from sysconf (no available figure)."""
    try:
        import psutil  # optional: used when the user has it

        vm = psutil.virtual_memory()
        return system_figures(vm.total, vm.available)
    except ImportError:
        pass
    except Exception as e:
        _diagnostics.note("psutil", e)
    try:
        total = os.sysconf("SC_PHYS_PAGES") * PAGE
    except (ValueError, OSError, AttributeError):
        return None
    return system_figures(total, None)


def own_rss_only(rss_vms):
    """tree_rss for platforms that cannot list children: this process, or 0 for another."""

    def tree_rss(pid):
        return rss_vms()[0] if pid == os.getpid() else 0

    return tree_rss


def hwm():
    """No resettable high-water mark on this platform."""
    return None


def reset_peak_rss():
    """Nothing to reset where there is no resettable high-water mark."""
    return False


def ru_maxrss_peak(scale, fallback):
    """peak_rss() from getrusage: ru_maxrss times `scale` (bytes on macOS, kB elsewhere)."""

    def peak_rss():
        """Highest RSS since start, bytes."""
        try:
            import resource
        except ImportError:
            return fallback()[0]
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale

    return peak_rss
