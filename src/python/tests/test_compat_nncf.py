"""headroom.compat.nncf: seed 003's monitor, its data, logs and plots (SVG here; PNG through a
stand-in matplotlib), the context, at-exit saving, what it reports, and both command lines."""
import inspect
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path
from unittest import mock

from headroom.compat import nncf
from headroom.compat.nncf import MemoryMonitor, MemoryType, MemoryUnit, _logs
from headroom.compat.nncf.__main__ import table

from .helpers import PY_ROOT, run_logged

MiB = 1 << 20
SVG = "{http://www.w3.org/2000/svg}"


_quiet = logging.NullHandler()


def setUpModule():
    # NNCF's warning about SYSTEM memory goes to the "memory_monitor" logger; keep it off the test output.
    logging.getLogger("memory_monitor").addHandler(_quiet)


def tearDownModule():
    logging.getLogger("memory_monitor").removeHandler(_quiet)


class Tmp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="headroom-nncf-")
        self.addCleanup(shutil.rmtree, self.dir, True)


class Surface(unittest.TestCase):
    def test_names_signatures_and_defaults(self):
        self.assertEqual([(t.name, t.value) for t in MemoryType], [("RSS", "rss"), ("SYSTEM", "system")])
        self.assertEqual([u.value for u in MemoryUnit], ["B", "KiB", "MiB", "GiB", "KB", "MB", "GB"])
        sig = lambda f: [(p.name, p.default) for p in inspect.signature(f).parameters.values()]
        empty = inspect.Parameter.empty
        self.assertEqual(sig(MemoryMonitor), [("interval", 0.1), ("memory_type", MemoryType.RSS), ("memory_unit", MemoryUnit.MiB), ("include_child_processes", None)])
        self.assertEqual(sig(MemoryMonitor.start), [("self", empty), ("at_exit_fn", None)])
        self.assertEqual(sig(MemoryMonitor.get_data), [("self", empty), ("memory_from_zero", False)])
        self.assertEqual(sig(MemoryMonitor.save_memory_logs), [("self", empty), ("time_values", empty), ("memory_values", empty), ("save_dir", empty), ("plot_title", ""), ("filename_suffix", "")])
        self.assertEqual(sig(nncf.memory_monitor_context), [("interval", 0.1), ("memory_unit", MemoryUnit.MiB), ("return_max_value", True), ("save_dir", None)])
        self.assertTrue(MemoryMonitor(memory_type=MemoryType.RSS).include_child_processes)

    def test_system_memory_warns_once_on_nncfs_logger(self):
        nncf._system_memory_warning.cache_clear()
        with self.assertLogs("memory_monitor", "WARNING") as logs:
            MemoryMonitor(memory_type=MemoryType.SYSTEM)
            MemoryMonitor(memory_type=MemoryType.SYSTEM)
        self.assertEqual(logs.output, ["WARNING:memory_monitor:Please note that MemoryType.SYSTEM in general is affected by other processes that change RAM availability."])

    def test_bad_arguments_are_value_errors(self):
        for kw in ({"interval": 0}, {"interval": -1}, {"interval": "x"}, {"memory_type": "vms"}, {"memory_unit": "TB"}):
            with self.assertRaises(ValueError, msg=kw):
                MemoryMonitor(**kw)
        self.assertIs(MemoryMonitor(memory_type="system").memory_type, MemoryType.SYSTEM)


class Data(unittest.TestCase):
    def test_from_zero_and_units(self):
        mm = MemoryMonitor(interval=0.02, memory_unit=MemoryUnit.KiB)
        self.assertEqual(mm.get_data(), ([], []))
        self.assertIs(mm.start(), mm)
        with self.assertRaisesRegex(RuntimeError, "Monitoring already in progress"):
            mm.start()
        block = b"m" * (64 * MiB)
        time.sleep(0.15)
        del block
        mm.stop()
        mm.stop()  # a second stop does nothing
        times, kib = mm.get_data()
        self.assertEqual(times[0], 0)
        self.assertEqual(times, sorted(times))
        _, zero = mm.get_data(memory_from_zero=True)
        self.assertEqual(zero[0], 0)
        self.assertGreater(max(zero), 60 * 1024, "the 64 MiB block, in KiB")
        self.assertAlmostEqual(max(kib) - kib[0], max(zero), places=6)
        mm.memory_unit = MemoryUnit.MB
        self.assertAlmostEqual(max(mm.get_data(True)[1]), max(zero) * 1024 / 1e6, places=6)
        mm.start()
        mm.stop()
        self.assertLess(len(mm.get_data()[0]), len(times), "a new start begins a new series")

    def test_context_gives_peaks_or_series(self):
        with nncf.memory_monitor_context(interval=0.02) as mmc:
            block = b"c" * (48 * MiB)
            time.sleep(0.1)
            del block
        self.assertEqual(sorted(mmc.memory_data, key=lambda t: t.value), [MemoryType.RSS, MemoryType.SYSTEM])
        self.assertGreater(mmc.memory_data[MemoryType.RSS], 44)
        with nncf.memory_monitor_context(interval=0.02, return_max_value=False) as mmc:
            pass
        times, values = mmc.memory_data[MemoryType.SYSTEM]
        self.assertEqual((times[0], values[0]), (0, 0))


