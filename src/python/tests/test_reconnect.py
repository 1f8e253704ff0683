"""A window killed and replaced mid-run (a reload): the program finds the new window by itself.

Each "window" is a real process with a real Unix listener that writes a real connection file
(`window-<its pid>.json`) and keeps every line it receives in a file. The first is killed with
SIGKILL while the program waits; the program reports while no window exists (its records
queue); a second window with another address and token appears; the program must reconnect
there, say hello again with the new token, and deliver what it queued.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from .discovery_helpers import Runtime, program_env

# A fake window: listens, publishes its connection file (0600, renamed into place), and
# appends every received line to `out`. argv: runtime dir, workspace folder, token, out.
WINDOW = r"""
import json, os, socket, sys, tempfile, threading
runtime, folder, token, out = sys.argv[1:5]
d = tempfile.mkdtemp(prefix="hr-win-")
path = os.path.join(d, "hr.sock")
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
f = open(out, "ab", buffering=0)
lock = threading.Lock()
def serve(c):
    buf = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            return
        buf += chunk
        *lines, buf = buf.split(b"\n")
        with lock:
            for line in lines:
                f.write(line + b"\n")
info = {"v": 1, "addr": "unix:" + path, "token": token, "folders": [folder], "pid": os.getpid(), "created": 1.0}
tmp = os.path.join(runtime, ".tmp-%d" % os.getpid())
fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps(info).encode())
os.close(fd)
os.rename(tmp, os.path.join(runtime, "window-%d.json" % os.getpid()))
print("ready", flush=True)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"""

# The program: phase 1 reports 0..49, then waits for `go` (the first window is dead by then),
# reports 50..149 with no window, waits for `go2` (the second window is up), reports
# 150..199 and exits. `retain` bounds what is kept meanwhile.
PROGRAM = """
import json, os, sys, time, headroom
from headroom import _transport
gate = sys.argv[1]
retain = int(sys.argv[2])
_transport.RETAIN_WHILE_AWAY = retain
def wait(name):
    while not os.path.exists(os.path.join(gate, name)):
        time.sleep(0.01)
for i in range(50):
    headroom.checkpoint("c%d" % i)
headroom.flush()
open(os.path.join(gate, "phase1"), "w").close()
wait("go")
for i in range(50, 150):
    headroom.checkpoint("c%d" % i)
    time.sleep(0.002)
headroom.flush()  # fails: no window; the records stay queued
open(os.path.join(gate, "phase2"), "w").close()
wait("go2")
for i in range(150, 200):
    headroom.checkpoint("c%d" % i)
deadline = time.monotonic() + 20
while time.monotonic() < deadline and len(headroom._connection.client().transport._q):
    time.sleep(0.05)
