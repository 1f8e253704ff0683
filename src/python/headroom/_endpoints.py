"""Opening a connection to a listener address: `unix:<path>`, `tcp:<host>:<port>` or `pipe:<name>`."""
import socket


def connect(addr):
    """A connected socket (or pipe) for an address as HEADROOM_ADDR spells it; raises OSError."""
    kind, _, rest = addr.partition(":")
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2.0)
        s.connect(rest)
    elif kind == "tcp":
        host, _, port = rest.rpartition(":")
        s = socket.create_connection((host, int(port)), timeout=2.0)
    elif kind == "pipe":
        return _PipeConn(rest)
    else:
        raise OSError("unknown address %r" % addr)
    s.settimeout(None)
    return s


class _PipeConn:
    """A Windows named pipe with the few socket methods the transport uses."""

    def __init__(self, path):
        self._f = open(path, "r+b", buffering=0)

    def sendall(self, data):
        self._f.write(data)

    def recv(self, n):
        return self._f.read(n) or b""

    def close(self):
        self._f.close()

    def shutdown(self, how):
        pass
