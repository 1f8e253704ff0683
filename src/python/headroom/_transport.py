"""Getting records out of the program without slowing it down.

`put()` appends to a deque and returns; a daemon writer thread encodes and sends in
batches. If the extension goes away the program carries on: records wait in the queue (the
newest RETAIN_WHILE_AWAY of them; older ones are dropped and counted) until a reconnect
succeeds. A reconnect tries the old address first; when that fails and `rediscover` is set
(a window reloaded: new listener, new token), it asks that for a window to report to instead,
at most every RECONNECT_INTERVAL, and says hello there with the new token. After fork() a
child never writes on its parent's socket: it drops the inherited state and connects as
itself, with its own hello.

Control messages from Headroom are read on a daemon thread (`_control`) and passed to the handler
registered for their type in `handlers` ({type: fn(msg)}); the transport knows none of them.
"""
import atexit
import collections
import json
import os
import re
import socket
import threading
import time

from . import _diagnostics, protocol
from ._control import read_control
from ._endpoints import connect as _connect

MAX_QUEUE = 100_000
FLUSH_INTERVAL = 0.02
RECONNECT_INTERVAL = 1.5
# Records kept while there is nowhere to send them (a window reloading): enough for seconds of
# a busy loop, small enough that a program whose window never comes back stays light.
RETAIN_WHILE_AWAY = 10_000



