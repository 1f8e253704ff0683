"""Allocation sites (tracemalloc) in a real program: known sites and sizes, growth between two
checkpoints, the bound on the record, and hostile names carried as plain data."""
import json
import os
import unittest

from headroom import _alloc_reduce as reduce, protocol

from .helpers import MB, run_logged

try:
    import numpy  # noqa: F401

    HAVE_NUMPY = True
except ImportError:
    HAVE_NUMPY = False

# Line numbers below are those of the program's own text (the first line is 1).
KNOWN_SITES = """\
import headroom, numpy as np
headroom.trace_allocations()
a = bytearray(300 * 1024 * 1024)
b = [np.ones(512 * 1024) for _ in range(50)]
c = []
def grow(n):
    for _ in range(n):
        c.append(bytes(1000))
grow(20000)
headroom.checkpoint("epoch 1", allocations=True)
grow(20000)
headroom.checkpoint("epoch 2", allocations=True)
r = headroom.allocations(top=5)
print(len(r["sites"]), r["more"]["sites"] >= 0)
"""
LINE_A, LINE_B, LINE_C = 3, 4, 8
C_ITEM = 1000 + 33  # bytes(1000): the payload plus the bytes object's header


def site(record, line):
    return next(s for s in record["sites"] if s["line"] == line and s["file"].endswith(".py") and "package" not in s)


