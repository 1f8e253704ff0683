"""One connection's records: a Client stamps records (pid, seq, time), says hello, and hands
them to its transport; after fork() it carries on as the child. Which client the program
uses, and when it is made, is `_connection`'s job.

Control messages are answered by handlers registered with `on_control(type, fn)`: the
connection module answers `ping`; the cleanup module registers `cleanup`.
"""
import atexit
import itertools
import os
import socket
import sys
import time

from . import _devices, _diagnostics, _procmem
from ._transport import Transport
from ._version import __version__

_abs_cache = {}


def abs_file(path):
    """Absolute path of a code object's file, cached (co_filename can be relative)."""
    p = _abs_cache.get(path)
    if p is None:
        p = path if path.startswith("<") else os.path.abspath(path)
        _abs_cache[path] = p
    return p


def snapshot():
    """The `mem` of a record: rss, vms and device allocator figures."""
    rss, vms = _procmem.rss_vms()
    devices = _devices.device_memory()
    if devices:
        return {"rss": rss, "vms": vms, "devices": devices}
    return {"rss": rss, "vms": vms}


# Control message type -> handler(msg). The transport holds this dict itself, so handlers
# registered after the client was made are used too.
_handlers = {}


def on_control(type_, handler):
    """Answers the control messages of one type (protocol.CONTROL_TYPES) with handler(msg),
    called on the control thread. Errors it raises are counted, never propagated."""
    _handlers[type_] = handler


class Client:
    def __init__(self, addrs, token, log_path):
        self.token = token or ""
        self.pid = os.getpid()
        self._seq = itertools.count()
        self._region_ids = itertools.count(1)
        self._mp_pending = False
        self._closed = False
        self.transport = Transport(addrs, token, log_path, handlers=_handlers, make_hello=self._hello)
        # Registered after the transport's own exit hook, so it runs first: bye goes out.
        atexit.register(self.close)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self):
        self.pid = os.getpid()
        self._seq = itertools.count()
        # multiprocessing children (DataLoader workers) leave through os._exit, which skips
        # atexit. Their own finalizers do run, but the registry is cleared while the child
        # boots, so the finalizer is registered with the child's first record.
        self._mp_pending = True

    def _register_mp_finalizer(self):
        self._mp_pending = False
        mp_util = sys.modules.get("multiprocessing.util")
        if mp_util is not None:
            try:
                mp_util.Finalize(None, self.close, exitpriority=100)
            except Exception as e:
                _diagnostics.note("mp-finalizer", e)

    def base(self, type_):
        return {"type": type_, "t": time.time(), "pid": self.pid, "seq": next(self._seq)}

    def region_id(self):
        return next(self._region_ids)

    def emit(self, record):
        if self._mp_pending:
            self._register_mp_finalizer()
        try:
            self.transport.put(record)
        except Exception as e:
            _diagnostics.note("emit", e)

    def _hello(self):
        r = self.base("hello")
        r.update(
            token=self.token,
            ppid=os.getppid(),
            host=socket.gethostname(),
            argv=list(sys.argv),
            python=sys.version.split()[0],
            client="headroom-py/" + __version__,
            frameworks=_devices.frameworks(),
            devices=_devices.device_info(),
            cwd=os.getcwd(),
        )
        for key, env in (("rank", "RANK"), ("local_rank", "LOCAL_RANK"), ("world_size", "WORLD_SIZE"), ("local_world_size", "LOCAL_WORLD_SIZE")):
            v = os.environ.get(env, "").strip()
            if v.isdigit() and v.isascii():
                r[key] = int(v)
        return r

    def close(self, reason="exit"):
        # Once closed, for good: a client replaced by connect() says nothing more, not even
        # from a child forked later (whose transport would otherwise start afresh).
        if self._closed:
            return
        self._closed = True
        bye = self.base("bye")
        bye["reason"] = reason
        bye["dropped"] = self.transport.dropped
        errors = _diagnostics.counts()
        if errors:
            bye["errors"] = errors
        self.transport.close(bye)
