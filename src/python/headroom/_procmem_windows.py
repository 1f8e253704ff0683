"""Windows: psapi GetProcessMemoryInfo and kernel32 GlobalMemoryStatusEx through ctypes."""
import ctypes

from ._procmem_common import hwm, own_rss_only, reset_peak_rss, system_figures


class _ProcessMemoryCounters(ctypes.Structure):
    _fields_ = [
        ("cb", ctypes.c_ulong),
        ("PageFaultCount", ctypes.c_ulong),
        ("PeakWorkingSetSize", ctypes.c_size_t),
        ("WorkingSetSize", ctypes.c_size_t),
        ("QuotaPeakPagedPoolUsage", ctypes.c_size_t),
        ("QuotaPagedPoolUsage", ctypes.c_size_t),
        ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t),
        ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
        ("PagefileUsage", ctypes.c_size_t),
        ("PeakPagefileUsage", ctypes.c_size_t),
    ]


class _MemoryStatusEx(ctypes.Structure):
    _fields_ = [
        ("dwLength", ctypes.c_ulong),
        ("dwMemoryLoad", ctypes.c_ulong),
        ("ullTotalPhys", ctypes.c_ulonglong),
        ("ullAvailPhys", ctypes.c_ulonglong),
        ("ullTotalPageFile", ctypes.c_ulonglong),
        ("ullAvailPageFile", ctypes.c_ulonglong),
        ("ullTotalVirtual", ctypes.c_ulonglong),
        ("ullAvailVirtual", ctypes.c_ulonglong),
        ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
    ]


def _counters():
    """This process's PROCESS_MEMORY_COUNTERS."""
    c = _ProcessMemoryCounters()
    c.cb = ctypes.sizeof(c)
    k32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    ctypes.windll.psapi.GetProcessMemoryInfo(k32.GetCurrentProcess(), ctypes.byref(c), c.cb)  # type: ignore[attr-defined]
    return c


def rss_vms():
    """(working set, pagefile usage) of this process in bytes."""
    c = _counters()
    return int(c.WorkingSetSize), int(c.PagefileUsage)


def peak_rss():
    """The peak working set of this process, bytes."""
    return int(_counters().PeakWorkingSetSize)


def system_memory():
    """dict(total, available, used, percent) in bytes."""
    s = _MemoryStatusEx()
    s.dwLength = ctypes.sizeof(s)
    ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(s))  # type: ignore[attr-defined]
    return system_figures(int(s.ullTotalPhys), int(s.ullAvailPhys))


def cgroup_limit():
    return None


tree_rss = own_rss_only(rss_vms)
