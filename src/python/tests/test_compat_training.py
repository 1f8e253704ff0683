"""headroom.compat.training: seed 002's monitors, their lines (CPU, and CUDA through a stand-in
torch), what they report, and that a disabled monitor costs nothing."""
import contextlib
import inspect
import io
import os
import sys
import time
import types
import unittest
from unittest import mock

from headroom.compat import training as tr

from .helpers import run_logged
from .seed_examples import SEEDS_DIR, documented_output, shape

MiB = 1 << 20


def printed(fn, *args, **kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        value = fn(*args, **kwargs)
    return value, out.getvalue().splitlines()


def fake_cuda_torch(allocated=14.4, reserved=3242.0, peak=2880.3):
    """A torch whose CUDA is initialised, with fixed allocator figures in MiB (no GPU here)."""
    cuda = types.SimpleNamespace(
        is_initialized=lambda: True, device_count=lambda: 1, reset_peak_memory_stats=mock.Mock(),
        memory_allocated=lambda d=0: int(allocated * MiB), memory_reserved=lambda d=0: int(reserved * MiB),
        max_memory_allocated=lambda d=0: int(peak * MiB), max_memory_reserved=lambda d=0: int(reserved * MiB),
        get_device_properties=lambda d=0: types.SimpleNamespace(total_memory=80 * 1024 * MiB, name="Fake"),
    )
    return types.SimpleNamespace(cuda=cuda, backends=types.SimpleNamespace(mps=types.SimpleNamespace(is_available=lambda: False)))


def seed_002_lines():
    with open(os.path.join(SEEDS_DIR, [n for n in os.listdir(SEEDS_DIR) if n.startswith("002")][0]), encoding="utf-8") as f:
        return documented_output(f.read())


class Surface(unittest.TestCase):
    def test_signatures_and_defaults(self):
        sig = lambda f: [(p.name, p.default) for p in inspect.signature(f).parameters.values()]
        empty = inspect.Parameter.empty
        self.assertEqual(sig(tr.MemoryMonitor.print_memory_usage), [("prefix", ""), ("device", 0)])
        self.assertEqual(sig(tr.MemoryMonitor.get_gpu_memory_mb), [("device", 0)])
        self.assertEqual(sig(tr.MemoryMonitor.get_cpu_memory_mb), [])
        for name in ("get_cpu_memory_mb", "get_gpu_memory_mb", "get_gpu_memory_reserved_mb", "get_memory_summary", "print_memory_usage", "log_memory_usage"):
            self.assertIsInstance(inspect.getattr_static(tr.MemoryMonitor, name), staticmethod, name)
        self.assertEqual(sig(tr.MemoryTracker), [("device", 0)])
        self.assertEqual(sig(tr.track_memory), [("label", "operation"), ("device", 0), ("print_output", True)])
        self.assertEqual(sig(tr.monitor_memory), [("label", None), ("device", 0), ("verbose", True)])
        self.assertEqual(sig(tr.EpochMemoryMonitor), [("enabled", True), ("verbose_batches", 5), ("device", 0)])
        self.assertEqual(sig(tr.EpochMemoryMonitor.on_batch_end), [("self", empty), ("batch_idx", empty), ("loss", None)])
        self.assertEqual(sig(tr.BatchMemoryProfiler), [("enabled", True), ("device", 0)])

    def test_readings_on_the_cpu(self):
        self.assertAlmostEqual(tr.MemoryMonitor.get_cpu_memory_mb(), tr._cpu_mb(), delta=5)
        self.assertEqual(tr.MemoryMonitor.get_gpu_memory_mb(), 0.0)
        summary = tr.MemoryMonitor.get_memory_summary()
        self.assertEqual(sorted(summary), ["cpu_memory_mb", "gpu_memory_allocated_mb", "gpu_memory_reserved_mb"])


class CpuLines(unittest.TestCase):
    def test_print_memory_usage(self):
        _, lines = printed(tr.MemoryMonitor.print_memory_usage, "After model creation: ")
        self.assertRegex(lines[0], r"^After model creation: CPU: \d+\.\d MB \| GPU: Not available$")

    def test_epoch_monitor_prints_the_first_batches_as_documented(self):
        m = tr.EpochMemoryMonitor(enabled=True, verbose_batches=2)
        _, lines = printed(lambda: [m.on_epoch_start()] + [m.on_batch_end(i, 0.005310 * (i + 1)) for i in range(4)] + [m.on_epoch_end()])
        documented = shape([d for d in seed_002_lines() if d.startswith("Batch 0")][0])
        self.assertEqual(len(lines), 2, "two verbose batches, and no epoch line without CUDA")
        for line in lines:
            self.assertRegex(line, documented)
        self.assertTrue(lines[1].endswith("loss=0.010620"))
        self.assertEqual(printed(m.on_batch_end, 0)[1][0].count("loss"), 0, "no loss, no loss field")

    def test_tracker_summary_table(self):
        t = tr.MemoryTracker()
        self.assertEqual(printed(t.print_summary)[1], ["No memory records available"])
        t.record("initialization")
        t.record("after_training")
        lines = "\n".join(printed(t.print_summary)[1]).split("\n")
        self.assertEqual(lines[:5], ["", "=" * 80, "Memory Usage Summary", "=" * 80, "Label                          CPU (MB)     GPU Alloc (MB)  GPU Reserved (MB)"])
        self.assertEqual(lines[5], "-" * 80)
        self.assertRegex(lines[6], r"^initialization {17,}\d+\.\d {13}0\.0 {17}0\.0$")
        self.assertEqual(lines[-2:], ["=" * 80, ""])
        self.assertEqual(t.get_peak_memory()["gpu_peak_mb"], 0.0)
        t.clear()
        self.assertEqual(t.records, [])

    def test_profiler_summary(self):
        p = tr.BatchMemoryProfiler()
        p.checkpoint("data_loaded")
        p.checkpoint("forward")
        self.assertEqual(printed(p.print_summary)[1], ["    Memory profile:", "      start → data_loaded: GPU 0.0 MB ( 0.0 MB)", "      data_loaded → forward: GPU 0.0 MB ( 0.0 MB)"])
        p.reset()
        self.assertEqual(printed(p.print_summary)[1], [])

    def test_track_memory_and_monitor_memory_lines(self):
        def block():
            with tr.track_memory("data loading") as value:
                kept.append(b"d" * (30 * MiB))
            return value

        kept = []
        value, lines = printed(block)
        self.assertIsNone(value)
        self.assertRegex(lines[0], r"^\[Memory\] data loading: CPU \+(29|30|31)\.\d MB, GPU \+0\.0 MB$")

        class Trainer:
            @tr.monitor_memory("training epoch")
            def _train_epoch(self):
                return "done"

            @tr.monitor_memory()
            def fails(self):
                raise ValueError("no")

        value, lines = printed(Trainer()._train_epoch)
        self.assertEqual((value, len(lines)), ("done", 1))
        self.assertRegex(lines[0], r"^\[Memory\] training epoch: CPU [-+]\d+\.\d MB, GPU \+0\.0 MB$")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), self.assertRaises(ValueError):
            Trainer().fails()
        self.assertEqual(out.getvalue(), "", "like the original, nothing printed when the function raises")
        self.assertEqual(Trainer.fails.__name__, "fails")


