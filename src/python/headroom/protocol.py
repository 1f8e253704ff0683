"""Headroom log protocol v1 (docs/protocol.md): constants and a validator.

The client uses `validate` on the control messages it receives; the tests run the shared
test vectors through it, as the TypeScript decoder does.
"""
import json
import math

VERSION = 1
MAX_LINE_BYTES = 1024 * 1024

TYPES = {
    "hello": ("token",),
    "checkpoint": ("mem",),
    "region_start": ("id", "mem"),
    "region_end": ("id", "mem", "duration"),
    "call": ("t0", "mem0", "mem"),
    "epoch_start": ("epoch", "mem"),
    "epoch_end": ("epoch", "mem"),
    "batch_end": ("batch", "mem"),
    "cleanup_result": ("id", "duration", "actions", "rss"),
    "pong": ("id",),
    "bye": (),
    "oom": ("error", "mem"),
    "allocations": ("source",),
}

# Optional hello fields that must be non-negative integers when present.
HELLO_COUNTS = ("local_rank", "local_world_size")

# Records that may carry the training's global step (a non-negative integer).
STEP_TYPES = ("epoch_start", "epoch_end", "batch_end")

CONTROL_TYPES = {"cleanup": ("id",), "ping": ("id",), "interrupt": ("id",), "allocations": ("id",)}

ALLOCATION_SOURCES = ("tracemalloc", "tensors", "cuda")


class ProtocolError(ValueError):
    def __init__(self, code, message):
        ValueError.__init__(self, "%s: %s" % (code, message))
        self.code = code


def _num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _count(n):
    """A non-negative integer; 2.0 is an integer, as in JSON."""
    return _num(n) and n >= 0 and float(n).is_integer()


def _counts(x):
    """An object of non-negative integer counts (bye.errors)."""
    return isinstance(x, dict) and all(_count(n) for n in x.values())


def _check_cell(c):
    """A region's `cell` (a notebook cell's run): {hash, id?, count?, preview?}."""
    if not isinstance(c, dict):
        raise ProtocolError("bad-field", '"cell" must be an object')
    if not isinstance(c.get("hash"), str):
        raise ProtocolError("bad-field", '"cell.hash" must be a string')
    if any(f in c and not isinstance(c[f], str) for f in ("id", "preview")):
        raise ProtocolError("bad-field", '"cell.id" and "cell.preview" must be strings')
    if "count" in c and not _count(c["count"]):
        raise ProtocolError("bad-field", '"cell.count" must be a non-negative integer')


def _check_allocations(x):
    """An `allocations` record: its source, and each site's location and figures."""
    if x["source"] not in ALLOCATION_SOURCES:
        raise ProtocolError("bad-field", '"source" must be one of %s' % ", ".join(ALLOCATION_SOURCES))
    for f in ("sites", "tensors"):
        if f in x and not isinstance(x[f], list):
            raise ProtocolError("bad-field", '"%s" must be an array' % f)
    for s in x.get("sites", ()):
        if not isinstance(s, dict) or not isinstance(s.get("file"), str):
            raise ProtocolError("bad-field", "a site needs a string \"file\"")
        if not (_count(s.get("line")) and s["line"] >= 1):
            raise ProtocolError("bad-field", "a site's \"line\" must be a positive integer")
        if not (_count(s.get("size")) and _count(s.get("count"))):
            raise ProtocolError("bad-field", "a site's \"size\" and \"count\" must be non-negative integers")
    for g in x.get("tensors", ()):
        if not isinstance(g, dict) or not (_count(g.get("size")) and _count(g.get("count"))):
            raise ProtocolError("bad-field", "a tensor group's \"size\" and \"count\" must be non-negative integers")
        if "framework" in g and not isinstance(g["framework"], str):
            raise ProtocolError("bad-field", "a tensor group's \"framework\" must be a string")


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def decode_line(line, types=None):
    """Decodes one line (str or bytes, no newline) into a dict, or raises ProtocolError."""
    raw = line.encode("utf-8") if isinstance(line, str) else line
    if len(raw) > MAX_LINE_BYTES:
        raise ProtocolError("too-long", "line of %d bytes exceeds %d" % (len(raw), MAX_LINE_BYTES))
    try:
        x = json.loads(raw, parse_constant=_reject_constant)
    except ValueError as e:
        raise ProtocolError("json", "not JSON: %s" % e)
    return validate(x, types)


def validate(x, types=None):
    """Checks a parsed record; returns it, or raises ProtocolError with the vectors' codes."""
    types = TYPES if types is None else types
    if not isinstance(x, dict):
        raise ProtocolError("not-object", "a record must be a JSON object")
    if not _num(x.get("v")):
        raise ProtocolError("missing-field", 'missing protocol version "v"')
    if math.floor(x["v"]) != VERSION:
        raise ProtocolError("version", "protocol version %s is not supported (this client speaks %d.x)" % (x["v"], VERSION))
    t = x.get("type")
    if not isinstance(t, str):
        raise ProtocolError("missing-field", 'missing "type"')
    if t not in types:
        raise ProtocolError("unknown-type", "unknown record type %r" % t[:40])
    if types is TYPES:
        for f in ("t", "pid", "seq"):
            if f not in x:
                raise ProtocolError("missing-field", '"%s" must be a number' % f)
            if not _num(x[f]):
                raise ProtocolError("bad-field", '"%s" must be a number' % f)
    for f in types[t]:
        if f not in x:
            raise ProtocolError("missing-field", '%s needs "%s"' % (t, f))
    for f in ("mem", "mem0"):
        if f in x:
            m = x[f]
            if not isinstance(m, dict):
                raise ProtocolError("bad-field", "%s must be an object" % f)
            if not _num(m.get("rss")) or m["rss"] < 0:
                raise ProtocolError("bad-field", "%s.rss must be a non-negative number" % f)
            if "devices" in m and not isinstance(m["devices"], list):
                raise ProtocolError("bad-field", "%s.devices must be an array" % f)
    if "line" in x and (not isinstance(x["line"], int) or isinstance(x["line"], bool) or x["line"] < 1):
        raise ProtocolError("bad-field", '"line" must be a positive integer')
    for f in ("file", "func", "label"):
        if f in x and not isinstance(x[f], str):
            raise ProtocolError("bad-field", '"%s" must be a string' % f)
    if t == "hello":
        if not isinstance(x.get("token"), str):
            raise ProtocolError("bad-field", '"token" must be a string')
        for f in HELLO_COUNTS:
            if f in x and not _count(x[f]):
                raise ProtocolError("bad-field", '"%s" must be a non-negative integer' % f)
    if "step" in x and t in STEP_TYPES and not _count(x["step"]):
        raise ProtocolError("bad-field", '"step" must be a non-negative integer')
    if "cell" in x:
        _check_cell(x["cell"])
    if t == "bye" and "errors" in x and not _counts(x["errors"]):
        raise ProtocolError("bad-field", '"errors" must be an object of non-negative integer counts')
    if t == "oom":
        if not isinstance(x["error"], str):
            raise ProtocolError("bad-field", '"error" must be a string')
        if "requested" in x and not (_num(x["requested"]) and x["requested"] >= 0):
            raise ProtocolError("bad-field", '"requested" must be a non-negative number')
        if "allocator" in x and not isinstance(x["allocator"], list):
            raise ProtocolError("bad-field", '"allocator" must be an array')
    if t == "allocations" and types is TYPES:
        _check_allocations(x)
    return x
