"""Checkpoints and regions sent on behalf of the user's line, for wrappers.

headroom.checkpoint() and headroom.track() place a record on the line that calls them; a
compatibility method calls them from inside Headroom, so these place it on the first line
outside the package instead (the user's call). With no Headroom listening, they cost one
call and a None check, and measure nothing.
"""
import sys
import time

from .. import _diagnostics
from .._client import snapshot
from .._connection import client
from .._frames import user_location
from .._peak import PeakTracker


def checkpoint(label=None):
    """A checkpoint on the user's line (label optional). Never raises."""
    c = client()
    if c is None:
        return
    try:
        r = c.base("checkpoint")
        r.update(user_location())
        if label is not None:
            r["label"] = str(label)
        r["mem"] = snapshot()
        c.emit(r)
    except Exception as e:  # the client never raises into user code
        _diagnostics.note("compat-checkpoint", e)


class Region:
    """A region that starts on the user's line now and ends at finish(): what `with
    headroom.track(label)` reports (delta, peak inside, duration, error), from a wrapper."""

    __slots__ = ("label", "_id", "_loc", "_peak", "_t0")

    def __init__(self, label):
        self.label = str(label)
        self._id = None
        self._peak = None
        c = client()
        if c is None:
            return
        try:
            self._peak = PeakTracker()
            self._t0 = time.perf_counter()
            self._loc = user_location()
            rid = c.region_id()
            r = c.base("region_start")
            r.update(self._loc, id=rid, label=self.label, mem=snapshot())
            c.emit(r)
            self._id = rid
        except Exception as e:
            _diagnostics.note("compat-region-start", e)

    def finish(self, error=None):
        """Ends the region once (later calls do nothing); `error` is the exception, if any."""
        peak, self._peak = self._peak, None
        if peak is None:
            return
        try:
            p = peak.finish()  # always, or the tracker stays among the open ones
            c = client()
            if c is None or self._id is None:
                return
            r = c.base("region_end")
            r.update(self._loc, id=self._id, label=self.label, mem=snapshot(), duration=time.perf_counter() - self._t0, peak=p)
            if error is not None:
                r["error"] = "%s: %s" % (type(error).__name__, error)
            c.emit(r)
        except Exception as e:
            _diagnostics.note("compat-region-end", e)


def echo(line):
    """print(line), also on a console that cannot encode it (the emoji of some tools'
    lines on a legacy Windows code page): unencodable characters become '?'."""
    try:
        print(line)
    except UnicodeEncodeError:
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        print(line.encode(encoding, "replace").decode(encoding))
