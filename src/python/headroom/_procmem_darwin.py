"""macOS: mach task_info through ctypes; system figures from psutil or sysconf."""
import ctypes
import ctypes.util

from ._procmem_common import hwm, own_rss_only, portable_system_memory, reset_peak_rss, ru_maxrss_peak


class _MachTaskBasicInfo(ctypes.Structure):
    _fields_ = [
        ("virtual_size", ctypes.c_uint64),
        ("resident_size", ctypes.c_uint64),
        ("resident_size_max", ctypes.c_uint64),
        ("user_time", ctypes.c_uint64),
        ("system_time", ctypes.c_uint64),
        ("policy", ctypes.c_int),
        ("suspend_count", ctypes.c_int),
    ]


MACH_TASK_BASIC_INFO = 20
_libc = None


def rss_vms():
    """(rss, vms) of this process in bytes."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c"))
    info = _MachTaskBasicInfo()
    count = ctypes.c_uint(ctypes.sizeof(info) // 4)
    task = _libc.mach_task_self()
    if _libc.task_info(task, MACH_TASK_BASIC_INFO, ctypes.byref(info), ctypes.byref(count)) != 0:
        return 0, 0
    return int(info.resident_size), int(info.virtual_size)


# ru_maxrss is in bytes on macOS.
peak_rss = ru_maxrss_peak(1, rss_vms)

system_memory = portable_system_memory


def cgroup_limit():
    return None


tree_rss = own_rss_only(rss_vms)
