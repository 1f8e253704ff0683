"""Which client the program reports through, and when it is made (docs/connection.md).

HEADROOM_ADDR (+ HEADROOM_TOKEN): send to the extension's listener (the client is made at import).
HEADROOM_LOG=path.ndjson: write the same records to a file instead.
Neither: at the first reporting call the client looks once for the connection file of the
window whose workspace holds the program (`_discovery`) and connects to it; found or not,
the answer is kept for the process (a forked child inherits it).
HEADROOM=off or HEADROOM_DISABLE: no client, no look. `connect()` connects explicitly.
A client made from HEADROOM_ADDR or from a window looks again when its connection is lost
and its address no longer answers (the window reloaded): `_rediscover` gives its transport
the window found now, whose token it then says hello with.
With no client, `client()` is None and every reporting call returns at once.
"""
import os
import threading

from . import _diagnostics, _discovery
from ._client import Client, on_control
from ._version import __version__


def _pong(msg):
    c = _current()
    if c is not None:
        r = c.base("pong")
        r["id"] = msg["id"]
        c.emit(r)


on_control("ping", _pong)

# The client, None, or _PENDING until the first reporting call has looked for a window.
_PENDING = object()
_client = None
# Where the client came from: "env", "window", "explicit", "none" (looked, nothing
# matched), "off", or "pending"; and the connection file used, if any.
_source = "none"
_window_file = None
_lock = threading.RLock()  # a signal handler reporting during the look must not deadlock


def client(_pending=_PENDING):
    """The client, or None. The first call without HEADROOM_ADDR/HEADROOM_LOG looks for a window."""
    c = _client
    if c is _pending:
        c = _settle()
    return c


def _answered(_pending=_PENDING):
    return _client


def _stop_asking():
    # Once the answer is in, `client` becomes a plain read of it: every module that imported
    # the function gets the new body, so a reporting call with no client costs what it did
    # before discovery existed (one call, one global read, one test in the caller).
    client.__code__ = _answered.__code__


def _current():
    c = _client
    return None if c is _PENDING else c


def _off():
    return bool(os.environ.get("HEADROOM_DISABLE")) or os.environ.get("HEADROOM", "").strip().lower() in ("off", "0", "false", "no")


def _rediscover():
    """(addr, token) of the window that holds the program now, or None (HEADROOM=off: None)."""
    global _window_file
    if _off():
        return None
    w, _ = _discovery.look()
    if w is None:
        return None
    _window_file = w["file"]
    return w["addr"], w["token"]


def _movable(c):
    """Lets a client follow its window across a reload (not one given an explicit address)."""
    c.transport.rediscover = _rediscover
    return c


def _settle():
    """The one-time look: finds the window, makes its client (connecting is the writer thread's job)."""
    global _client, _source, _window_file
    with _lock:
        if _client is not _PENDING:
            return _client
        c, source = None, "off"
        try:
            if not _off():
                w, _ = _discovery.look()
                source = "none" if w is None else "window"
                if w is not None:
                    c = _movable(Client(w["addr"], w["token"], None))
                    _window_file = w["file"]
        except Exception as e:  # the look never raises into the reporting call
            _diagnostics.note("discovery", e)
            c, source = None, "none"
        _client, _source = c, source
        _stop_asking()
        return c


def connect(address=None, token=None):
    """Connects now: to `address` (HEADROOM_ADDR's form; `token`, else HEADROOM_TOKEN) or, with
    none, to the window the look finds now (even under HEADROOM=off). Replaces the current
    client. True when connected; with no window found, False and the current client stays."""
    global _client, _source, _window_file
    try:
        with _lock:
            source, found = "explicit", None
            if address is None:
                w, _ = _discovery.look()
                if w is None:
                    if _client is _PENDING:
                        _client, _source = None, "none"
                        _stop_asking()
                    return False
                address, token, source, found = w["addr"], w["token"], "window", w["file"]
            elif token is None:
                token = os.environ.get("HEADROOM_TOKEN")
            old = _current()
            same = old is not None and old.transport.addrs == [a for a in address.split(",") if a] and old.token == (token or "")
            if same and old.transport.connected:
                return True
            if old is not None:
                old.close("reconnect")
            c = _client = Client(address, token, None)
            if source == "window":
                _movable(c)
            _source, _window_file = source, found
            _stop_asking()
        return c.transport.connect_now()
    except Exception as e:
        _diagnostics.note("connect", e)
        return False


def enabled():
    """True when records go somewhere (HEADROOM_ADDR, HEADROOM_LOG, a window found, or connect())."""
    return client() is not None


def flush():
    """Sends what is queued now (normally a background thread does this every 20 ms)."""
    c = _current()
    if c is not None:
        c.transport.flush()


def diagnostics():
    """The client's own health: internal errors per code with the first message of each,
    records dropped, whether it is connected, where its connection came from (`source`,
    `window`: the connection file), and its version. Errors are also counted in the `bye`
    record; with HEADROOM_DEBUG set, the first of each kind goes to stderr."""
    c = _current()
    return {
        "version": __version__,
        "enabled": c is not None,
        "connected": c is not None and c.transport.connected,
        "dropped": c.transport.dropped if c is not None else 0,
        "source": "pending" if _client is _PENDING else _source,
        "window": _window_file,
        "errors": _diagnostics.counts(),
        "messages": _diagnostics.messages(),
    }


def _init_from_env():
    global _client, _source
    addr = os.environ.get("HEADROOM_ADDR")
    log = os.environ.get("HEADROOM_LOG")
    if not _off() and not (addr or log):
        _client = _PENDING  # looked for at the first reporting call, never at import
        return
    if _off():
        _source = "off"
    else:
        try:
            _client = Client(addr if not log else None, os.environ.get("HEADROOM_TOKEN"), log)
            if not log:
                _movable(_client)
            _source = "env"
        except Exception as e:
            _diagnostics.note("init", e)
            _client = None
    _stop_asking()


def _after_fork():
    # Another thread may have held the lock at the fork; the answer itself is inherited.
    global _lock
    _lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
_init_from_env()
