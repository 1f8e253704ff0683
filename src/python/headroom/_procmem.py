"""Process and system memory, cheaply, with the standard library only.

One implementation per platform, chosen once at import (as psutil does); every reading
below is that module's own function, so a call costs no platform test:

    rss_vms()        (rss, vms) of this process, bytes
    hwm()            the peak RSS that reset_peak_rss() resets, or None where there is none
    reset_peak_rss() True when the peak was reset (Linux 4.0+)
    peak_rss()       highest RSS since start or the last reset, bytes
    system_memory()  dict(total, available, used, percent), or None
    cgroup_limit()   (limit, usage) of the tightest cgroup memory limit, or None
    tree_rss(pid)    RSS of a process and its descendants (elsewhere than Linux: itself only)
"""
import sys

INTERFACE = ("rss_vms", "hwm", "reset_peak_rss", "peak_rss", "system_memory", "cgroup_limit", "tree_rss")


def platform_name(platform):
    """Which implementation serves a sys.platform value: linux, darwin, windows or other."""
    if platform.startswith("linux"):
        return "linux"
    if platform == "darwin":
        return "darwin"
    if platform == "win32":
        return "windows"
    return "other"


PLATFORM = platform_name(sys.platform)

if PLATFORM == "linux":
    from . import _procmem_linux as impl
elif PLATFORM == "darwin":
    from . import _procmem_darwin as impl
elif PLATFORM == "windows":
    from . import _procmem_windows as impl
else:
    from . import _procmem_other as impl

rss_vms = impl.rss_vms
hwm = impl.hwm
reset_peak_rss = impl.reset_peak_rss
peak_rss = impl.peak_rss
system_memory = impl.system_memory
cgroup_limit = impl.cgroup_limit
tree_rss = impl.tree_rss