_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8(text):
    """UTF-8 of records' text. A lone surrogate (a label or argv decoded from bytes with
    surrogateescape: a non-UTF-8 file name) has no UTF-8 form: it becomes U+FFFD, and the
    record is kept, rather than the whole batch failing to encode."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")

class Transport:
    def __init__(self, addrs=None, token=None, log_path=None, handlers=None, make_hello=None):
        self.addrs = [a for a in (addrs or "").split(",") if a]
        self.token = token
        self.log_path = log_path
        # Kept by reference: handlers registered later (by other modules) are seen too.
        self.handlers = {} if handlers is None else handlers
        self.make_hello = make_hello
        # () -> (addr, token) of a window to report to instead, or None: set by the connection
        # module for clients that may move to another window (not for an explicit address).
        self.rediscover = None
        self.dropped = 0
        self.sent = 0
        self._reset()
        atexit.register(self.close)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._after_fork)

    def _reset(self):
        self._q = collections.deque()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._writer = None
        self._conn = None
        self._file = None
        self._next_connect = 0.0
        self._closed = False
        self._pid = os.getpid()

    def _after_fork(self):
        # The parent's socket and file belong to the parent: forget them without closing
        # anything the parent still uses, and start over as this process.
        self._reset()
        self.dropped = 0
        self.sent = 0

    def put(self, record):
        q = self._q
        if len(q) >= MAX_QUEUE:
            try:
                q.popleft()
                self.dropped += 1
            except IndexError:
                pass
        q.append(record)
        if self._writer is None:
            self._start()
        elif len(q) > 512:
            self._wake.set()

    def _start(self):
        with self._lock:
            if self._writer is not None or self._closed:
                return
            t = threading.Thread(target=self._run, name="headroom-writer", daemon=True)
            self._writer = t
            t.start()

    # -- writer thread -------------------------------------------------------------------
    @property
    def connected(self):
        """True while a connection (or the log file) is open."""
        return self._conn is not None or self._file is not None

    def _run(self):
        while not self._closed:
            self._wake.wait(FLUSH_INTERVAL)
            self._wake.clear()
            try:
                self.flush()
            except Exception as e:  # keep the writer alive: the next batch may go through
                _diagnostics.note("writer", e)

    def flush(self):
        if not self._q:
            return
        with self._lock:
            if not self.log_path and self._conn is None and self._reconnect() is None:
                self._trim()  # nowhere to send: keep them (bounded) without encoding them again
                return
            batch = []
            q = self._q
            while q:
                try:
                    batch.append(q.popleft())
                except IndexError:
                    break
            if not batch:
                return
            data = _utf8("".join(self._encode_kept(r) for r in batch))
            if self._send(data):
                self.sent += len(batch)
            elif self.log_path or self._closed:
                self.dropped += len(batch)
            else:
                self._keep(batch)

    def _keep(self, batch):
        """Puts an unsent batch back in front of the queue (the connection broke under it)."""
        self._q.extendleft(reversed(batch))
        self._trim()

    def _trim(self):
        """Drops (and counts) the oldest records past RETAIN_WHILE_AWAY."""
        q = self._q
        for _ in range(max(0, len(q) - RETAIN_WHILE_AWAY)):
            try:
                q.popleft()
            except IndexError:
                break
            self.dropped += 1

    @staticmethod
    def _encode(r):
        r["v"] = protocol.VERSION
        return json.dumps(r, separators=(",", ":"), ensure_ascii=False, default=str) + "\n"

    def _encode_kept(self, r):
        """One record's line; a record that cannot be encoded (a cycle in it) is counted as
        dropped on its own instead of taking its batch with it."""
        try:
            return self._encode(r)
        except (ValueError, TypeError, RecursionError) as e:
            self.dropped += 1
            _diagnostics.note("encode", e)
            return ""

    def _send(self, data):
        if self.log_path:
            try:
                if self._file is None:
                    self._file = open(self.log_path, "ab", buffering=0)
                    self._file.write(_utf8(self._encode(self.make_hello())) if self.make_hello else b"")
                self._file.write(data)
                return True
            except OSError:
                self._file = None
                return False
        conn = self._conn or self._reconnect()
        if conn is None:
            return False
        try:
            conn.sendall(data)
            return True
        except OSError:
            self._drop_conn()
            return False

    def connect_now(self):
        """Connects (hello first) on the calling thread unless connected or writing a file;
        True when records have somewhere to go. For `headroom.connect()` only: reporting
        calls leave connecting to the writer thread."""
        if self.log_path:
            return True
        with self._lock:
            if self._conn is None and not self._closed:
                self._next_connect = 0.0
                self._reconnect()
        return self._conn is not None

    def _reconnect(self):
        now = time.monotonic()
        if now < self._next_connect or not (self.addrs or self.rediscover):
            return None
        self._next_connect = now + RECONNECT_INTERVAL
        for addr in self.addrs:
            conn = self._open(addr, self.token)
            if conn is not None:
                return conn
        found = self._look()
        if found is None:
            return None
        addr, token = found
        conn = self._open(addr, token)
        if conn is not None:
            # From now on this is the program's window (a forked child inherits it too).
            self.addrs, self.token = [addr], token
        return conn

    def _look(self):
        """(addr, token) of another window to report to, or None; never raises."""
        if self.rediscover is None:
            return None
        try:
            found = self.rediscover()
        except Exception as e:
            _diagnostics.note("rediscover", e)
            return None
        if found is None or (found[0] in self.addrs and found[1] == self.token):
            return None  # the address that just failed: nothing new to try
        return found

    def _open(self, addr, token):
        """Connects to `addr` and says hello with `token`; the connection, or None."""
        conn = None
        try:
            conn = _connect(addr)
            if self.make_hello:
                hello = self.make_hello()
                if token is not None:
                    hello["token"] = token
                conn.sendall(_utf8(self._encode(hello)))
        except OSError:
            if conn is not None:
                try:
                    conn.close()
                except OSError:
                    pass
            return None
        self._conn = conn
        threading.Thread(target=read_control, args=(conn, self.handlers), name="headroom-control", daemon=True).start()
        return conn

    def _drop_conn(self):
        c = self._conn
        self._conn = None
        if c is not None:
            try:
                c.close()
            except OSError:
                pass

    def close(self, bye=None):
        """Flushes what is queued (best effort, bounded) and closes."""
        if self._closed or os.getpid() != self._pid:
            return
        if bye is not None:
            self._q.append(bye)
        try:
            self.flush()
        except Exception as e:
            _diagnostics.note("close-flush", e)
        self._closed = True
        self._wake.set()
        if self._conn is not None:
            try:
                self._conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._drop_conn()
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None
