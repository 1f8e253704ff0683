"""cgroup memory limits, parsed without touching the file system (text in, values out).

`memory_files` turns /proc/self/cgroup into the limit and usage files to look at, from the
process's own cgroup up to the root of each hierarchy (v1 `memory` controller, v2 unified).
`tightest` takes the texts read from them and returns the smallest real limit with its usage.
"""
import posixpath

V1_BASE = "/sys/fs/cgroup/memory"
V1_FILES = ("memory.limit_in_bytes", "memory.usage_in_bytes")
V2_FILES = ("memory.max", "memory.current")
UNLIMITED = 2 ** 62  # v1 reports "no limit" as a huge number (PAGE_COUNTER_MAX pages)


def memory_files(proc_self_cgroup, unified_base):
    """[(limit path, usage path)] for each cgroup level that can limit this process's memory.

    proc_self_cgroup: the text of /proc/self/cgroup. unified_base: where the v2 hierarchy is
    mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid v1 system).
    """
    out = []
    for line in proc_self_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hid, controllers, path = parts
        if hid == "0" and controllers == "":
            base, files = unified_base, V2_FILES
        elif "memory" in controllers.split(","):
            base, files = V1_BASE, V1_FILES
        else:
            continue
        rel = path
        while True:
            d = base + (rel if rel != "/" else "")
            out.append((posixpath.join(d, files[0]), posixpath.join(d, files[1])))
            if rel in ("/", ""):
                break
            rel = rel.rsplit("/", 1)[0] or "/"
    return out


def parse_limit(text):
    """Bytes of a memory.max / memory.limit_in_bytes text, or None for no limit or not a number."""
    raw = text.strip()
    if raw == "max":
        return None
    try:
        v = int(raw)
    except ValueError:
        return None
    return v if 0 < v < UNLIMITED else None


def parse_usage(text):
    """Bytes of a memory.current / memory.usage_in_bytes text, or None."""
    try:
        return int(text.strip())
    except ValueError:
        return None


def tightest(readings):
    """(limit, usage) of the smallest limit among [(limit text, usage text or None)], or None."""
    best = None
    for limit_text, usage_text in readings:
        limit = parse_limit(limit_text)
        if limit is None or usage_text is None:
            continue
        usage = parse_usage(usage_text)
        if usage is None:
            continue
        if best is None or limit < best[0]:
            best = (limit, usage)
    return best
