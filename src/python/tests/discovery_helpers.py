"""Real runtime folders, window files, programs and a listener for the discovery tests."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

from .helpers import PY_ROOT


def dead_pid():
    """A pid that is certainly dead: a child that has exited and been reaped."""
    p = subprocess.Popen(["/bin/sh", "-c", "exit 0"])
    p.wait()
    return p.pid


class Runtime:
    """A temporary root holding a private runtime folder (0700) and workspace folders."""

    def __init__(self):
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="headroom-disc-"))
        self.dir = os.path.join(self.root, "runtime")
        os.mkdir(self.dir, 0o700)
        self._n = 0

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def folder(self, *parts):
        """A real folder under the root (made if missing), its path resolved."""
        p = os.path.join(self.root, *parts)
        os.makedirs(p, exist_ok=True)
        return os.path.realpath(p)

    def window(self, folders, name=None, mode=0o600, **fields):
        """Writes a window file (`fields` override or add to a valid one); returns its path."""
        self._n += 1
        info = {"v": 1, "addr": "unix:/nowhere/hr.sock", "token": "tok-%d" % self._n, "folders": list(folders) if isinstance(folders, (list, tuple)) else folders, "pid": os.getpid(),
                "created": float(self._n), "python": "/ext/dist/python"}
        info.update(fields)
        return self.write(name or "window-%d.json" % (100000 + self._n), json.dumps(info), mode)

    def write(self, name, text, mode=0o600):
        path = os.path.join(self.dir, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(path, mode)  # past the umask
        return path


def program_env(runtime_dir, **extra):
    env = dict(os.environ, PYTHONPATH=PY_ROOT, HEADROOM_RUNTIME_DIR=runtime_dir)
    for k in ("HEADROOM_ADDR", "HEADROOM_TOKEN", "HEADROOM_LOG", "HEADROOM", "HEADROOM_DISABLE", "HEADROOM_DEBUG"):
        env.pop(k, None)
    env.update(extra)
    return env


def run_program(code, cwd, runtime_dir, script_dir=None, extra_env=None, timeout=60):
    """Runs `code` as a script (in `script_dir`, else a temporary folder) from `cwd`; returns
    (last stdout line parsed as JSON, or None; the completed process)."""
    d = script_dir or tempfile.mkdtemp(prefix="headroom-script-")
    script = os.path.join(d, "prog_%d.py" % time.monotonic_ns())
    with open(script, "w") as f:
        f.write(textwrap.dedent(code))
    try:
        p = subprocess.run([sys.executable, script], cwd=cwd, env=program_env(runtime_dir, **(extra_env or {})), capture_output=True, text=True, timeout=timeout)
    finally:
        os.unlink(script)
        if script_dir is None:
            os.rmdir(d)
    if p.returncode != 0:
        raise AssertionError("program failed (%d):\n%s\n%s" % (p.returncode, p.stdout, p.stderr))
    lines = p.stdout.strip().splitlines()
    return (json.loads(lines[-1]) if lines else None), p


# Prints where the client went after one checkpoint: diagnostics plus the number of looks.
STATE = """
    import json, headroom
    from headroom import _discovery
    before = _discovery.looks
    headroom.checkpoint("here")
    d = headroom.diagnostics()
    print(json.dumps({"looks_at_import": before, "looks": _discovery.looks, "source": d["source"], "window": d["window"],
                      "enabled": d["enabled"], "errors": d["errors"]}))
"""


class Listener:
    """A Unix socket server on a thread: every connection's lines, parsed, per connection."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hr-l-")
        self.path = os.path.join(self.dir, "hr.sock")
        self.addr = "unix:" + self.path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(16)
        self.connections = []  # one list of records per connection
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            records = []
            with self._lock:
                self.connections.append(records)
            threading.Thread(target=self._read, args=(conn, records), daemon=True).start()

    def _read(self, conn, records):
        with conn, conn.makefile("rb") as f:
            for line in f:
                if line.strip():
                    records.append(json.loads(line))

    def records(self, wait_for=None, timeout=10.0):
        """All records so far (every connection); with `wait_for`, waits until one has that type."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                out = [r for c in self.connections for r in c]
            if wait_for is None or any(r["type"] == wait_for for r in out) or time.monotonic() > deadline:
                return out
            time.sleep(0.02)

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)
