"""Other POSIX systems: the resource module only (its peak stands in for the current RSS)."""
from ._procmem_common import own_rss_only, portable_system_memory


def rss_vms():
    """(peak rss, 0): the last resort, ru_maxrss in kB, no vms figure."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, 0


def hwm():
    return None


def reset_peak_rss():
    return False


def peak_rss():
    """Highest RSS since start, bytes."""
    try:
        import resource
    except ImportError:
        return rss_vms()[0]
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


system_memory = portable_system_memory


def cgroup_limit():
    return None


tree_rss = own_rss_only(rss_vms)
