"""Linux: /proc and cgroup files.

Hot readings use a kept-open file and os.pread (one syscall each); the files are re-opened
after fork(), because /proc/self was resolved when the parent opened them.
"""
import os

from . import _cgroup
from ._procmem_common import PAGE, system_figures

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


def _read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def kb_fields(text, keys):
    """The `Key: N kB` lines of /proc/self/status or /proc/meminfo named in keys, in bytes."""
    out = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in keys:
            out[key] = int(rest.split()[0]) * 1024
    return out


def rss_vms():
    """(rss, vms) of this process in bytes."""
    parts = _pread("/proc/self/statm", 256).split(None, 2)
    return int(parts[1]) * PAGE, int(parts[0]) * PAGE


def hwm():
    """VmHWM: the peak RSS that reset_peak_rss() resets, bytes (None if absent)."""
    with open("/proc/self/status", "rb") as f:
        return kb_fields(f.read().decode("ascii", "replace"), {"VmHWM"}).get("VmHWM")


def reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux 4.0+); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss():
    """Highest RSS since start (or the last reset), bytes."""
    v = hwm()
    if v is not None:
        return v
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def system_memory():
    """dict(total, available, used, percent) in bytes, or None where unknown."""
    m = kb_fields(_pread("/proc/meminfo", 8192).decode("ascii", "replace"), {"MemTotal", "MemAvailable", "MemFree"})
    total = m.get("MemTotal")
    if not total:
        return None
    return system_figures(total, m.get("MemAvailable", m.get("MemFree", 0)))


def cgroup_limit(root=""):
    """(limit, usage) of this process's tightest cgroup memory limit in bytes, or None.
    `root` prefixes every path read (a captured tree, in the tests)."""
    text = _read_text(root + "/proc/self/cgroup")
    if text is None:
        return None
    unified = "/sys/fs/cgroup" if os.path.exists(root + "/sys/fs/cgroup/cgroup.controllers") else "/sys/fs/cgroup/unified"
    readings = []
    for limit_path, usage_path in _cgroup.memory_files(text, unified):
        limit = _read_text(root + limit_path)
        # The usage file is read only where there is a limit to weigh it against.
        if limit is not None and _cgroup.parse_limit(limit) is not None:
            readings.append((limit, _read_text(root + usage_path)))
    return _cgroup.tightest(readings)


def tree_rss(pid):
    """RSS of a process and all its descendants, bytes."""
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
