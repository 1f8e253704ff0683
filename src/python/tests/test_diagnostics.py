import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import unittest
from unittest import mock

import headroom
from headroom import _diagnostics

from .helpers import PY_ROOT, run_logged, run_logged_full

FAILING_READS = """
    import json, headroom
    from headroom import _procmem
    def broken():
        raise OSError("no statm")
    real, _procmem.rss_vms = _procmem.rss_vms, broken
    headroom.checkpoint("a")
    headroom.checkpoint("b")
    _procmem.rss_vms = real
    headroom.checkpoint("c")
    print(json.dumps(headroom.diagnostics()))
"""


class Counting(unittest.TestCase):
    def setUp(self):
        _diagnostics.reset()
        self.addCleanup(_diagnostics.reset)

    def test_counts_every_error_and_keeps_the_first_message(self):
        _diagnostics.note("x", ValueError("one"))
        _diagnostics.note("x", ValueError("two"))
        _diagnostics.note("y", "plain text")
        self.assertEqual(_diagnostics.counts(), {"x": 2, "y": 1})
        self.assertEqual(_diagnostics.messages(), {"x": "ValueError: one", "y": "plain text"})
        self.assertEqual(headroom.diagnostics()["errors"], {"x": 2, "y": 1})
        self.assertEqual(headroom.diagnostics()["messages"]["x"], "ValueError: one")

    def test_long_messages_are_cut(self):
        _diagnostics.note("long", "m" * 10_000)
        self.assertEqual(len(_diagnostics.messages()["long"]), _diagnostics.MAX_MESSAGE)

    def test_silent_by_default(self):
        err = io.StringIO()
        with mock.patch.dict(os.environ, {}, clear=False), contextlib.redirect_stderr(err):
            os.environ.pop("HEADROOM_DEBUG", None)
            _diagnostics.note("x", ValueError("one"))
        self.assertEqual(err.getvalue(), "")

    def test_one_stderr_line_per_code_with_HEADROOM_DEBUG(self):
        err = io.StringIO()
        with mock.patch.dict(os.environ, {"HEADROOM_DEBUG": "1"}), contextlib.redirect_stderr(err):
            for _ in range(3):
                _diagnostics.note("x", ValueError("one"))
            _diagnostics.note("y", KeyError("k"))
        lines = err.getvalue().splitlines()
        self.assertEqual(len(lines), 2, lines)
        self.assertIn("[x]: ValueError: one", lines[0])
        self.assertIn("[y]: KeyError: 'k'", lines[1])
        self.assertEqual(_diagnostics.counts(), {"x": 3, "y": 1})

    def test_a_broken_stderr_does_not_raise(self):
        class Closed(io.StringIO):
            def write(self, s):
                raise ValueError("I/O operation on closed file")

        with mock.patch.dict(os.environ, {"HEADROOM_DEBUG": "1"}), contextlib.redirect_stderr(Closed()):
            _diagnostics.note("x", "still counted")
        self.assertEqual(_diagnostics.counts(), {"x": 1})


