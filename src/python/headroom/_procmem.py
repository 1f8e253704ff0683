"""Process and system memory, cheaply, with the standard library only.

Linux reads /proc with a kept-open file and os.pread (one syscall per reading); the files
are re-opened after fork(), because /proc/self was resolved when the parent opened them.
macOS and Windows go through ctypes.
"""
import ctypes
import ctypes.util
import os
import sys

LINUX = sys.platform.startswith("linux")
MACOS = sys.platform == "darwin"
WINDOWS = sys.platform == "win32"

try:
    PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):
    PAGE = 4096

_fds = {}


def _reset_after_fork():
    for fd in _fds.values():
        try:
            os.close(fd)
        except OSError:
            pass
    _fds.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _pread(path, size=4096):
    fd = _fds.get(path)
    if fd is None:
        fd = os.open(path, os.O_RDONLY)
        _fds[path] = fd
    return os.pread(fd, size, 0)


def rss_vms():
    """(rss, vms) of this process in bytes."""
    if LINUX:
        parts = _pread("/proc/self/statm", 256).split(None, 2)
        return int(parts[1]) * PAGE, int(parts[0]) * PAGE
    if MACOS:
        return _mac_rss_vms()
    if WINDOWS:
        return _win_rss_vms()
    import resource  # last resort: peak, not current

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak * (1 if MACOS else 1024), 0


def _kb_fields(text, keys):
    out = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in keys:
            out[key] = int(rest.split()[0]) * 1024
    return out


def status_field(key):
    """A kB field of /proc/self/status (VmHWM, VmRSS, ...) in bytes, or None."""
    if not LINUX:
        return None
    with open("/proc/self/status", "rb") as f:
        return _kb_fields(f.read().decode("ascii", "replace"), {key}).get(key)


def reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux 4.0+); False where not allowed."""
    if not LINUX:
        return False
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss():
    """Highest RSS since start (or the last reset), bytes."""
    if LINUX:
        v = status_field("VmHWM")
        if v is not None:
            return v
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if MACOS else peak * 1024
    except ImportError:
        return rss_vms()[0]


def system_memory():
    """dict(total, available, used, percent) in bytes, or None where unknown."""
    if LINUX:
        m = _kb_fields(_pread("/proc/meminfo", 8192).decode("ascii", "replace"), {"MemTotal", "MemAvailable", "MemFree"})
        total = m.get("MemTotal")
        if not total:
            return None
        avail = m.get("MemAvailable", m.get("MemFree", 0))
    elif WINDOWS:
        total, avail = _win_system()
    else:
        try:
            import psutil  # optional: used when the user has it

            vm = psutil.virtual_memory()
            total, avail = vm.total, vm.available
        except Exception:
            try:
                total = os.sysconf("SC_PHYS_PAGES") * PAGE
            except (ValueError, OSError, AttributeError):
                return None
            avail = None
    if avail is None:
        return {"total": total, "available": None, "used": None, "percent": None}
    used = total - avail
    return {"total": total, "available": avail, "used": used, "percent": 100.0 * used / total}


def cgroup_limit():
    """(limit, usage) of this process's cgroup memory limit in bytes, or None (Linux)."""
    if not LINUX:
        return None
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    best = None
    for line in lines:
        hid, controllers, path = line.split(":", 2)
        if hid == "0" and controllers == "":
            base = "/sys/fs/cgroup" if os.path.exists("/sys/fs/cgroup/cgroup.controllers") else "/sys/fs/cgroup/unified"
            files = ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):
            base, files = "/sys/fs/cgroup/memory", ("memory.limit_in_bytes", "memory.usage_in_bytes")
        else:
            continue
        rel = path
        while True:
            d = base + (rel if rel != "/" else "")
            try:
                with open(os.path.join(d, files[0])) as f:
                    raw = f.read().strip()
                if raw != "max" and 0 < int(raw) < 2 ** 62:
                    with open(os.path.join(d, files[1])) as f:
                        usage = int(f.read().strip())
                    if best is None or int(raw) < best[0]:
                        best = (int(raw), usage)
            except (OSError, ValueError):
                pass
            if rel in ("/", ""):
                break
            rel = rel.rsplit("/", 1)[0] or "/"
    return best


def tree_rss(pid):
    """RSS of a process and all its descendants, bytes (Linux; elsewhere the process only)."""
    if not LINUX:
        return rss_vms()[0] if pid == os.getpid() else 0
    total = 0
    stack = [pid]
    seen = set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open("/proc/%d/statm" % p, "rb") as f:
                total += int(f.read().split()[1]) * PAGE
            for tid in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/children" % (p, tid), "rb") as f:
                    stack.extend(int(x) for x in f.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


# --- macOS: mach task_info --------------------------------------------------------------
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


_libc = None


def _mac_rss_vms():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c"))
    info = _MachTaskBasicInfo()
    count = ctypes.c_uint(ctypes.sizeof(info) // 4)
    task = _libc.mach_task_self()
    if _libc.task_info(task, 20, ctypes.byref(info), ctypes.byref(count)) != 0:  # MACH_TASK_BASIC_INFO
        return 0, 0
    return int(info.resident_size), int(info.virtual_size)


# --- Windows: psapi / kernel32 ----------------------------------------------------------
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


def _win_rss_vms():
    c = _ProcessMemoryCounters()
    c.cb = ctypes.sizeof(c)
    k32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    ctypes.windll.psapi.GetProcessMemoryInfo(k32.GetCurrentProcess(), ctypes.byref(c), c.cb)  # type: ignore[attr-defined]
    return int(c.WorkingSetSize), int(c.PagefileUsage)


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


def _win_system():
    s = _MemoryStatusEx()
    s.dwLength = ctypes.sizeof(s)
    ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(s))  # type: ignore[attr-defined]
    return int(s.ullTotalPhys), int(s.ullAvailPhys)