class CudaLines(unittest.TestCase):
    """The GPU forms, with a stand-in torch whose CUDA is initialised (this machine has no GPU)."""

    def setUp(self):
        patcher = mock.patch.dict(sys.modules, {"torch": fake_cuda_torch()})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_epoch_end_line_is_the_documented_one(self):
        m = tr.EpochMemoryMonitor(verbose_batches=1)
        _, lines = printed(lambda: (m.on_epoch_start(), m.on_batch_end(0, 0.005310), m.on_epoch_end()))
        self.assertEqual(lines, ["Batch 0: GPU 14.4 MB, CPU %.1f MB, loss=0.005310" % float(lines[0].split("CPU ")[1].split(" MB")[0]),
                                 "Epoch end: GPU 14.4 MB allocated, 3242.0 MB reserved, peak 2880.3 MB"])
        self.assertIn(lines[1], seed_002_lines(), "seed 002's own Example Output line")
        sys.modules["torch"].cuda.reset_peak_memory_stats.assert_called()

    def test_usage_and_track_lines(self):
        _, lines = printed(tr.MemoryMonitor.print_memory_usage, "Batch 3: ")
        self.assertRegex(lines[0], r"^Batch 3: CPU: \d+\.\d MB \| GPU Allocated: 14\.4 MB \| GPU Reserved: 3242\.0 MB$")
        def block():
            with tr.track_memory("fwd"):
                pass

        _, lines = printed(block)
        self.assertRegex(lines[0], r"^\[Memory\] fwd: CPU [-+]\d+\.\d MB, GPU \+0\.0 MB$")
        self.assertEqual(lines[1], "         Peak GPU: 2880.3 MB")
        summary = tr.MemoryMonitor.get_memory_summary()
        self.assertAlmostEqual(summary["gpu_memory_free_mb"], 80 * 1024 - 3242.0, places=1)

    def test_profiler_deltas(self):
        p = tr.BatchMemoryProfiler()
        sys.modules["torch"] = fake_cuda_torch(allocated=54.4)
        p.checkpoint("forward")
        self.assertEqual(printed(p.print_summary)[1][1], "      start → forward: GPU 54.4 MB (+40.0 MB)")


