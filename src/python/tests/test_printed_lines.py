"""The client's own printed lines speak the editor's units and rounding (headroom._format, the
mirror of src/shared/format.ts); lines whose format a seed tool documents keep the seed's."""
import ast
import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import headroom
from headroom import _cleanup, _status, _tracking

from .helpers import PY_ROOT

# Seed formats, left to the seeds' own words: training.py prints seed 002's Batch/Epoch lines,
# sampler.py writes seed 003's MiB logs and plot. _format.py is the formatter itself.
SEED_FORMATS = {"training", "sampler", "_format"}
# A size put into a string by hand: `%.1f MB`, `%+.2f GB`, `{x:.1f} MiB`, `%.1f KB/...`.
HAND_FORMATTED_SIZE = re.compile(r"(%[-+ 0#]*\d*(\.\d+)?f|\{[^{}]*:[-+ 0#]*\d*(\.\d+)?f\})\s*(k|K|M|G|T|Ki|Mi|Gi|Ti)?B\b")


def region(delta, peak_above, duration, before=10**9):
    r = headroom.Region("load")
    r.rss_before, r.delta, r.peak, r.duration = before, delta, before + peak_above, duration
    return r


class PrintedLines(unittest.TestCase):
    def test_a_region_line_has_the_lens_figures(self):
        # 754.5 MB: the tie that '%.0f' rounds to 754 and the editor to 755.
        self.assertEqual(
            _tracking.region_line("load", region(754_500_000, 999_500_000, 0.9995)),
            "[headroom] load: +755 MB RSS kept by block, peak +1.00 GB inside, 1.00 s",
        )
        self.assertEqual(_tracking.region_line("step", region(-35_200_000, 0, 61), "kept per call"), "[headroom] step: -35.2 MB RSS kept per call, peak 0 B inside, 1 min 1 s")

    def test_verbose_track_prints_the_region_line(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            with headroom.track("block", verbose=True) as r:
                buf = b"x" * (20 << 20)
            del buf
        self.assertEqual(out.getvalue(), _tracking.region_line("block", r) + "\n")
        self.assertRegex(out.getvalue(), r"^\[headroom\] block: [-+]?[0-9.]+ (B|kB|MB) RSS kept by block, peak \+(2\d\.\d|1\d\.\d) MB inside, \d+ ms\n$")

    def test_a_safe_operation_prints_the_same_line(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            with headroom.safe_operation("infer", threshold_gb=10**6) as op:
                pass
        self.assertEqual(out.getvalue(), _tracking.region_line("infer", op.region) + "\n")

    def test_a_cleanup_reads_as_the_editors_notification(self):
        res = _cleanup.CleanupResult()
        res.rss_before, res.rss_after, res.duration = 3_000_000_000, 1_200_000_000, 0.12
        res.devices = [
            {"kind": "cuda", "index": 0, "field": "reserved", "before": 4e9, "after": 2e9, "freed": 2_000_000_000},
            {"kind": "cuda", "index": 1, "field": "reserved", "before": 2e9, "after": 0.9e9, "freed": 1_100_000_000},
            {"kind": "cuda", "index": 0, "field": "allocated", "before": 1e9, "after": 1e9, "freed": 0},
        ]
        # describeCleanup (src/extension/sessions/forceCleanup.ts) says the same: devices summed by kind, none that freed nothing.
        self.assertEqual(str(res), "Freed 1.80 GB RSS, 3.10 GB CUDA reserved in 120 ms")
        self.assertEqual(repr(res), "CleanupResult(Freed 1.80 GB RSS, 3.10 GB CUDA reserved in 120 ms)")

    def test_status_uses_decimal_units_and_whole_percent(self):
        info = {"rss": 2_450_000_000, "percent": 15.5, "available": 13_549_000_000, "cgroup_limit": 8e9, "cgroup_usage": 3.25e9,
                "devices": [{"kind": "cuda", "index": 0, "allocated": 1.2e9, "reserved": 2e9}]}
        with mock.patch.object(_status, "memory_info", return_value=info):
            self.assertEqual(headroom.status("eval"), "[eval] Memory: 2.45 GB RSS, 16% used, 13.5 GB available, cgroup 3.3/8.0 GB | cuda:0 1.20 GB alloc / 2.00 GB reserved")

    def test_a_leak_report_speaks_bytes_per_iteration(self):
        self.assertEqual(repr(headroom.LeakReport([], 2_097_152, 0.99, 64 * 1024)), "LeakReport(leaking: +2.10 MB/iteration, r2=0.99)")

    def test_python_m_headroom_monitor_prints_the_peak_in_the_editors_units(self):
        with tempfile.TemporaryDirectory() as d:
            code = "import time; x = b'a' * (60 << 20); time.sleep(0.5)"
            p = subprocess.run([sys.executable, "-m", "headroom", "monitor", "--log-dir", d, "--", sys.executable, "-c", code],
                               env=dict(os.environ, PYTHONPATH=PY_ROOT), capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = re.search(r"^headroom: peak ([0-9.]+) MB \(rss\); logs in ", p.stderr, re.M)
        self.assertTrue(m, p.stderr)
        self.assertGreater(float(m.group(1)), 60 * 1.048576)

    def test_no_module_of_the_client_formats_a_size_by_hand(self):
        for found in ('"peak %.1f MB"', "%+.2f GB", "f'{x / 2**20:.1f} MiB'", "%.1f KB/iteration"):
            self.assertTrue(HAND_FORMATTED_SIZE.search(found), found)
        self.assertIsNone(HAND_FORMATTED_SIZE.search("%.2f s, r2=%.2f"))
        pkg = os.path.join(PY_ROOT, "headroom")
        for name in sorted(os.listdir(pkg)):
            if not name.endswith(".py") or name[:-3] in SEED_FORMATS:
                continue
            with open(os.path.join(pkg, name), encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.JoinedStr):
                    text = ast.unparse(node)  # an f-string: its format specs are not constants
                elif isinstance(node, ast.Constant) and isinstance(node.value, str) and not _is_docstring(tree, node):
                    text = node.value
                else:
                    continue
                self.assertIsNone(HAND_FORMATTED_SIZE.search(text), "%s:%d formats a size by hand: %r (use headroom._format)" % (name, node.lineno, text))


def _is_docstring(tree, node):
    for n in ast.walk(tree):
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body:
            first = n.body[0]
            if isinstance(first, ast.Expr) and first.value is node:
                return True
    return False