@unittest.skipUnless(HAVE_NUMPY, "numpy is not installed for this Python")
class KnownSites(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        records, cls.out, cls.script = run_logged(KNOWN_SITES, timeout=180)
        cls.snaps = [r for r in records if r["type"] == "allocations"]

    def test_three_snapshots_validate(self):
        self.assertEqual(len(self.snaps), 3)
        for r in self.snaps:
            protocol.validate(r)
            self.assertLess(len(json.dumps(r)), reduce.DEFAULT_LIMIT)

    def test_sites_and_sizes_within_five_percent(self):
        r = self.snaps[1]
        self.assertEqual(r["label"], "epoch 2")
        self.assertEqual(r["line"], 12)
        a, b, c = site(r, LINE_A), site(r, LINE_B), site(r, LINE_C)
        self.assertAlmostEqual(a["size"] / (300 * MB), 1, delta=0.05)
        self.assertLessEqual(a["count"], 2)  # the buffer, and the bytearray object itself
        self.assertAlmostEqual(b["size"] / (50 * 4 * MB), 1, delta=0.05)
        self.assertGreaterEqual(b["count"], 50)
        self.assertEqual(b["via"], "numpy")
        self.assertAlmostEqual(c["size"] / (40000 * C_ITEM), 1, delta=0.05)
        # The grown list's line is reached through grow(): its traceback says from where.
        self.assertIn(11, [f["line"] for f in c["traceback"]])
        self.assertEqual(r["file"], self.script)

    def test_growth_since_the_previous_checkpoint(self):
        r = self.snaps[1]
        self.assertEqual(r["since"]["label"], "epoch 1")
        self.assertAlmostEqual(site(r, LINE_C)["grew"] / (20000 * C_ITEM), 1, delta=0.05)
        self.assertLess(abs(site(r, LINE_A)["grew"]), MB)

    def test_user_code_comes_before_packages(self):
        r = self.snaps[2]
        self.assertEqual(len(r["sites"]) > 0, True)
        kinds = ["package" in s for s in r["sites"]]
        self.assertEqual(kinds, sorted(kinds))
        self.assertEqual(self.out.split(), [str(len(r["sites"])), "True"])

    def test_tracing_state_and_overhead_are_reported(self):
        t = self.snaps[0]["tracing"]
        self.assertEqual(t["started_by"], "headroom")
        self.assertEqual(t["nframe"], 5)
        self.assertGreater(t["overhead"], 1.0)
        self.assertGreater(t["memory"], 0)


class SinceALabel(unittest.TestCase):
    def test_growth_against_a_named_snapshot_and_tracing_started_by_the_first(self):
        records, _, _ = run_logged("""
            import headroom
            headroom.checkpoint("start", allocations=True)
            kept = []
            def add(n):
                kept.extend(bytes(1000) for _ in range(n))
            add(1000)
            headroom.allocations("a")
            add(2000)
            headroom.allocations("b")
            add(4000)
            headroom.allocations("c", since="a")
        """)
        snaps = {r["label"]: r for r in records if r["type"] == "allocations"}
        self.assertTrue(snaps["start"]["tracing"]["started"])
        self.assertNotIn("started", snaps["a"]["tracing"])
        self.assertEqual(snaps["b"]["since"]["label"], "a")
        self.assertEqual(snaps["c"]["since"]["label"], "a")
        grew = next(s["grew"] for s in snaps["c"]["sites"] if s["line"] == 6)
        self.assertAlmostEqual(grew / (6000 * 1033), 1, delta=0.05)


class Reduction(unittest.TestCase):
    def lines(self, n, name="/home/u/train.py"):
        return {(name, i + 1): [1000 * (i + 1), 1, ((name, i + 1), ("/home/u/main.py", 7)), 1000 * (i + 1), None] for i in range(n)}

    def test_packages_are_grouped_after_user_code(self):
        lines = {
            ("/home/u/a.py", 1): [10, 1, (("/home/u/a.py", 1),), 10, None],
            ("/usr/lib/python3/dist-packages/numpy/core/x.py", 2): [500, 1, (("/usr/lib/python3/dist-packages/numpy/core/x.py", 2),), 500, None],
            ("/v/lib/python3.11/site-packages/torch/nn.py", 3): [300, 1, (("/v/lib/python3.11/site-packages/torch/nn.py", 3),), 300, None],
            ("/v/lib/python3.11/site-packages/torch/fx.py", 4): [250, 1, (("/v/lib/python3.11/site-packages/torch/fx.py", 4),), 250, None],
        }
        out, more = reduce.sites(lines)
        self.assertEqual([s.get("package") for s in out], [None, "torch", "torch", "numpy"])
        self.assertEqual(more, {"sites": 0, "size": 0, "count": 0})

    def test_a_library_allocation_lands_on_the_program_line_that_called_it(self):
        np_file = "/v/lib/python3.11/site-packages/numpy/core/numeric.py"
        groups = {((np_file, 200), ("/home/u/a.py", 4), ("/home/u/a.py", 9)): [4 * MB, 1], (("/home/u/a.py", 4), ("/home/u/a.py", 9)): [100, 2]}
        out, _ = reduce.sites(reduce.by_line(groups))
        self.assertEqual(out, [{"file": "/home/u/a.py", "line": 4, "size": 4 * MB + 100, "count": 3, "via": "numpy", "traceback": [{"file": "/home/u/a.py", "line": 9}]}])

    def test_top_n_counts_what_was_left_out(self):
        out, more = reduce.sites(self.lines(100), top=10)
        self.assertEqual(len(out), 10)
        self.assertEqual(out[0]["size"], 100000)
        self.assertEqual(more["sites"], 90)
        self.assertEqual(more["size"], sum(1000 * i for i in range(1, 91)))

    def test_a_record_over_the_limit_is_trimmed_below_it(self):
        long_name = "/home/u/" + "x" * 5000 + ".py"
        out, more = reduce.sites(self.lines(400, long_name), top=400)
        r = reduce.fit({"source": "tracemalloc", "sites": out, "more": more}, limit=64 * 1024)
        self.assertLessEqual(reduce.encoded_size(r), 64 * 1024)
        self.assertTrue(r["trimmed"])
        self.assertEqual(len(r["sites"]) + r["more"]["sites"], 400)
        self.assertEqual(r["sites"][0]["size"], 400000)  # the largest kept

    def test_a_record_that_cannot_fit_is_refused(self):
        with self.assertRaises(reduce.TooLarge):
            reduce.fit({"source": "tracemalloc", "sites": [], "label": "x" * 5000}, limit=1000)

    def test_refused_snapshot_is_never_sent(self):
        records, out, _ = run_logged("""
            import headroom
            headroom.trace_allocations(measure=False)
            x = [bytes(100) for _ in range(1000)]
            print(headroom.allocations("x" * 900, limit=500) is None)
            headroom.checkpoint("after")
        """)
        self.assertEqual(out.strip(), "True")
        self.assertEqual([r for r in records if r["type"] == "allocations"], [])
        bye = next(r for r in records if r["type"] == "bye")
        self.assertEqual(bye["errors"], {"allocations": 1})

    def test_hostile_file_names_are_carried_as_data(self):
        evil = '/tmp/<img src=x onerror=alert(1)>/"\n[click](command:rm)'
        out, _ = reduce.sites({(evil, 3): [10, 1, ((evil, 3), (evil, 4)), 10, None]})
        line = json.dumps({"v": 1, "type": "allocations", "t": 1.0, "pid": 1, "seq": 0, "source": "tracemalloc", "sites": out})
        self.assertEqual(protocol.decode_line(line)["sites"][0]["file"], evil)
        self.assertNotIn("\n", line)


if __name__ == "__main__":
    unittest.main()


class EditorRequest(unittest.TestCase):
    """The `allocations` control message, as "Headroom: Show Allocation Sites" sends it, answered
    by a real program over a real socket."""

    def test_a_request_is_answered_with_sites_and_tensors(self):
        from .test_oom import ControlListener, start

        listener = ControlListener()
        self.addCleanup(listener.close)
        p, path = start("""
            import time, headroom
            headroom.trace_allocations(measure=False)
            kept = [bytearray(1024 * 1024) for _ in range(20)]
            headroom.checkpoint("ready")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                time.sleep(0.01)
        """, listener)
        self.addCleanup(lambda: (p.kill(), p.communicate()))
        listener.wait(lambda r: r.get("label") == "ready")
        listener.send({"v": 1, "type": "allocations", "id": "req-1", "top": 3, "tensors": True})
        got = listener.wait(lambda r: r["type"] == "allocations" and r.get("source") == "tracemalloc")
        r = got[0]
        self.assertEqual(r["id"], "req-1")
        self.assertLessEqual(len(r["sites"]), 6)
        top = r["sites"][0]
        self.assertEqual((os.path.basename(top["file"]), top["line"]), (os.path.basename(path), 4))
        self.assertAlmostEqual(top["size"] / (20 * MB), 1, delta=0.05)
        tensors = listener.wait(lambda r: r["type"] == "allocations" and r.get("source") == "tensors")[0]
        self.assertEqual((tensors["id"], tensors["tensors"]), ("req-1", []))  # no torch imported: none, and none imported
        protocol.validate(r)