class Reports(unittest.TestCase):
    def test_epochs_batches_regions_calls_and_checkpoints_on_the_users_lines(self):
        records, out, script = run_logged("""
            from headroom.compat.training import *
            monitor = EpochMemoryMonitor(enabled=True, verbose_batches=2)
            for epoch in range(2):
                monitor.on_epoch_start()
                for batch_idx in range(4):
                    monitor.on_batch_end(batch_idx, 0.5)
                monitor.on_epoch_end()
            tracker = MemoryTracker()
            tracker.record("baseline")
            with track_memory("config_A"):
                data = b"a" * (40 << 20)
            @monitor_memory("training epoch")
            def _train_epoch():
                return 1
            _train_epoch()
            profiler = BatchMemoryProfiler(enabled=True)
            profiler.checkpoint("forward")
            MemoryMonitor.print_memory_usage("After model creation: ")
        """)
        at = lambda t: [(r.get("label"), r["line"]) for r in records if r["type"] == t]
        self.assertEqual([r["line"] for r in records if r["type"] == "epoch_start"], [5, 5])
        batches = [r for r in records if r["type"] == "batch_end"]
        self.assertEqual(len(batches), 8, "every batch, not only the printed ones")
        self.assertTrue(all(b["line"] == 7 and b["loss"] == 0.5 for b in batches))
        self.assertEqual([(r["epoch"], r["batches"], r["line"]) for r in records if r["type"] == "epoch_end"], [(0, 4, 8), (1, 4, 8)])
        self.assertEqual(at("checkpoint"), [("baseline", 10), ("forward", 18), ("After model creation", 19)])
        self.assertEqual(at("region_end"), [("config_A", 11)])
        (call,) = [r for r in records if r["type"] == "call"]
        self.assertEqual((call["label"], call["func"], call["line"]), ("training epoch", "_train_epoch", 13))
        self.assertTrue(all(r["file"] in (script, os.path.realpath(script)) for r in records if "file" in r))
        self.assertEqual(out.count("Batch "), 4)

    def test_disabled_monitors_cost_nothing_and_say_nothing(self):
        records, out, _ = run_logged("""
            import time
            from headroom.compat.training import BatchMemoryProfiler, EpochMemoryMonitor
            monitor = EpochMemoryMonitor(enabled=False)
            profiler = BatchMemoryProfiler(enabled=False)
            t0 = time.perf_counter()
            for i in range(100000):
                monitor.on_batch_end(i, 0.1)
                profiler.checkpoint("step")
            monitor.on_epoch_start(); monitor.on_epoch_end()
            print((time.perf_counter() - t0) / 100000)
        """)
        self.assertLess(float(out.strip()), 5e-6, "two method calls and two attribute tests per step")
        self.assertEqual([r["type"] for r in records], ["hello", "bye"], "the client's own records, nothing from the monitors")


if __name__ == "__main__":
    unittest.main()
