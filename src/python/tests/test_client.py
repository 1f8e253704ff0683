import os
import subprocess
import sys
import time
import unittest
from unittest import mock

import headroom
from headroom import _procmem

from .helpers import MB, PY_ROOT, run_logged


class Disabled(unittest.TestCase):
    def test_reporting_returns_at_once_without_headroom(self):
        self.assertFalse(headroom.enabled())
        self.assertIsNone(headroom.checkpoint("x"))
        t0 = time.perf_counter()
        for _ in range(100_000):
            headroom.checkpoint("x")
        per_call = (time.perf_counter() - t0) / 100_000
        self.assertLess(per_call, 5e-6)  # a function call and a None check

    def test_local_measurements_work_without_headroom(self):
        info = headroom.memory_info()
        self.assertGreater(info["rss"], 1 * MB)
        self.assertGreater(info["total"], info["available"])
        self.assertRegex(headroom.status("here"), r"^\[here\] Memory: [0-9.]+ (kB|MB|GB) RSS, [0-9]+% used")


class Records(unittest.TestCase):
    def test_checkpoints_carry_file_line_label_and_memory(self):
        records, _, script = run_logged("""
            import headroom
            headroom.checkpoint("before")
            data = b"x" * (200 << 20)
            headroom.checkpoint("after 200 MB")
            def step():
                headroom.checkpoint()
            step()
        """)
        cps = [r for r in records if r["type"] == "checkpoint"]
        self.assertEqual([c.get("label") for c in cps], ["before", "after 200 MB", None])
        self.assertEqual([c["line"] for c in cps], [3, 5, 7])
        self.assertTrue(all(c["file"] == os.path.realpath(script) or c["file"] == script for c in cps))
        self.assertEqual(cps[2]["func"], "step")
        grown = cps[1]["mem"]["rss"] - cps[0]["mem"]["rss"]
        self.assertGreater(grown, 0.9 * 200 * MB)
        self.assertLess(grown, 1.1 * 200 * MB)
        self.assertEqual(records[0]["type"], "hello")
        self.assertEqual(records[-1]["type"], "bye")
        self.assertEqual(records[-1]["dropped"], 0)

    def test_region_delta_and_peak_inside(self):
        records, out, _ = run_logged("""
            import headroom
            with headroom.track("load") as r:
                tmp = b"y" * (150 << 20)
                del tmp
                keep = b"z" * (50 << 20)
            print(r.delta, r.peak, r.rss_before)
        """)
        delta, peak, before = map(int, out.split())
        self.assertGreater(delta, 45 * MB)
        self.assertLess(delta, 60 * MB)
        self.assertGreater(peak - before, 145 * MB, "the peak saw the 150 MB that was freed inside")
        end = [r for r in records if r["type"] == "region_end"][0]
        self.assertEqual(end["peak"]["rss"], peak)
        self.assertEqual(end["label"], "load")

    def test_nested_regions_keep_the_outer_peak(self):
        _, out, _ = run_logged("""
            import headroom
            with headroom.track("outer") as outer:
                big = b"a" * (200 << 20)
                del big
                with headroom.track("inner") as inner:
                    small = b"b" * (20 << 20)
            print(outer.peak - outer.rss_before, inner.peak - inner.rss_before)
        """)
        outer_peak, inner_peak = map(int, out.split())
        self.assertGreater(outer_peak, 190 * MB)
        self.assertLess(inner_peak, 60 * MB)

    def test_decorated_function_and_exception_inside(self):
        records, _, _ = run_logged("""
            import headroom
            @headroom.track("work")
            def work(n):
                return len(b"w" * n)
            work(1 << 20)
            try:
                with headroom.track("fails"):
                    raise RuntimeError("boom")
            except RuntimeError:
                pass
        """)
        call = [r for r in records if r["type"] == "call"][0]
        self.assertEqual((call["label"], call["func"]), ("work", "work"))
        self.assertLessEqual(call["t0"], call["t"])
        end = [r for r in records if r["type"] == "region_end"][0]
        self.assertEqual(end["error"], "RuntimeError: boom")

    def test_decorated_calls_record_their_delta_and_peak(self):
        records, _, _ = run_logged("""
            import headroom
            @headroom.track("grow")
            def grow():
                return bytearray(50 << 20)  # kept by the caller: delta and peak
            @headroom.track
            def spike():
                b = bytearray(50 << 20)  # freed before returning: peak only
                n = len(b)
                del b
                return n
            keep = grow()
            spike()
        """)
        calls = {r["label"]: r for r in records if r["type"] == "call"}
        grow, spike = calls["grow"], calls["spike"]
        delta = grow["mem"]["rss"] - grow["mem0"]["rss"]
        self.assertGreater(delta, 45 * MB)
        self.assertLess(delta, 60 * MB)
        peak = grow["peak"]["rss"] - grow["mem0"]["rss"]
        self.assertGreater(peak, 45 * MB)
        self.assertLess(peak, 70 * MB)
        self.assertLess(abs(spike["mem"]["rss"] - spike["mem0"]["rss"]), 10 * MB, "spike gave its 50 MB back")
        spike_peak = spike["peak"]["rss"] - spike["mem0"]["rss"]
        self.assertGreater(spike_peak, 45 * MB, "the peak saw the 50 MB freed inside")
        self.assertLess(spike_peak, 70 * MB)
        self.assertEqual(spike["func"], "spike")

    def test_epoch_monitor_prints_first_batches_and_reports_all(self):
        records, out, _ = run_logged("""
            import headroom
            m = headroom.EpochMonitor(verbose_batches=2)
            for epoch in range(2):
                m.on_epoch_start()
                for b in range(5):
                    m.on_batch_end(b, loss=1.0 / (b + 1), batch_size=8)
                m.on_epoch_end()
        """)
        self.assertEqual(len([r for r in records if r["type"] == "batch_end"]), 10)
        ends = [r for r in records if r["type"] == "epoch_end"]
        self.assertEqual([(e["epoch"], e["batches"]) for e in ends], [(0, 5), (1, 5)])
        self.assertAlmostEqual(ends[0]["loss"], 0.2)
        self.assertEqual(out.count("Batch "), 4)
        self.assertIn("loss=1.000000", out)
        self.assertEqual(out.count("Epoch end"), 2)

    def test_forked_child_reports_as_itself(self):
        records, _, _ = run_logged("""
            import os, headroom
            headroom.checkpoint("parent")
            headroom.flush()
            pid = os.fork()
            if pid == 0:
                headroom.checkpoint("child")
                os._exit(0) if False else None
                import sys; sys.exit(0)
            os.waitpid(pid, 0)
            headroom.checkpoint("parent again")
        """)
        parent = records[0]["pid"]
        child = [r for r in records if r.get("label") == "child"][0]
        self.assertNotEqual(child["pid"], parent)
        hellos = {r["pid"]: r for r in records if r["type"] == "hello"}
        self.assertIn(child["pid"], hellos, "the child said hello as itself")
        self.assertEqual(hellos[child["pid"]]["ppid"], parent)
        self.assertEqual(child["seq"], 0)

    def test_huge_label_does_not_break_the_stream(self):
        records, _, _ = run_logged("""
            import headroom
            headroom.checkpoint("x" * 100000)
            headroom.checkpoint("<img src=x onerror=alert(1)>")
        """)
        labels = [r["label"] for r in records if r["type"] == "checkpoint"]
        self.assertEqual(len(labels[0]), 100000)
        self.assertEqual(labels[1], "<img src=x onerror=alert(1)>")

    def test_lone_surrogates_in_labels_and_argv_lose_no_record(self):
        # A non-UTF-8 file name reaches Python as lone surrogates (surrogateescape): in argv,
        # and in any label built from it. Such text has no UTF-8 form; before, it failed the
        # whole batch (hello and every checkpoint beside it lost).
        import json
        import tempfile

        fd, log = tempfile.mkstemp(suffix=".ndjson")
        os.close(fd)
        script = (
            "import sys, headroom\n"
            "headroom.checkpoint('before')\n"
            "headroom.checkpoint('file ' + sys.argv[1])\n"
            "headroom.checkpoint('after')\n"
        )
        env = dict(os.environ, HEADROOM_LOG=log, PYTHONPATH=PY_ROOT)
        env.pop("HEADROOM_ADDR", None)
        p = subprocess.run([sys.executable.encode(), b"-c", script.encode(), b"data-\xff.bin"], env=env, capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(log, encoding="utf-8") as f:
            records = [json.loads(line) for line in f if line.strip()]
        os.unlink(log)
        self.assertEqual(records[0]["type"], "hello")
        self.assertIn("data-\ufffd.bin", records[0]["argv"])
        self.assertEqual([r["label"] for r in records if r["type"] == "checkpoint"], ["before", "file data-\ufffd.bin", "after"])


class Cleanup(unittest.TestCase):
    def test_malloc_trim_returns_freed_heap_to_the_os(self):
        _, out, _ = run_logged("""
            import headroom
            chunks = [bytearray(512) for _ in range(400_000)]  # small blocks: heap, not mmap
            del chunks
            r = headroom.cleanup()
            print(r.rss_before, r.rss_after, " ".join(r.actions))
        """)
        before, after, actions = out.split(" ", 2)
        self.assertIn("malloc_trim(0)", actions)
        self.assertGreater(int(before) - int(after), 100 * MB)

    def test_pressure_by_absolute_and_fraction(self):
        # Thresholds on both sides of what this machine reads now, with room for drift.
        rss_gb = headroom.get_memory_gb()
        self.assertTrue(headroom.pressure(threshold_gb=rss_gb / 2))
        self.assertFalse(headroom.pressure(threshold_gb=rss_gb * 2))
        cg = _procmem.cgroup_limit()
        if cg:
            used = cg[1] / cg[0]
        else:
            used = _procmem.system_memory()["percent"] / 100.0
        self.assertTrue(0 < used < 1, used)
        below, above = used / 2, (used + 1) / 2
        self.assertTrue(headroom.pressure(fraction=below), "%.3f used is past %.3f" % (used, below))
        self.assertFalse(headroom.pressure(fraction=above), "%.3f used is short of %.3f" % (used, above))
        # Both given: either one past its threshold is pressure.
        self.assertTrue(headroom.pressure(threshold_gb=rss_gb * 2, fraction=below))
        self.assertFalse(headroom.pressure(threshold_gb=rss_gb * 2, fraction=above))
        self.assertTrue(headroom.pressure(threshold_gb=rss_gb / 2, fraction=above))
        for bad in (0, -0.1, 1.5):
            with self.assertRaises(ValueError):
                headroom.pressure(fraction=bad)

    def test_safe_operation_cleans_up_after_growth(self):
        records, out, script = run_logged("""
            import headroom
            with headroom.safe_operation("op", threshold_gb=1000, cleanup_gb=0.05) as op:
                keep = b"k" * (100 << 20)
            print(op.after_cleanup is not None, op.before_cleanup is None)
        """)
        self.assertIn("True True", out)
        self.assertTrue(any(r["type"] == "cleanup_result" and "grew" in (r.get("reason") or "") for r in records))
        # The block is reported on the user's `with` line (3), not inside headroom's own code.
        ends = [r for r in records if r["type"] == "region_end" and r.get("label") == "op"]
        self.assertEqual([(os.path.basename(e["file"]), e["line"]) for e in ends], [(os.path.basename(script), 3)])


class Extras(unittest.TestCase):
    def test_peak_memory_context(self):
        with headroom.peak_memory() as p:
            tmp = b"p" * (80 * MB)
            del tmp
        self.assertGreater(p.rss - p.start, 75 * MB)

    def test_image_estimate_matches_the_seed_figures(self):
        mib = lambda s: headroom.estimate_image_memory((s, s)) / MB
        self.assertAlmostEqual(mib(512), 22.6, delta=1.5)
        self.assertAlmostEqual(mib(1024), 90.4, delta=3)
        self.assertAlmostEqual(mib(2048), 361.5, delta=10)

    def test_memory_manager_validates_and_reads_usage(self):
        with self.assertRaises(ValueError):
            headroom.MemoryManager("cpu", memory_threshold=1.5)
        m = headroom.MemoryManager("cpu", memory_threshold=0.99)
        self.assertTrue(0 < m.check_memory_usage() < 1)
        self.assertFalse(m.trigger_gc_if_needed())

    def test_leak_check_tells_growth_from_steady(self):
        hoard = []
        leaking = headroom.leak_check(lambda: hoard.append(b"l" * (2 * MB)), iterations=12)
        steady = headroom.leak_check(lambda: len(b"s" * (2 * MB)), iterations=12)
        self.assertTrue(leaking.leaking, leaking)
        self.assertFalse(steady.leaking, steady)
        self.assertAlmostEqual(leaking.bytes_per_iteration / MB, 2, delta=0.3)

    def _batch(self, system, cgroup=None, **kw):
        with mock.patch.object(_procmem, "system_memory", return_value=system), mock.patch.object(_procmem, "cgroup_limit", return_value=cgroup):
            return headroom.suggest_batch_size(**kw)

    def test_suggest_batch_size(self):
        sys_1000 = {"available": 1000 * MB}
        # 0.85 x 1000 MB = 850 MB of budget: 8 items of 100 MB (8.5, rounded down).
        self.assertEqual(self._batch(sys_1000, per_item_bytes=100 * MB), 8)
        # 300 MB fixed leaves 550 MB: 5 items.
        self.assertEqual(self._batch(sys_1000, per_item_bytes=100 * MB, fixed_bytes=300 * MB), 5)
        # Fixed costs past the budget: none, not a negative count.
        self.assertEqual(self._batch(sys_1000, per_item_bytes=100 * MB, fixed_bytes=900 * MB), 0)
        # A cgroup limit wins over the system: 4096 - 1024 = 3072 MB free, 0.85 of it is
        # 2611.2 MB: 10 items of 256 MB.
        self.assertEqual(self._batch({"available": 100_000 * MB}, (4096 * MB, 1024 * MB), per_item_bytes=256 * MB), 10)
        # The whole of 1000 bytes: items of exactly 1000 fit once, of 1001 not at all.
        whole = {"available": 1000}
        self.assertEqual(self._batch(whole, per_item_bytes=1000, budget_fraction=1.0), 1)
        self.assertEqual(self._batch(whole, per_item_bytes=1001, budget_fraction=1.0), 0)
        self.assertEqual(self._batch(whole, per_item_bytes=3, budget_fraction=1.0), 333)
        self.assertEqual(self._batch(whole, per_item_bytes=250, budget_fraction=0.5), 2)
        # Nothing known about free memory: no batch.
        self.assertEqual(self._batch({"available": None}, per_item_bytes=1), 0)
        self.assertEqual(self._batch(None, per_item_bytes=1), 0)
        # CUDA asked for but not initialised (no torch here, or a CPU build): the CPU figures.
        self.assertEqual(self._batch(sys_1000, per_item_bytes=100 * MB, device="cuda:0"), 8)
        for bad in (0, -1):
            with self.assertRaises(ValueError):
                headroom.suggest_batch_size(per_item_bytes=bad)


class Sampler(unittest.TestCase):
    def test_interval_monitor_sees_an_allocation_and_writes_logs(self):
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            with headroom.memory_monitor_context(interval=0.02, return_max_value=True, save_dir=d, memory_from_zero=True) as ctx:
                blob = b"m" * (120 * MB)
                time.sleep(0.2)
                del blob
            self.assertGreater(ctx.memory_data[headroom.MemoryType.RSS], 110)
            files = sorted(os.listdir(d))
            self.assertEqual(files, ["memory_rss_from-zero.svg", "memory_rss_from-zero.txt", "memory_system_from-zero.svg", "memory_system_from-zero.txt"])
            with open(os.path.join(d, "memory_rss_from-zero.svg")) as f:
                svg = f.read()
            self.assertIn("<polyline", svg)

    def test_monitor_an_executable_with_its_children(self):
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            child = "import subprocess,sys,time; p=subprocess.Popen([sys.executable,'-c','x=b\"c\"*(150<<20); import time; time.sleep(1)']); p.wait()"
            p = subprocess.run([sys.executable, "-m", "headroom", "monitor", "--log-dir", d, "--interval", "0.05", "--", sys.executable, "-c", child],
                               env=dict(os.environ, PYTHONPATH=PY_ROOT), capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "memory_rss.txt")) as f:
                peak = max(float(line.split()[1]) for line in f if not line.startswith("#"))
            self.assertGreater(peak, 150, "the grandchild's 150 MB is in the tree")


if __name__ == "__main__":
    unittest.main()
