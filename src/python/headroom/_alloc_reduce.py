"""A tracemalloc snapshot reduced to what a person reads: the top allocation sites (bytes and
blocks per line, with a short traceback), what grew since an earlier snapshot, and a record
that fits well under the protocol's line limit. Pure: no I/O, no tracing of its own; `_alloc`
takes the snapshots and sends the records.

A site is the innermost line of the program's own code in an allocation's traceback: the line
that allocated, or that called the library that did (numpy reports its buffers to tracemalloc,
and they land on the line that called np.ones; `via` names the package). An allocation with no
frame of the program's (an import, a library's thread) stays on the library's line, with its
package's name; those sites come after the program's own, grouped by package.
"""
import json
import os
import sysconfig

from .protocol import MAX_LINE_BYTES

# Well under the 1 MiB line limit: a snapshot record is one of many on the connection, and the
# listener buffers whole lines.
DEFAULT_LIMIT = 256 * 1024
MAX_TRACEBACK = 5
MAX_TEXT = 1000  # one file name or label; a longer one is cut (hostile or generated paths)

_PKG_MARKERS = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)
_STDLIB = tuple(p + os.sep for p in {sysconfig.get_paths().get("stdlib"), sysconfig.get_paths().get("platstdlib")} if p)


class TooLarge(ValueError):
    """A record that cannot be brought under the limit: refused, never sent."""


def text(s):
    s = str(s)
    return s if len(s) <= MAX_TEXT else s[: MAX_TEXT - 1] + "\u2026"


def package_of(path, _cache={}):
    """The package a file belongs to: the folder under site-packages, 'python' for the standard
    library, None for the program's own code."""
    p = _cache.get(path)
    if p is None:
        p = ""
        for marker in _PKG_MARKERS:
            i = path.rfind(marker)
            if i >= 0:
                head = path[i + len(marker):].split(os.sep, 1)[0]
                p = head[:-3] if head.endswith(".py") else head
                break
        else:
            if path.startswith(_STDLIB) or path.startswith("<frozen "):
                p = "python"
        _cache[path] = p
    return p or None


def group_traces(raw_traces):
    """{traceback tuple (innermost first): [bytes, blocks]} from tracemalloc's raw traces.

    This runs while tracing is on, and every allocation it makes is traced (a traceback
    captured, a table updated): summing in the loop would allocate an int per trace and cost
    ~2 us per block. Appending the sizes the traces already hold allocates almost nothing, and
    sum() adds them in C without making an int per step: about 20 times faster on 1M blocks."""
    groups = {}
    get = groups.get
    for trace in raw_traces:  # (domain, size, traceback[, total_nframe since 3.9])
        sizes_ = get(trace[2])
        if sizes_ is None:
            groups[trace[2]] = [trace[1]]
        else:
            sizes_.append(trace[1])
    return {tb: [sum(v), len(v)] for tb, v in groups.items()}


def raw_traces(snapshot):
    """The snapshot's traces as tuples: tracemalloc's own list where it has one (CPython keeps
    it as `traces._traces`), else rebuilt through the public API."""
    raw = getattr(getattr(snapshot, "traces", None), "_traces", None)
    if isinstance(raw, list):
        return raw
    return [(tr.domain, tr.size, tuple((f.filename, f.lineno) for f in reversed(tr.traceback)), len(tr.traceback)) for tr in snapshot.traces]


def by_line(groups):
    """{(file, line): [bytes, blocks, largest traceback, its bytes, via]} keyed on the innermost
    frame of the program's own code (numpy's buffers, torch's tensors land on the line that
    asked for them, `via` the package that allocated), or the innermost frame when no frame is
    the program's (an import, a library's own thread)."""
    lines = {}
    for tb, (size, count) in groups.items():
        if not tb:
            continue
        at = 0
        for i, frame in enumerate(tb):
            if package_of(frame[0]) is None:
                at = i
                break
        key = tb[at]
        s = lines.get(key)
        if s is None:
            lines[key] = [size, count, tb[at:], size, package_of(tb[0][0]) if at else None]
        else:
            s[0] += size
            s[1] += count
            if size > s[3]:
                s[2], s[3], s[4] = tb[at:], size, package_of(tb[0][0]) if at else None
    return lines


def sites(lines, previous=None, top=50):
    """The top sites by bytes, and the top by growth since `previous` ({(file, line): bytes}),
    the program's own lines first, then each package's; plus what was left out."""
    def site(key):
        size, count, tb, _, via = lines[key]
        s = {"file": text(key[0]), "line": max(1, int(key[1] or 1)), "size": size, "count": count}
        pkg = package_of(key[0])
        if pkg:
            s["package"] = pkg
        if via:
            s["via"] = via
        if previous is not None:
            s["grew"] = size - previous.get(key, 0)
        if len(tb) > 1:
            s["traceback"] = [{"file": text(f), "line": max(1, int(n or 1))} for f, n in tb[1:MAX_TRACEBACK + 1]]
        return s

    keys = sorted(lines, key=lambda k: -lines[k][0])[:top]
    if previous is not None:
        chosen = set(keys)
        grown = sorted((k for k in lines if k not in chosen), key=lambda k: previous.get(k, 0) - lines[k][0])[:top]
        keys += [k for k in grown if lines[k][0] > previous.get(k, 0)]
    out = [site(k) for k in keys]
    # User code first, then packages grouped, largest package first; by size inside each.
    pkg_size = {}
    for s in out:
        if "package" in s:
            pkg_size[s["package"]] = pkg_size.get(s["package"], 0) + s["size"]
    out.sort(key=lambda s: ("package" in s, -pkg_size.get(s.get("package"), 0), s.get("package", ""), -s["size"]))
    shown = set(keys)
    more_size = sum(v[0] for k, v in lines.items() if k not in shown)
    more_count = sum(v[1] for k, v in lines.items() if k not in shown)
    more = {"sites": len(lines) - len(shown), "size": more_size, "count": more_count}
    return out, more


def sizes(lines):
    """{(file, line): bytes}: what a later snapshot's growth is measured against."""
    return {k: v[0] for k, v in lines.items()}


def encoded_size(record):
    return len(json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def fit(record, limit=DEFAULT_LIMIT):
    """Brings the record under `limit` bytes (tracebacks first, then the smallest sites, each
    counted in `more`); raises TooLarge when even its bare fields do not fit. Never above the
    protocol's line limit."""
    limit = min(limit, MAX_LINE_BYTES)
    if encoded_size(record) <= limit:
        return record
    for s in record.get("sites", ()):
        s.pop("traceback", None)
    record["trimmed"] = True
    sites_ = record.get("sites", [])
    more = record.setdefault("more", {"sites": 0, "size": 0, "count": 0})
    while encoded_size(record) > limit and sites_:
        # Halve what is dropped each time: one pass per site would be quadratic on big records.
        drop = max(1, len(sites_) // 2) if encoded_size(record) > 2 * limit else 1
        smallest = sorted(range(len(sites_)), key=lambda i: sites_[i]["size"])[:drop]
        for i in sorted(smallest, reverse=True):
            s = sites_.pop(i)
            more["sites"] += 1
            more["size"] += s["size"]
            more["count"] += s["count"]
    if encoded_size(record) > limit:
        raise TooLarge("an allocations record of %d bytes does not fit in %d" % (encoded_size(record), limit))
    return record
