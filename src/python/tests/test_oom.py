"""Out of memory in the program: the `oom` record from the real exception classes (raised in
real processes connected to a real socket listener), and the guard's `interrupt` control
message ending the program's main loop through its own `except KeyboardInterrupt:`."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import types
import unittest

from headroom import _oom, protocol

from .helpers import PY_ROOT
from .integration_helpers import VENV_PY, venv_env, venv_lacks

try:
    import torch  # Debian's python3-torch 1.13 (CPU): torch.cuda.OutOfMemoryError

    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

# Messages as PyTorch writes them (c10/cuda/CUDACachingAllocator.cpp): 2.x, then 1.x.
TORCH2 = ("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 15.77 GiB of which 1.20 GiB is free. "
          "Including non-PyTorch memory, this process has 14.56 GiB memory in use. Of the allocated memory 13.90 GiB is allocated by PyTorch, "
          "and 412.00 MiB is reserved by PyTorch but unallocated.")
TORCH1 = ("CUDA out of memory. Tried to allocate 20.00 MiB (GPU 1; 15.78 GiB total capacity; 14.56 GiB already allocated; "
          "3.94 MiB free; 14.60 GiB reserved in total by PyTorch)")
MLX = "[metal::malloc] Attempting to allocate 68719476736 bytes which is greater than the maximum allowed buffer size of 17179869184 bytes."
GiB = 1 << 30
MiB = 1 << 20


class ControlListener:
    """A Unix socket listener on a thread that keeps each connection, to read its records and send it control lines."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hr-oom-")
        self.addr = "unix:" + os.path.join(self.dir, "hr.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.addr[5:])
        self.sock.listen(4)
        self.conns = []
        self.recs = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.conns.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        with conn.makefile("rb") as f:
            for line in f:
                if line.strip():
                    with self._lock:
                        self.recs.append(json.loads(line))

    def wait(self, pred, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [r for r in self.recs if pred(r)]
            if found:
                return found
            time.sleep(0.02)
        raise AssertionError("no such record within %ss; got %s" % (timeout, [r["type"] for r in self.recs]))

    def send(self, message):
        with self._lock:
            for c in self.conns:
                c.sendall((json.dumps(message) + "\n").encode())

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def start(code, listener, python=sys.executable, env=None):
    """A program connected to `listener`, its stdout and stderr piped."""
    fd, path = tempfile.mkstemp(suffix=".py", prefix="hr_oom_", dir=listener.dir)
    with os.fdopen(fd, "w") as f:
        f.write(textwrap.dedent(code))
    e = env or {k: v for k, v in os.environ.items() if not k.startswith("HEADROOM")}
    e = dict(e, PYTHONPATH=PY_ROOT, HEADROOM_ADDR=listener.addr, HEADROOM_TOKEN="oom-test")
    return subprocess.Popen([python, path], env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), path


def line_of(path, text):
    with open(path, encoding="utf-8") as f:
        return next(n for n, line in enumerate(f, 1) if text in line)


class Messages(unittest.TestCase):
    def test_torch_2_message(self):
        self.assertEqual(_oom.parse_message(TORCH2), {"requested": 2 * GiB, "device": 0, "total": int(15.77 * GiB), "free": int(1.2 * GiB)})

    def test_torch_1_message(self):
        self.assertEqual(_oom.parse_message(TORCH1), {"requested": 20 * MiB, "device": 1, "total": int(15.78 * GiB), "free": int(3.94 * MiB)})

    def test_mlx_message(self):
        self.assertEqual(_oom.parse_message(MLX), {"requested": 68719476736})

    def test_a_message_that_names_nothing(self):
        self.assertEqual(_oom.parse_message("out of memory"), {})


class Kinds(unittest.TestCase):
    def test_memory_error_is_python_and_other_errors_are_nothing(self):
        self.assertEqual(_oom.framework_of(MemoryError()), "python")
        self.assertIsNone(_oom.framework_of(RuntimeError("CUDA error: device-side assert triggered")))
        self.assertIsNone(_oom.framework_of(KeyboardInterrupt()))

    @unittest.skipUnless(HAVE_TORCH, "python3-torch is not installed")
    def test_torch_cuda_out_of_memory_error_is_torch(self):
        self.assertEqual(_oom.framework_of(torch.cuda.OutOfMemoryError(TORCH2)), "torch")

    def test_mlx_runtime_error_counts_only_with_mlx_loaded(self):
        err = RuntimeError(MLX)
        self.assertIsNone(_oom.framework_of(err), "a RuntimeError with these words is not MLX's without mlx")
        # mlx.core cannot be installed on Linux; a module object in its place says it is loaded.
        sys.modules["mlx.core"] = types.ModuleType("mlx.core")
        try:
            self.assertEqual(_oom.framework_of(err), "mlx")
            self.assertIsNone(_oom.framework_of(RuntimeError("[metal::Device] Unable to load kernel")))
        finally:
            del sys.modules["mlx.core"]

    def test_the_record_validates(self):
        r = {"v": 1, "type": "oom", "t": 1.0, "pid": 1, "seq": 0, "error": "OutOfMemoryError: x", "mem": {"rss": 1}, "requested": 5}
        self.assertIs(protocol.validate(r), r)
        with self.assertRaises(protocol.ProtocolError):
            protocol.validate(dict(r, requested=-1))


class AllocatorState(unittest.TestCase):
    """torch.cuda's figures at the error, read from the stand-in torch.cuda (no GPU here;
    bench/cuda_oom_check.py reads a real one)."""

    def test_devices_in_use_and_the_failed_one_only_with_largest_free_block(self):
        from .cuda_standin import StandInTorch

        torch = StandInTorch(devices=3)
        c = torch.cuda
        c.alloc(0, 300 * MiB)
        c.free(0, 100 * MiB, split=60 * MiB)
        c.memory_snapshot = lambda: [
            {"device": 0, "blocks": [{"size": 200 * MiB, "state": "active_allocated"}, {"size": 60 * MiB, "state": "inactive"}, {"size": 40 * MiB, "state": "inactive"}]},
            {"device": 1, "blocks": [{"size": 999 * MiB, "state": "inactive"}]},
        ]
        out = _oom.cuda_allocator(torch, failed_device=2)
        self.assertEqual([d["index"] for d in out], [0, 2], "device 1 is unused: no CUDA context is made there to ask")
        d0 = out[0]
        self.assertEqual((d0["allocated"], d0["inactive_split"], d0["largest_free"]), (200 * MiB, 60 * MiB, 60 * MiB))
        self.assertEqual(d0["free"] + d0["reserved"] < d0["total"], True)
        self.assertEqual(out[1]["largest_free"], 0)
        self.assertEqual(c.calls["mem_get_info"], 2)

    def test_nothing_without_cuda_initialised(self):
        from .cuda_standin import StandInTorch

        self.assertEqual(_oom.cuda_allocator(StandInTorch(devices=1, initialized=False)), [])


class RealProcesses(unittest.TestCase):
    def setUp(self):
        self.listener = ControlListener()

    def tearDown(self):
        self.listener.close()

    def finish(self, p, timeout=60):
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()  # a program the interrupt did not stop must not outlive the test
            out, err = p.communicate()
            raise AssertionError("the program did not end within %ss:\n%s\n%s" % (timeout, out, err))
        return p.returncode, out, err

    @unittest.skipUnless(HAVE_TORCH, "python3-torch is not installed")
    def test_torch_oom_leaving_a_tracked_block_then_uncaught_is_reported_once(self):
        p, path = start("""
            import torch, headroom
            headroom.checkpoint("before the big batch")
            def forward():
                raise torch.cuda.OutOfMemoryError(%r)  # the raising line
            with headroom.track("forward"):
                forward()
        """ % TORCH2, self.listener)
        code, _, err = self.finish(p)
        self.assertEqual(code, 1)
        self.assertIn("OutOfMemoryError: CUDA out of memory", err, "the program's own excepthook still prints the traceback")
        self.listener.wait(lambda r: r["type"] == "bye")
        ooms = [r for r in self.listener.recs if r["type"] == "oom"]
        self.assertEqual(len(ooms), 1, ooms)
        r = ooms[0]
        self.assertIs(protocol.validate(r), r)
        self.assertTrue(r["error"].startswith("OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"), r["error"])
        self.assertEqual((r["framework"], r["where"], r["region"]), ("torch", "region", "forward"))
        self.assertEqual((r["file"], r["line"], r["func"]), (path, line_of(path, "the raising line"), "forward"))
        self.assertEqual(r["requested"], 2 * GiB)
        self.assertEqual(r["device"], {"kind": "cuda", "index": 0})
        # No CUDA here: the allocator's figures are the message's own.
        self.assertEqual(r["allocator"], [{"kind": "cuda", "index": 0, "free": int(1.2 * GiB), "total": int(15.77 * GiB)}])
        self.assertEqual(r["checkpoint"]["label"], "before the big batch")
        self.assertEqual(r["checkpoint"]["line"], line_of(path, "before the big batch"))
        self.assertGreater(r["mem"]["rss"], 10 * MiB)

    @unittest.skipIf(venv_lacks("torch"), venv_lacks("torch") or "")
    def test_torch_2_out_of_memory_error_uncaught_at_the_top_and_in_a_thread(self):
        p, path = start("""
            import threading, torch, headroom
            headroom.checkpoint("loaded")
            def worker():
                torch.empty(1)
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 512.00 MiB. GPU 3 has a total capacity of 79.15 GiB of which 100.00 MiB is free.")
            t = threading.Thread(target=worker); t.start(); t.join()
            raise torch.OutOfMemoryError(%r)  # top level
        """ % TORCH2, self.listener, python=VENV_PY, env=venv_env())
        code, _, err = self.finish(p)
        self.assertEqual(code, 1, err)
        self.listener.wait(lambda r: r["type"] == "bye")
        ooms = sorted((r for r in self.listener.recs if r["type"] == "oom"), key=lambda r: r["seq"])
        self.assertEqual([r["where"] for r in ooms], ["thread", "uncaught"])
        thread, top = ooms
        self.assertEqual((thread["requested"], thread["device"]["index"], thread["func"]), (512 * MiB, 3, "worker"))
        self.assertEqual((top["line"], top["framework"], top["requested"]), (line_of(path, "# top level"), "torch", 2 * GiB))
        self.assertEqual(top["checkpoint"]["label"], "loaded")

    def test_memory_error_uncaught_keeps_the_programs_own_excepthook(self):
        p, _ = start("""
            import sys
            def mine(kind, value, tb):
                print("my hook saw", kind.__name__, flush=True)
            sys.excepthook = mine
            import headroom  # after the program's hook: headroom's reports, then calls it
            raise MemoryError("no more")
        """, self.listener)
        code, out, _ = self.finish(p)
        self.assertEqual(code, 1)
        self.assertIn("my hook saw MemoryError", out)
        r = self.listener.wait(lambda r: r["type"] == "oom")[0]
        self.assertEqual((r["framework"], r["where"], r["error"]), ("python", "uncaught", "MemoryError: no more"))

    def test_other_errors_send_no_oom_record(self):
        p, _ = start("""
            import headroom
            with headroom.track("x"):
                raise ValueError("not memory")
        """, self.listener)
        self.assertEqual(self.finish(p)[0], 1)
        recs = self.listener.wait(lambda r: r["type"] == "bye")
        self.assertEqual([r for r in self.listener.recs if r["type"] == "oom"], [], recs)

    def interrupt(self, prelude):
        p, _ = start(prelude + textwrap.dedent("""
            import time, headroom
            headroom.checkpoint("ready")
            try:
                while True:
                    time.sleep(0.01)
            except KeyboardInterrupt:
                print("saved the checkpoint", flush=True)
        """), self.listener)
        self.listener.wait(lambda r: r.get("label") == "ready")
        self.listener.send({"v": 1, "type": "interrupt", "id": "guard-1", "reason": "test"})
        return self.finish(p, timeout=20)

    def test_interrupt_raises_keyboard_interrupt_in_the_main_thread(self):
        code, out, err = self.interrupt("")
        self.assertEqual((code, out.strip()), (0, "saved the checkpoint"), err)

    def test_interrupt_reaches_a_program_that_ignores_sigint(self):
        # A job started in the background of a shell script ignores SIGINT; the guard still stops it.
        code, out, err = self.interrupt("import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\n")
        self.assertEqual((code, out.strip()), (0, "saved the checkpoint"), err)
        self.assertEqual(signal.getsignal(signal.SIGINT), signal.default_int_handler, "this process's handler is its own")


if __name__ == "__main__":
    unittest.main()
