"""The CUDA allocator breakdown each record carries, read from a stand-in torch (no GPU here):
which figures, from how many torch calls, and memory_get_info only where and when it is safe."""
import sys
import unittest
from unittest import mock

from headroom import _devices, _diagnostics, protocol
from headroom._client import snapshot

from .cuda_standin import CONTEXT, MiB, SEGMENT, TOTAL, StandInCuda, StandInTorch, Without


class Breakdown(unittest.TestCase):
    def setUp(self):
        _devices._device_info_at.clear()
        self.torch = StandInTorch(devices=2)
        self.cuda = self.torch.cuda
        patcher = mock.patch.dict(sys.modules, {"torch": self.torch})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_every_figure_of_the_allocator_from_one_read_of_its_statistics_per_device(self):
        c = self.cuda
        c.alloc(0, 300 * MiB)
        c.free(0, 100 * MiB, split=30 * MiB)
        c.retry_and_oom(0, retries=3, ooms=1)
        self.cuda.calls.clear()
        d0, d1 = _devices.device_memory()
        self.assertEqual(c.calls["memory_stats_as_nested_dict"], 2, "one read per device, not one per figure")
        self.assertEqual(c.calls["memory_stats"], 0, "torch's own dict, not flattened again in Python")
        self.assertEqual(d0["kind"], "cuda")
        self.assertEqual(d0["allocated"], 200 * MiB)
        self.assertEqual(d0["reserved"], 300 * MiB)
        self.assertEqual(d0["max_allocated"], 300 * MiB)
        self.assertEqual(d0["max_reserved"], 300 * MiB)
        self.assertEqual(d0["active"], 200 * MiB)
        self.assertEqual(d0["inactive_split"], 30 * MiB)
        self.assertEqual((d0["num_alloc_retries"], d0["num_ooms"]), (3, 1))
        self.assertEqual(d0["device_total"], TOTAL)
        self.assertEqual(d0["device_used"], 300 * MiB + CONTEXT, "the driver's view: the segments plus the CUDA context")
        self.assertGreater(d0["device_used"] - d0["reserved"], 0, "memory outside the allocator shows")
        self.assertEqual(d1["allocated"], 0)

    def test_mem_get_info_only_on_devices_the_program_uses(self):
        # It would create a CUDA context (hundreds of MB) on a GPU the program never touched.
        self.cuda.alloc(0, 1 * MiB)
        d0, d1 = _devices.device_memory()
        self.assertEqual(self.cuda.calls["mem_get_info"], 1)
        self.assertIn("device_used", d0)
        self.assertNotIn("device_used", d1)
        self.assertNotIn("device_total", d1)

    def test_mem_get_info_at_most_once_per_period_per_device(self):
        self.cuda.alloc(0, SEGMENT)
        with mock.patch.object(_devices.time, "monotonic", return_value=1000.0):
            first = _devices.device_memory()[0]
            second = _devices.device_memory()[0]
        with mock.patch.object(_devices.time, "monotonic", return_value=1000.0 + _devices.DEVICE_INFO_PERIOD):
            third = _devices.device_memory()[0]
        self.assertIn("device_used", first)
        self.assertNotIn("device_used", second, "within the period the driver is not asked again")
        self.assertIn("device_used", third)
        self.assertEqual(self.cuda.calls["mem_get_info"], 2)
        self.assertEqual(second["reserved"], SEGMENT, "the allocator's own figures come with every record")

    def test_a_torch_cuda_with_only_the_flat_memory_stats_gives_the_same_figures(self):
        self.cuda.alloc(0, 300 * MiB)
        self.cuda.free(0, 100 * MiB, split=30 * MiB)
        nested = _devices.device_memory()[0]
        _devices._device_info_at.clear()
        with mock.patch.dict(sys.modules, {"torch": StandInTorch(cuda=Without(self.cuda, "memory_stats_as_nested_dict"))}):
            flat = _devices.device_memory()[0]
        self.assertEqual(flat, nested)
        self.assertEqual(self.cuda.calls["memory_stats"], 2)

    def test_a_torch_cuda_without_memory_stats_still_gives_the_four_figures(self):
        old = StandInCuda(devices=1)
        old.alloc(0, 50 * MiB)
        bare = Without(old, "memory_stats", "memory_stats_as_nested_dict", "mem_get_info")
        with mock.patch.dict(sys.modules, {"torch": StandInTorch(cuda=bare)}):
            (d,) = _devices.device_memory()
        self.assertEqual((d["allocated"], d["reserved"], d["max_allocated"]), (50 * MiB, 60 * MiB, 50 * MiB))
        self.assertNotIn("inactive_split", d)
        self.assertNotIn("device_used", d, "no mem_get_info: no driver figures, and no error")

    def test_a_failing_mem_get_info_is_counted_and_the_allocator_figures_stay(self):
        self.cuda.alloc(0, MiB)
        self.cuda.mem_get_info = mock.Mock(side_effect=RuntimeError("CUDA error: unspecified launch failure"))
        before = _diagnostics.counts().get("cuda-mem-get-info", 0)
        d0 = _devices.device_memory()[0]
        self.assertEqual(d0["allocated"], MiB)
        self.assertNotIn("device_used", d0)
        self.assertEqual(_diagnostics.counts()["cuda-mem-get-info"], before + 1)

    def test_a_failing_memory_stats_is_counted_never_raised(self):
        self.cuda.memory_stats_as_nested_dict = mock.Mock(side_effect=RuntimeError("driver shutting down"))
        before = _diagnostics.counts().get("cuda-memory", 0)
        self.assertEqual(_devices.device_memory(), [])
        self.assertEqual(_diagnostics.counts()["cuda-memory"], before + 1)

    def test_cuda_not_initialised_reads_nothing(self):
        self.cuda.initialized = False
        self.assertEqual(_devices.device_memory(), [])
        self.assertEqual(sum(self.cuda.calls.values()), 0, "not one torch.cuda call before the program initialises CUDA")

    def test_a_record_with_the_breakdown_is_valid_protocol(self):
        self.cuda.alloc(0, 3 * MiB)
        mem = snapshot()
        r = {"v": 1, "type": "checkpoint", "t": 1.0, "pid": 1, "seq": 0, "mem": mem}
        self.assertEqual(protocol.validate(r)["mem"]["devices"][0]["device_used"], SEGMENT + CONTEXT)


if __name__ == "__main__":
    unittest.main()