class Logs(Tmp):
    def test_log_text_is_nncfs_and_the_plot_an_svg(self):
        mm = MemoryMonitor()
        mm.save_memory_logs([0, 0.5, 1.25], [10.0, 250.5, 20.0], os.path.join(self.dir, "a", "b"), plot_title="Run", filename_suffix="_x")
        with open(os.path.join(self.dir, "a", "b", "rss_memory_usage_x.txt")) as f:
            self.assertEqual(f.read(), "0 10.000\n0.5 250.500\n1.25 20.000\nTotal time: 1.25\nMax memory: 250.500 (MiB)")
        svg = ET.parse(os.path.join(self.dir, "a", "b", "rss_memory_usage_x.svg")).getroot()
        texts = [t.text for t in svg.iter(SVG + "text")]
        self.assertIn("Run Max_rss: 250.50 MiB", texts)
        self.assertIn("Time (seconds)", texts)
        self.assertIn("Memory Usage (rss, MiB)", texts)
        self.assertEqual(len(list(svg.iter(SVG + "polyline"))), 1)
        self.assertIn("300", texts, "the value axis reaches past the peak")

    def test_no_measurements_and_a_str_save_dir(self):
        mm = MemoryMonitor(memory_type=MemoryType.SYSTEM)
        mm.save_memory_logs([], [], self.dir)
        self.assertEqual(os.listdir(self.dir), ["system_memory_usage.txt"])
        with open(os.path.join(self.dir, "system_memory_usage.txt")) as f:
            self.assertEqual(f.read(), _logs.EMPTY)

    def test_replot_with_a_suffix_and_a_bad_log(self):
        mm = MemoryMonitor()
        mm.save_memory_logs([0, 1], [1.0, 2.0], Path(self.dir))
        mm.save_memory_plot(Path(self.dir) / "rss_memory_usage.txt", "again", "_again")
        self.assertTrue(os.path.exists(os.path.join(self.dir, "rss_memory_usage_again.svg")))
        bad = os.path.join(self.dir, "bad.txt")
        with open(bad, "w") as f:
            f.write("0 1.0\nnot numbers\nTotal time: 1\nMax memory: 1 (MiB)")
        with self.assertRaisesRegex(ValueError, r"bad\.txt:2 is not a memory log line"):
            mm.save_memory_plot(bad)

    def test_png_through_matplotlib_when_installed(self):
        saved = []

        class Figure:
            def __init__(self, figsize):
                self.figsize, self.ax = figsize, mock.Mock()

            def subplots(self):
                return self.ax

            def tight_layout(self):
                pass

            def savefig(self, path):
                saved.append((path, self))

        fake = types.ModuleType("matplotlib.figure")
        fake.Figure = Figure
        with mock.patch.dict(sys.modules, {"matplotlib": types.ModuleType("matplotlib"), "matplotlib.figure": fake}):
            MemoryMonitor().save_memory_logs([0, 1], [5.0, 7.0], self.dir, plot_title="T")
        (path, fig), = saved
        self.assertEqual(path, os.path.join(self.dir, "rss_memory_usage.png"))
        self.assertEqual(fig.figsize, (10, 6))
        fig.ax.set_title.assert_called_once_with("T Max_rss: 7.00 MiB")
        fig.ax.set_ylabel.assert_called_once_with("Memory Usage (rss, MiB)")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "rss_memory_usage.svg")))


