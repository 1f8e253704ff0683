"""headroom.compat.cobra: seed 001's MemoryManager, its checks, values and errors, and what it reports."""
import inspect
import unittest
from unittest import mock

from headroom.compat import cobra

from .helpers import run_logged

MiB = 1 << 20

try:
    import numpy
except ImportError:
    numpy = None


class FakeDevice:
    """What MemoryManager reads of a torch.device: its type and index."""

    def __init__(self, type_, index=None):
        self.type, self.index = type_, index

    def __str__(self):
        return self.type if self.index is None else "%s:%d" % (self.type, self.index)


class Surface(unittest.TestCase):
    def test_signature_and_defaults(self):
        params = [(p.name, p.default) for p in inspect.signature(cobra.MemoryManager).parameters.values()]
        self.assertEqual(params, [("device", inspect.Parameter.empty), ("memory_threshold", 0.8)])
        m = cobra.MemoryManager("cpu")
        self.assertEqual((m.device, m.memory_threshold), ("cpu", 0.8))
        dev = FakeDevice("cuda", 1)
        self.assertIs(cobra.MemoryManager(dev).device, dev, "the device is kept as given")

    def test_threshold_outside_0_1_is_a_value_error(self):
        for bad in (0, 0.0, -0.5, 1.0001, 80):
            with self.assertRaisesRegex(ValueError, r"^memory_threshold must be between 0 and 1, got %s$" % bad):
                cobra.MemoryManager("cpu", memory_threshold=bad)
        for good in (1, 1.0, 0.001, 0.5):
            self.assertEqual(cobra.MemoryManager("cpu", memory_threshold=good).memory_threshold, good)
        for bad in ("0.8", None, True):
            with self.assertRaisesRegex(TypeError, "memory_threshold must be a number"):
                cobra.MemoryManager("cpu", bad)

    def test_a_device_that_is_not_one_is_a_type_error(self):
        for bad in (3, None, "", "cuda:x", ["cuda"]):
            with self.assertRaisesRegex(TypeError, "device must be a torch.device or a string"):
                cobra.MemoryManager(bad)


class Cpu(unittest.TestCase):
    def test_usage_is_zero_and_nothing_is_collected(self):
        for device in ("cpu", FakeDevice("cpu"), "mps", "cuda", "cuda:1", FakeDevice("cuda", 0)):
            m = cobra.MemoryManager(device, memory_threshold=0.001)
            self.assertEqual(m.check_memory_usage(), 0.0, device)  # no GPU in use in this process
            with mock.patch.object(cobra, "cleanup") as cleanup:
                self.assertIsNone(m.trigger_gc_if_needed())
            cleanup.assert_not_called()
            self.assertIsNone(m.clear_cache())

    def test_the_documented_image_estimates(self):
        m = cobra.MemoryManager("cpu")
        # Seed 001: 512x512 ~23 MB, 1024x1024 ~91 MB, 2048x2048 ~365 MB (input, 4 references,
        # latent and its activations, times 1.5).
        for side, documented in ((512, 23), (1024, 91), (2048, 365)):
            px = side * side
            exact = int((px * 12 * 5 + (px // 64) * 16 * 3) * 1.5)
            self.assertEqual(m.estimate_memory_required((side, side)), exact)
            self.assertLess(abs(exact / MiB - documented), 1)
        self.assertIsInstance(m.estimate_memory_required((640, 480)), int)
        self.assertEqual(m.estimate_memory_required((0, 0)), 0)

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_sizes_are_sizes(self):
        m = cobra.MemoryManager("cpu")
        self.assertEqual(m.estimate_memory_required((numpy.int64(512), numpy.int32(512))), m.estimate_memory_required((512, 512)))

    def test_a_size_that_is_not_one_is_a_value_error(self):
        m = cobra.MemoryManager("cpu")
        for bad in ((1,), (1, 2, 3), (-1, 5), (1.5, 2), ("a", "b"), None, 512):
            with self.assertRaisesRegex(ValueError, r"image_size must be \(width, height\)"):
                m.estimate_memory_required(bad)


class Gpu(unittest.TestCase):
    """The threshold logic on a device the program uses: usage from Headroom's device reader."""

    def test_collects_at_or_above_the_threshold_only(self):
        m = cobra.MemoryManager(FakeDevice("cuda", 0), memory_threshold=0.8)
        for usage, collects in ((0.79, False), (0.8, True), (0.95, True)):
            with mock.patch.object(cobra, "device_usage", return_value=usage) as read, mock.patch.object(cobra, "cleanup") as cleanup:
                self.assertEqual(m.check_memory_usage(), usage)
                self.assertIsNone(m.trigger_gc_if_needed())
            read.assert_called_with("cuda", 0)
            self.assertEqual(cleanup.called, collects, usage)
        self.assertIn("cuda memory usage 95% >= threshold 80%", cleanup.call_args.kwargs["reason"])

    def test_an_unreadable_device_reads_zero(self):
        with mock.patch.object(cobra, "device_usage", return_value=None):
            self.assertEqual(cobra.MemoryManager("mps").check_memory_usage(), 0.0)

    def test_clear_cache_goes_to_the_device(self):
        with mock.patch.object(cobra, "clear_device_cache") as clear:
            cobra.MemoryManager("cuda:1").clear_cache()
            cobra.MemoryManager(FakeDevice("mps")).clear_cache()
        self.assertEqual([c.args for c in clear.call_args_list], [("cuda", 1), ("mps", None)])


class Reports(unittest.TestCase):
    def test_each_check_is_a_checkpoint_on_its_line(self):
        records, out, _ = run_logged("""
            from headroom.compat.cobra import MemoryManager
            manager = MemoryManager("cpu", memory_threshold=0.8)
            for i in range(3):
                block = b"i" * (20 << 20)
                manager.clear_cache()
                manager.trigger_gc_if_needed()
            print(manager.check_memory_usage())
        """)
        self.assertEqual(out.strip(), "0.0")
        lines = [r["line"] for r in records if r["type"] == "checkpoint"]
        self.assertEqual(lines, [7, 7, 7, 8])
        self.assertNotIn("cleanup_result", [r["type"] for r in records], "nothing collected on the CPU")


if __name__ == "__main__":
    unittest.main()