d = headroom.diagnostics()
print(json.dumps({"dropped": d["dropped"], "window": d["window"], "source": d["source"]}))
"""


class FakeWindow:
    def __init__(self, runtime_dir, folder, token):
        self.out = tempfile.mktemp(prefix="hr-win-out-")
        self.token = token
        self.proc = subprocess.Popen([sys.executable, "-c", WINDOW, runtime_dir, folder, token, self.out], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"
        self.file = os.path.join(runtime_dir, "window-%d.json" % self.proc.pid)
        with open(self.file) as f:
            self.addr = json.load(f)["addr"]

    def records(self):
        if not os.path.exists(self.out):
            return []
        with open(self.out, "rb") as f:
            return [json.loads(line) for line in f if line.strip()]

    def kill(self):
        # What a killed extension host leaves: a dead listener and a stale file (its pid is dead).
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def close(self):
        if self.proc.poll() is None:
            self.kill()
        self.proc.stdout.close()
        if os.path.exists(self.out):
            os.unlink(self.out)


def checkpoints(records):
    return [int(r["label"][1:]) for r in records if r["type"] == "checkpoint"]


class ReconnectTest(unittest.TestCase):
    def setUp(self):
        self.rt = Runtime()
        self.ws = self.rt.folder("ws")
        self.gate = tempfile.mkdtemp(prefix="hr-gate-")
        self.windows = []

    def tearDown(self):
        for w in self.windows:
            w.close()
        for n in os.listdir(self.gate):
            os.unlink(os.path.join(self.gate, n))
        os.rmdir(self.gate)
        self.rt.close()

    def window(self, token):
        w = FakeWindow(self.rt.dir, self.ws, token)
        self.windows.append(w)
        return w

    def wait_for(self, name, proc, timeout=30):
        deadline = time.monotonic() + timeout
        while not os.path.exists(os.path.join(self.gate, name)):
            if proc.poll() is not None:
                self.fail("the program exited early: %s" % proc.stderr.read())
            if time.monotonic() > deadline:
                self.fail("no %s within %ss" % (name, timeout))
            time.sleep(0.02)

    def touch(self, name):
        open(os.path.join(self.gate, name), "w").close()

    def run_reload(self, extra_env, retain=10_000):
        """Runs the program through a reload; returns (window 1, window 2, its last line, seconds to reconnect)."""
        w1 = self.window("token-one")
        script = os.path.join(self.ws, "loop.py")
        with open(script, "w") as f:
            f.write(textwrap.dedent(PROGRAM))
        env = program_env(self.rt.dir, **{k: v.replace("@W1", w1.addr) for k, v in extra_env.items()})
        proc = subprocess.Popen([sys.executable, script, self.gate, str(retain)], cwd=self.ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.wait_for("phase1", proc)
            deadline = time.monotonic() + 10
            while len(checkpoints(w1.records())) < 50 and time.monotonic() < deadline:
                time.sleep(0.02)
            w1.kill()
            self.touch("go")
            self.wait_for("phase2", proc)
            time.sleep(0.5)  # the program keeps looking meanwhile and finds only a stale file
            w2 = self.window("token-two")
            started = time.monotonic()
            self.touch("go2")
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 0, err)
        hello2 = [r for r in w2.records() if r["type"] == "hello"]
        self.assertTrue(hello2, "no hello reached the second window")
        return w1, w2, json.loads(out.strip().splitlines()[-1]), time.monotonic() - started

    def check_continuity(self, w1, w2, last, env_token):
        r1, r2 = w1.records(), w2.records()
        self.assertEqual(r1[0]["type"], "hello")
        self.assertEqual(r1[0]["token"], env_token)
        self.assertEqual(checkpoints(r1), list(range(50)))
        self.assertEqual(r2[0]["type"], "hello")
        self.assertEqual(r2[0]["token"], "token-two")  # the new window's token, not the old one
        self.assertEqual(r2[0]["pid"], r1[0]["pid"])
        self.assertEqual(r2[0]["argv"], r1[0]["argv"])
        self.assertIn("ppid", r2[0])
        # Everything after the kill, queued while no window existed, then sent: none lost, none twice.
        self.assertEqual(checkpoints(r2), list(range(50, 200)))
        self.assertEqual(last["dropped"], 0)
        self.assertEqual(last["window"], w2.file)

    def test_window_found_program_moves_to_the_new_window(self):
        w1, w2, last, secs = self.run_reload({})
        self.check_continuity(w1, w2, last, "token-one")
        self.assertEqual(last["source"], "window")
        self.assertLess(secs, 10)

    def test_launched_program_with_a_dead_address_falls_back_to_discovery(self):
        # A program Headroom launched: its own address and session token in the environment.
        w1, w2, last, _ = self.run_reload({"HEADROOM_ADDR": "@W1", "HEADROOM_TOKEN": "token-one"})
        self.check_continuity(w1, w2, last, "token-one")
        self.assertEqual(last["source"], "env")

    def test_what_waits_is_bounded_and_the_rest_counted(self):
        w1, w2, last, _ = self.run_reload({}, retain=30)
        got = checkpoints(w2.records())
        # At least 100 records while away (more if the last ones came before the reconnect):
        # the newest are kept, at most 30 at a time, and every one left out is counted.
        self.assertGreaterEqual(got[0], 120)
        self.assertEqual(got, list(range(got[0], 200)))
        self.assertEqual(last["dropped"], got[0] - 50)

    def test_no_look_under_headroom_off_after_start(self):
        # HEADROOM=off set by the program after it connected: it stops looking for windows.
        w1 = self.window("token-one")
        code = textwrap.dedent("""
            import json, os, sys, time, headroom
            from headroom import _discovery
            headroom.checkpoint("a")
            headroom.flush()
            open(os.path.join(sys.argv[1], "phase1"), "w").close()
            while not os.path.exists(os.path.join(sys.argv[1], "go")):
                time.sleep(0.01)
            os.environ["HEADROOM"] = "off"
            before = _discovery.looks
            for i in range(100):
                headroom.checkpoint("b")
                time.sleep(0.03)
            print(json.dumps({"looks": _discovery.looks - before}))
        """)
        script = os.path.join(self.ws, "off.py")
        with open(script, "w") as f:
            f.write(code)
        proc = subprocess.Popen([sys.executable, script, self.gate], cwd=self.ws, env=program_env(self.rt.dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.wait_for("phase1", proc)
        w1.kill()
        self.window("token-two")
        self.touch("go")
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(json.loads(out.strip().splitlines()[-1])["looks"], 0)

    def test_looks_at_most_every_interval(self):
        # With no window anywhere, 3 s of reporting makes a handful of looks, not one per flush.
        w1 = self.window("token-one")
        code = textwrap.dedent("""
            import json, os, sys, time, headroom
            from headroom import _discovery, _transport
            headroom.checkpoint("a")
            headroom.flush()
            open(os.path.join(sys.argv[1], "phase1"), "w").close()
            while not os.path.exists(os.path.join(sys.argv[1], "go")):
                time.sleep(0.01)
            before = _discovery.looks
            end = time.monotonic() + 3
            while time.monotonic() < end:
                headroom.checkpoint("b")
                time.sleep(0.005)
            print(json.dumps({"looks": _discovery.looks - before, "interval": _transport.RECONNECT_INTERVAL}))
        """)
        script = os.path.join(self.ws, "nowin.py")
        with open(script, "w") as f:
            f.write(code)
        proc = subprocess.Popen([sys.executable, script, self.gate], cwd=self.ws, env=program_env(self.rt.dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.wait_for("phase1", proc)
        w1.kill()
        self.touch("go")
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        res = json.loads(out.strip().splitlines()[-1])
        self.assertGreaterEqual(res["looks"], 1)
        self.assertLessEqual(res["looks"], 3 / res["interval"] + 1)


if __name__ == "__main__":
    unittest.main()
