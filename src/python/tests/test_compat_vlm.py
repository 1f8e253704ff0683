"""headroom.compat.vlm: seed 000's memory monitor, its names, defaults, values and lines, and what it reports."""
import contextlib
import inspect
import io
import os
import re
import unittest
from unittest import mock

from headroom import _cleanup, _procmem
from headroom.compat import vlm

from .helpers import MB, run_logged

GB = 1024 ** 3
STATUS = r"📊 %sMemory: \d+\.\d\dGB RSS, \d+\.\d%% used, \d+\.\d\dGB available"


def printed(fn, *args, **kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        value = fn(*args, **kwargs)
    return value, out.getvalue().splitlines()


class Surface(unittest.TestCase):
    def test_names_signatures_and_defaults(self):
        self.assertIsInstance(vlm.memory_monitor, vlm.MemoryMonitor)
        self.assertEqual((vlm.DEFAULT_MEMORY_THRESHOLD, vlm.DEFAULT_CLEANUP_THRESHOLD), (12.0, 2.0))
        params = lambda f: [(p.name, p.default) for p in inspect.signature(f).parameters.values()]
        empty = inspect.Parameter.empty
        m = vlm.MemoryMonitor
        self.assertEqual(params(m.get_memory_gb), [("self", empty)])
        self.assertEqual(params(m.print_memory_status), [("self", empty), ("label", "")])
        self.assertEqual(params(m.force_cleanup), [("self", empty), ("model_name", None)])
        self.assertEqual(params(m.check_memory_pressure), [("self", empty), ("threshold_gb", 12.0)])
        self.assertEqual(params(m.memory_safe_operation), [("self", empty), ("operation_name", empty), ("threshold_gb", 12.0)])
        self.assertEqual(params(vlm.MemorySafeContext), [("monitor", empty), ("operation_name", empty), ("threshold_gb", empty)])

    def test_memory_safe_operation_takes_keywords_and_gives_a_context(self):
        ctx = vlm.memory_monitor.memory_safe_operation(operation_name="custom_operation", threshold_gb=10.0)
        self.assertIsInstance(ctx, vlm.MemorySafeContext)
        self.assertEqual((ctx.operation_name, ctx.threshold_gb, ctx.monitor), ("custom_operation", 10.0, vlm.memory_monitor))
        _, lines = printed(ctx.__enter__)
        self.assertIsNone(printed(ctx.__exit__, None, None, None)[0])

    def test_readings(self):
        rss = _procmem.rss_vms()[0]
        self.assertAlmostEqual(vlm.memory_monitor.get_memory_gb(), rss / GB, delta=0.05)
        info = vlm.memory_monitor.get_memory_info()
        self.assertEqual(sorted(info), ["available_gb", "percent", "rss_gb", "vms_gb"])
        total = _procmem.system_memory()["total"]
        self.assertAlmostEqual(info["percent"], 100.0 * rss / total, delta=0.5, msg="this process's share of memory, as psutil's memory_percent()")
        self.assertGreater(info["available_gb"], 0)
        self.assertGreaterEqual(info["vms_gb"], info["rss_gb"])

    def test_a_threshold_that_is_not_a_number_is_refused_clearly(self):
        for bad in ("12", None, True):
            with self.assertRaisesRegex(TypeError, "threshold_gb must be a number of GB"):
                vlm.memory_monitor.check_memory_pressure(bad)
            with self.assertRaises(TypeError):
                vlm.memory_monitor.memory_safe_operation("op", bad)


class Lines(unittest.TestCase):
    def test_status_line_with_and_without_a_label(self):
        self.assertIsNone(printed(vlm.memory_monitor.print_memory_status, "Before Model Load")[0])
        _, lines = printed(vlm.memory_monitor.print_memory_status, "Before Model Load")
        self.assertRegex(lines[0], "^" + STATUS % re.escape("[Before Model Load] ") + "$")
        _, lines = printed(vlm.memory_monitor.print_memory_status)
        self.assertRegex(lines[0], "^" + STATUS % "" + "$")

    def test_pressure_prints_and_answers(self):
        value, lines = printed(vlm.memory_monitor.check_memory_pressure, threshold_gb=0.0)
        self.assertIs(value, True)
        self.assertRegex(lines[0], r"^⚠️ Memory pressure detected: \d+\.\d\dGB > 0\.0GB$")
        self.assertEqual(printed(vlm.memory_monitor.check_memory_pressure)[:1], (False,))
        self.assertEqual(printed(vlm.memory_monitor.check_memory_pressure, 10 ** 6), (False, []))

    def test_force_cleanup_lines_follow_what_was_cleared(self):
        value, lines = printed(vlm.memory_monitor.force_cleanup)
        self.assertIsNone(value)
        self.assertEqual(lines, ["🧹 Force cleanup for unknown model...", "✅ Force cleanup completed"])
        result = _cleanup.CleanupResult()
        result.actions = ["gc.collect (3 unreachable)", "torch.cuda.empty_cache + ipc_collect", "torch.mps.empty_cache", "mlx.clear_cache"]
        result.errors = ["mlx: metal is gone"]
        with mock.patch.object(vlm, "cleanup", return_value=result) as cleanup:
            _, lines = printed(vlm.memory_monitor.force_cleanup, "model_switch")
        cleanup.assert_called_once_with(reason="model_switch")
        self.assertEqual(lines, [
            "🧹 Force cleanup for model_switch...", "  🔧 MPS cache cleared", "  🔧 CUDA cache cleared", "  🔧 MLX Metal cache cleared",
            "  🔧 MLX memory cleared", "  ⚠️ MLX cleanup warning: metal is gone", "✅ Force cleanup completed",
        ])

    def test_a_console_that_cannot_print_emoji_gets_question_marks(self):
        raw = io.BytesIO()
        ascii_out = io.TextIOWrapper(raw, encoding="ascii")
        with contextlib.redirect_stdout(ascii_out):
            vlm.memory_monitor.print_memory_status("x")
        ascii_out.flush()
        self.assertRegex(raw.getvalue().decode("ascii"), r"^\? \[x\] Memory: ")


class Reports(unittest.TestCase):
    def test_safe_operation_lines_region_and_cleanups(self):
        records, out, script = run_logged("""
            from headroom.compat import vlm
            from headroom.compat.vlm import memory_monitor
            vlm.DEFAULT_CLEANUP_THRESHOLD = 0.1  # 100 MB of growth, not 2 GB, triggers the cleanup after
            memory_monitor.print_memory_status("Before Model Load")
            with memory_monitor.memory_safe_operation("large_inference", threshold_gb=0.0):
                kept = b"x" * (150 << 20)
            try:
                with memory_monitor.memory_safe_operation("fails"):
                    raise KeyError("boom")
            except KeyError:
                print("raised through")
            memory_monitor.get_memory_gb()
        """)
        lines = out.splitlines()
        self.assertRegex(lines[0], "^" + STATUS % re.escape("[Before Model Load] "))
        self.assertRegex(lines[1], "^" + STATUS % re.escape("[Before large_inference] "))
        self.assertRegex(lines[2], r"^⚠️ Memory pressure detected: \d+\.\d\dGB > 0\.0GB$")
        self.assertEqual(lines[3], "🧹 Force cleanup for large_inference...")
        after = lines.index("✅ Force cleanup completed") + 1
        self.assertRegex(lines[after], "^" + STATUS % re.escape("[After large_inference] "))
        self.assertRegex(lines[after + 1], r"^📈 Memory change: \+0\.1[45]GB$")
        self.assertEqual(lines[after + 2], "⚠️ Large memory increase detected, forcing cleanup...")
        self.assertRegex(lines[-5], r"^📉 Memory after cleanup: \d+\.\d\dGB$")
        # A block that raises still gets its lines; the exception goes on.
        self.assertRegex(lines[-4], "^" + STATUS % re.escape("[Before fails] "))
        self.assertRegex(lines[-3], "^" + STATUS % re.escape("[After fails] "))
        self.assertRegex(lines[-2], r"^📈 Memory change: [-+]0\.\d\dGB$")
        self.assertEqual(lines[-1], "raised through")

        cps = [r for r in records if r["type"] == "checkpoint"]
        self.assertEqual([(c.get("label"), c["line"]) for c in cps], [("Before Model Load", 5), (None, 13)])
        self.assertTrue(all(c["file"] == os.path.realpath(script) or c["file"] == script for c in cps))
        ends = [r for r in records if r["type"] == "region_end"]
        self.assertEqual([(e["label"], e["line"]) for e in ends], [("large_inference", 6), ("fails", 9)])
        self.assertGreater(ends[0]["mem"]["rss"] - [r for r in records if r["type"] == "region_start"][0]["mem"]["rss"], 140 * MB)
        self.assertEqual(ends[1]["error"], "KeyError: 'boom'")
        reasons = [r["reason"] for r in records if r["type"] == "cleanup_result"]
        self.assertEqual(reasons, ["large_inference", "large_inference"], "before (under pressure) and after (grew)")


if __name__ == "__main__":
    unittest.main()
