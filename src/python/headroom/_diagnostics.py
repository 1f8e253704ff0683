"""Internal errors, counted instead of swallowed.

The client never raises into user code; where it catches an error of its own it calls
`note(code, error)`. Each code is counted, its first message kept, and (only with
HEADROOM_DEBUG set) one line per code goes to stderr. The counts travel in the `bye`
record and come back from `headroom.diagnostics()`.
"""
import os
import sys
import threading

MAX_MESSAGE = 500

_lock = threading.Lock()
_counts = {}
_first = {}


def note(code, error=None):
    """Counts an internal error under a short code. Never raises."""
    with _lock:
        n = _counts.get(code, 0)
        _counts[code] = n + 1
        if n:
            return
        message = _describe(error)
        _first[code] = message
    if os.environ.get("HEADROOM_DEBUG"):
        try:
            sys.stderr.write("headroom: internal error [%s]: %s (reported once per kind)\n" % (code, message))
            sys.stderr.flush()
        except (AttributeError, OSError, ValueError):  # no stderr, or closed at exit
            pass


def _describe(error):
    if error is None:
        return ""
    if isinstance(error, BaseException):
        text = "%s: %s" % (type(error).__name__, error)
    else:
        text = str(error)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def counts():
    """{code: how many times} since start (or fork)."""
    with _lock:
        return dict(_counts)


def messages():
    """{code: the first message seen for it}."""
    with _lock:
        return dict(_first)


def reset():
    with _lock:
        _counts.clear()
        _first.clear()


def _after_fork():
    # A forked child reports its own errors in its own bye, not its parent's again. The
    # lock is made anew: another thread of the parent may have held it at the fork.
    global _lock
    _lock = threading.Lock()
    _counts.clear()
    _first.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
