"""Control messages from Headroom, read on a daemon thread per connection.

Each valid message goes to the handler registered for its type in `handlers` ({type: fn(msg)},
read at each message, so handlers registered later are used too); this module knows none of
them. Oversized or invalid lines are skipped; a handler's error is counted, never raised.
"""
import os

from . import _diagnostics, protocol


def read_control(conn, handlers):
    """Reads `conn` until it closes (or this process is a fork of the one that opened it)."""
    buf = b""
    pid = os.getpid()
    while True:
        try:
            chunk = conn.recv(65536)
        except (OSError, ValueError):
            return
        if not chunk or os.getpid() != pid:
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if len(line) > protocol.MAX_LINE_BYTES:
                continue
            try:
                msg = protocol.decode_line(line, protocol.CONTROL_TYPES)
            except protocol.ProtocolError:
                continue
            handler = handlers.get(msg["type"])
            if handler is None:
                continue
            try:
                handler(msg)
            except Exception as e:  # never let a control request take the program down
                _diagnostics.note("control-" + msg["type"], e)
        if len(buf) > protocol.MAX_LINE_BYTES:
            buf = b""
