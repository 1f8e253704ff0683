"""Memory now: readings, a one-line status, and whether the program is under pressure."""
from . import _devices, _procmem
from ._format import format_bytes, format_pair, format_percent

GB = 1024 ** 3


def memory_info():
    """rss, vms, percent (of system), available (bytes), gb figures, cgroup limit, devices."""
    rss, vms = _procmem.rss_vms()
    sysm = _procmem.system_memory() or {}
    cg = _procmem.cgroup_limit()
    info = {
        "rss": rss,
        "vms": vms,
        "rss_gb": rss / GB,
        "vms_gb": vms / GB,
        "percent": sysm.get("percent"),
        "available": sysm.get("available"),
        "available_gb": (sysm["available"] / GB) if sysm.get("available") is not None else None,
        "total": sysm.get("total"),
        "cgroup_limit": cg[0] if cg else None,
        "cgroup_usage": cg[1] if cg else None,
        "devices": _devices.device_memory(),
    }
    return info


def get_memory_gb():
    """Process RSS in GB (seed 000)."""
    return _procmem.rss_vms()[0] / GB


def status(label=None):
    """One line: `[label] Memory: 2.45 GB RSS, 15% used, 13.6 GB available | cuda:0 1.20 GB alloc / 2.00 GB reserved`,
    in the editor's units and rounding (decimal GB; seed 000's exact line is its compat module's)."""
    i = memory_info()
    parts = ["%s RSS" % format_bytes(i["rss"])]
    if i["percent"] is not None:
        parts.append("%s used" % format_percent(i["percent"]))
    if i["available"] is not None:
        parts.append("%s available" % format_bytes(i["available"]))
    if i["cgroup_limit"]:
        parts.append("cgroup %s" % format_pair(i["cgroup_usage"], i["cgroup_limit"]))
    line = "Memory: " + ", ".join(parts)
    for d in i["devices"]:
        if d["kind"] == "cuda":
            line += " | cuda:%d %s alloc / %s reserved" % (d["index"], format_bytes(d["allocated"]), format_bytes(d["reserved"]))
        elif d["kind"] == "mps":
            line += " | mps %s" % format_bytes(d["current"])
        elif d["kind"] == "mlx":
            line += " | mlx %s active" % format_bytes(d["active"])
    return ("[%s] " % label if label else "") + line


def print_status(label=None):
    """Prints `status(label)` (seed 000's print_memory_status)."""
    print("📊 " + status(label), flush=True)


def pressure(threshold_gb=None, fraction=None):
    """True when under memory pressure.

    threshold_gb: this process's RSS is above it. fraction: the memory that can kill the job
    (the cgroup limit when there is one, else the system) is fuller than this (0..1).
    With neither, fraction=0.9.
    """
    if threshold_gb is not None and _procmem.rss_vms()[0] / GB > threshold_gb:
        return True
    if threshold_gb is not None and fraction is None:
        return False
    fraction = 0.9 if fraction is None else fraction
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1], got %r" % (fraction,))
    cg = _procmem.cgroup_limit()
    if cg:
        return cg[1] / cg[0] > fraction
    s = _procmem.system_memory()
    return bool(s and s.get("percent") is not None and s["percent"] / 100.0 > fraction)


check_memory_pressure = pressure
