"""Other POSIX systems: the resource module only (its peak stands in for the current RSS)."""
from ._procmem_common import hwm, own_rss_only, portable_system_memory, reset_peak_rss, ru_maxrss_peak


def rss_vms():
    """(peak rss, 0): the last resort, ru_maxrss in kB, no vms figure."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, 0


peak_rss = ru_maxrss_peak(1024, rss_vms)

system_memory = portable_system_memory


def cgroup_limit():
    return None


tree_rss = own_rss_only(rss_vms)