class Reporting(unittest.TestCase):
    def test_internal_errors_are_counted_in_bye_and_never_raised(self):
        records, out, err, _ = run_logged_full(FAILING_READS)
        self.assertEqual(err, "", "nothing on stderr without HEADROOM_DEBUG")
        d = json.loads(out)
        self.assertEqual(d["errors"], {"checkpoint": 2})
        self.assertEqual(d["messages"], {"checkpoint": "OSError: no statm"})
        self.assertTrue(d["enabled"])
        self.assertEqual(d["version"], headroom.__version__)
        self.assertEqual([r["label"] for r in records if r["type"] == "checkpoint"], ["c"], "the failed checkpoints are skipped")
        bye = records[-1]
        self.assertEqual(bye["type"], "bye")
        self.assertEqual(bye["errors"], {"checkpoint": 2})

    def test_HEADROOM_DEBUG_prints_the_first_of_each_code_once(self):
        _, _, err, _ = run_logged_full(FAILING_READS, {"HEADROOM_DEBUG": "1"})
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertIn("[checkpoint]: OSError: no statm", lines[0])

    def test_a_clean_run_has_no_errors_in_bye(self):
        records, _, _ = run_logged("""
            import headroom
            headroom.checkpoint("fine")
            with headroom.track("r"):
                pass
        """)
        self.assertEqual(records[-1]["type"], "bye")
        self.assertNotIn("errors", records[-1])

    def test_the_users_own_exceptions_still_propagate(self):
        records, out, _ = run_logged("""
            import headroom
            @headroom.track("work")
            def work():
                raise KeyError("mine")
            caught = []
            try:
                work()
            except KeyError as e:
                caught.append("call")
            try:
                with headroom.safe_operation("op", threshold_gb=1000, verbose=False):
                    raise ValueError("mine too")
            except ValueError:
                caught.append("safe_operation")
            try:
                with headroom.peak_memory():
                    raise RuntimeError("and this")
            except RuntimeError:
                caught.append("peak_memory")
            print(" ".join(caught), headroom.diagnostics()["errors"])
        """)
        self.assertEqual(out.strip(), "call safe_operation peak_memory {}")
        call = [r for r in records if r["type"] == "call"][0]
        self.assertEqual(call["error"], "KeyError: 'mine'")
        end = [r for r in records if r["type"] == "region_end"][0]
        self.assertEqual(end["error"], "ValueError: mine too")


class ControlMessages(unittest.TestCase):
    """Headroom's requests over a real socket: ping and cleanup, answered by their handlers."""

    def test_ping_and_cleanup_requests_are_answered_with_their_ids(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "h.sock")
            srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            srv.bind(path)
            srv.listen(1)
            srv.settimeout(30)
            code = textwrap.dedent("""
                import sys, time, headroom
                from headroom import _client
                def broken(msg):
                    raise RuntimeError("handler failed")
                headroom.checkpoint("hi")
                headroom.flush()
                sys.stdin.readline()  # until the test has its answers
                _client.on_control("ping", broken)
                print("broken", flush=True)
                deadline = time.monotonic() + 20
                while not headroom.diagnostics()["errors"] and time.monotonic() < deadline:
                    time.sleep(0.01)
            """)
            env = dict(os.environ, PYTHONPATH=PY_ROOT, HEADROOM_ADDR="unix:" + path, HEADROOM_TOKEN="t0k")
            env.pop("HEADROOM_LOG", None)
            p = subprocess.Popen([sys.executable, "-c", code], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                conn, _ = srv.accept()
                conn.settimeout(30)
                lines = conn.makefile("rb")
                hello = json.loads(lines.readline())
                self.assertEqual((hello["type"], hello["token"]), ("hello", "t0k"))
                self.assertEqual(hello["client"], "headroom-py/" + headroom.__version__)
                conn.sendall(b'{"v":1,"type":"ping","id":"p1"}\n{"v":1,"type":"cleanup","id":"c1","reason":"from the test"}\n')
                got = {}
                while not ("pong" in got and "cleanup_result" in got):
                    r = json.loads(lines.readline())
                    got[r["type"]] = r
                self.assertEqual(got["pong"]["id"], "p1")
                result = got["cleanup_result"]
                self.assertEqual((result["id"], result["reason"]), ("c1", "from the test"))
                self.assertTrue(any(a.startswith("gc.collect") for a in result["actions"]))
                # A handler that raises is counted, and the connection carries on.
                p.stdin.write("\n")
                p.stdin.close()
                self.assertEqual(p.stdout.readline().strip(), "broken")
                conn.sendall(b'{"v":1,"type":"ping","id":"p2"}\n')
                self.assertEqual(p.wait(30), 0)
                rest = [json.loads(line) for line in lines]
                bye = rest[-1]
                self.assertEqual(bye["type"], "bye")
                self.assertEqual(bye["errors"], {"control-ping": 1})
                self.assertNotIn("pong", [r["type"] for r in rest])
                conn.close()
            finally:
                if p.poll() is None:
                    p.kill()
                p.stdout.close()
                srv.close()


if __name__ == "__main__":
    unittest.main()