class Reports(unittest.TestCase):
    def test_monitors_are_regions_and_at_exit_saves_the_logs(self):
        d = tempfile.mkdtemp(prefix="headroom-nncf-")
        self.addCleanup(shutil.rmtree, d, True)
        records, _, _ = run_logged("""
            import time
            from functools import partial
            from headroom.compat.nncf import MemoryMonitor, MemoryType, memory_monitor_context
            def log(mm, fz):
                mm.save_memory_logs(*mm.get_data(memory_from_zero=fz), save_dir=%r, filename_suffix="_from-zero" if fz else "")
            stopped = MemoryMonitor(interval=0.02).start(at_exit_fn=lambda: print("must not run"))
            stopped.stop()
            left = MemoryMonitor(interval=0.02, memory_type=MemoryType.SYSTEM)
            left.start(at_exit_fn=partial(log, left, True))
            with memory_monitor_context(interval=0.02):
                block = b"r" * (40 << 20)
        """ % d)
        self.assertEqual(sorted(os.listdir(d)), ["system_memory_usage_from-zero.svg", "system_memory_usage_from-zero.txt"])
        starts = [(r["label"], r["line"]) for r in records if r["type"] == "region_start"]
        self.assertEqual(starts, [("memory monitor (rss)", 7), ("memory monitor (system)", 10), ("memory_monitor_context", 11)])
        ends = [r["label"] for r in records if r["type"] == "region_end"]
        self.assertEqual(ends, ["memory monitor (rss)", "memory_monitor_context", "memory monitor (system)"])
        self.assertEqual(records[-1]["type"], "bye", "the unstopped monitor's region ends at exit, before bye")


class CommandLine(Tmp):
    ALLOCATE = "import time\nblock = b'a' * (120 << 20)\ntime.sleep(0.6)\nprint('allocated')\n"

    def run_cli(self, *args):
        with open(os.path.join(self.dir, "allocate.py"), "w") as f:
            f.write(self.ALLOCATE)
        env = dict(os.environ, PYTHONPATH=PY_ROOT)
        return subprocess.run([sys.executable, "-m", "headroom.compat.nncf"] + list(args), cwd=self.dir, env=env, capture_output=True, text=True, timeout=120)

    def check_logs(self, log_dir):
        names = sorted(os.listdir(os.path.join(self.dir, log_dir)))
        self.assertEqual(names, sorted("%s_memory_usage%s.%s" % (t, s, e) for t in ("rss", "system") for s in ("", "_from-zero") for e in ("txt", "svg")))
        with open(os.path.join(self.dir, log_dir, "rss_memory_usage_from-zero.txt")) as f:
            peak = float(re.search(r"Max memory: ([0-9.]+) \(MiB\)", f.read()).group(1))
        self.assertGreater(peak, 110, "the child's 120 MiB: RSS counts the children")

    def check_summary(self, out):
        lines = out.splitlines()
        at = lines.index("Memory summary:")
        self.assertEqual(lines[at + 1:at + 3], ["Memory type    From zero    Peak value", "-------------  -----------  ------------"])
        rows = [re.split(r"\s{2,}", line) for line in lines[at + 3:at + 7]]
        self.assertEqual([r[:2] for r in rows], [["rss", "True"], ["rss", "False"], ["system", "True"], ["system", "False"]])
        self.assertTrue(all(re.match(r"^-?\d+ MiB$", r[2]) for r in rows))
        self.assertGreaterEqual(int(rows[0][2].split()[0]), 110)

    def test_words_after_the_options_are_the_command(self):
        p = self.run_cli("--log-dir", "./allocation_logs", sys.executable, "allocate.py")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("allocated", p.stdout)
        self.check_logs("allocation_logs")
        self.check_summary(p.stdout)

    def test_one_quoted_string_runs_through_the_shell(self):
        p = self.run_cli("%s allocate.py && echo through-the-shell" % sys.executable)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("through-the-shell", p.stdout)
        self.check_logs("memory_logs")
        self.check_summary(p.stdout)

    def test_exit_codes_and_mistakes(self):
        self.assertEqual(self.run_cli("--log-dir", "l", sys.executable, "-c", "import sys; sys.exit(3)").returncode, 3)
        p = self.run_cli("--log-dir", "l", "no-such-command-xyz", "--flag")
        self.assertEqual(p.returncode, 127)
        self.assertIn("python -m headroom.compat.nncf: cannot run no-such-command-xyz: ", p.stderr)
        p = self.run_cli("--log-dir", "l", "no-such-command-xyz")
        self.assertEqual(p.returncode, 127, "the shell's own answer for the quoted form")
        p = self.run_cli()
        self.assertEqual(p.returncode, 2)
        self.assertIn("give the command to monitor", p.stderr)

    def test_table_is_tabulates_simple_format(self):
        self.assertEqual(table(["Memory type", "From zero", "Peak value"], [["rss", True, "1234 MiB"], ["system", False, "7 MiB"]]), [
            "Memory type    From zero    Peak value", "-------------  -----------  ------------", "rss            True         1234 MiB", "system         False        7 MiB"])


if __name__ == "__main__":
    unittest.main()
