"""Per-step CUDA peaks (`reset_peaks=True`) with a stand-in torch (no GPU here): each step's
max_allocated is its own, the epoch and the blocks around the steps keep theirs, and nothing
resets torch's peaks unless asked."""
import os
import sys
import unittest
from unittest import mock

import headroom
from headroom import protocol

from .cuda_standin import MiB, StandInTorch
from .helpers import run_logged

# Each step keeps 10 MiB and, inside, needs a transient buffer of (step + 1) * 100 MiB.
# (The stand-in is imported by path: the tests package's __init__ clears HEADROOM_LOG.)
STEPS = """
    import sys
    sys.path.insert(0, %r)
    from cuda_standin import install, MiB
    cuda = install()
    import headroom
    cuda.alloc(0, 1000 * MiB)  # the model: the run's peak so far is 1000 MiB
    def step(k):
        cuda.alloc(0, (k + 1) * 100 * MiB)
        cuda.free(0, (k + 1) * 100 * MiB)
        cuda.alloc(0, 10 * MiB)
""" % os.path.dirname(os.path.abspath(__file__))


def cuda_of(record, where="mem"):
    return [d for d in record[where]["devices"] if d["kind"] == "cuda"][0]


class PerStepPeaks(unittest.TestCase):
    def test_epoch_monitor_reset_peaks_gives_each_batch_its_own_peak(self):
        records, _, _ = run_logged(STEPS + """
    m = headroom.EpochMonitor(print_fn=None, reset_peaks=True)
    m.on_epoch_start()
    cuda.free(0, 1000 * MiB)  # after the epoch started: the model's 1000 MiB is not a step's peak
    for k in range(3):
        step(k)
        m.on_batch_end(k)
    m.on_epoch_end()
""")
        batches = [r for r in records if r["type"] == "batch_end"]
        peaks = [cuda_of(r)["max_allocated"] // MiB for r in batches]
        # Step 0 started with the model's 1000 MiB freed only after the epoch's reset: its peak
        # still holds them; steps 1 and 2 start from what step 0 left.
        self.assertEqual(peaks, [1000, 10 + 200, 20 + 300])
        end = [r for r in records if r["type"] == "epoch_end"][0]
        self.assertEqual(end["peak"]["devices"][0]["allocated"] // MiB, 1000, "the epoch's peak survives the per-step resets")
        for r in records:
            protocol.validate(r)

    def test_without_reset_peaks_each_batch_reports_the_peak_so_far(self):
        records, _, _ = run_logged(STEPS + """
    m = headroom.EpochMonitor(print_fn=None)
    m.on_epoch_start()
    for k in range(3):
        step(k)
        m.on_batch_end(k)
""")
        peaks = [cuda_of(r)["max_allocated"] // MiB for r in records if r["type"] == "batch_end"]
        self.assertEqual(peaks, [1100, 1210, 1320], "the epoch's running peak: what reset_peaks is for")

    def test_checkpoint_reset_peaks_makes_the_next_checkpoint_a_steps_peak(self):
        records, _, _ = run_logged(STEPS + """
    headroom.checkpoint("model loaded", reset_peaks=True)
    for k in range(3):
        step(k)
        headroom.checkpoint("step end", reset_peaks=True)
    headroom.checkpoint("after", reset_peaks=False)
    step(0)
    headroom.checkpoint("not reset before")
""")
        cps = [r for r in records if r["type"] == "checkpoint"]
        peaks = [cuda_of(r)["max_allocated"] // MiB for r in cps]
        self.assertEqual(peaks, [1000, 1100, 1210, 1320, 1030, 1130])


class RegionPeaks(unittest.TestCase):
    """In this process, not connected: track() measures all the same (Region.peak_devices)."""

    def setUp(self):
        self.torch = StandInTorch()
        self.cuda = self.torch.cuda
        patcher = mock.patch.dict(sys.modules, {"torch": self.torch})
        patcher.start()
        self.addCleanup(patcher.stop)

    def peak(self, region):
        return region.peak_devices[0]["allocated"] // MiB

    def test_a_region_with_reset_peaks_reports_its_own_peak_and_the_outer_keeps_its_own(self):
        c = self.cuda
        with headroom.track("epoch") as outer:
            c.alloc(0, 800 * MiB)
            c.free(0, 800 * MiB)
            with headroom.track("step", reset_peaks=True) as inner:
                c.alloc(0, 50 * MiB)
                c.free(0, 50 * MiB)
        self.assertEqual(self.peak(inner), 50)
        self.assertEqual(self.peak(outer), 800, "the reset inside did not lose the outer block's peak")

    def test_a_region_without_reset_peaks_does_not_touch_torchs_peaks(self):
        c = self.cuda
        c.alloc(0, 800 * MiB)
        c.free(0, 800 * MiB)
        with headroom.track("step") as r:
            c.alloc(0, 50 * MiB)
        self.assertEqual(self.cuda.calls["reset_peak_memory_stats"], 0, "opt-in: the program's own max_memory_allocated stays")
        self.assertEqual(self.peak(r), 800)

    def test_a_decorated_function_with_reset_peaks(self):
        c = self.cuda
        c.alloc(0, 500 * MiB)
        c.free(0, 500 * MiB)

        @headroom.track(reset_peaks=True, verbose=True)
        def step():
            c.alloc(0, 40 * MiB)
            c.free(0, 40 * MiB)

        with mock.patch("builtins.print"):
            step()
        self.assertEqual(self.cuda.calls["reset_peak_memory_stats"], 1)
        self.assertEqual(self.cuda.max_memory_allocated(0) // MiB, 40)

    def test_peak_memory_inside_a_region_leaves_the_region_its_peak(self):
        c = self.cuda
        with headroom.track("load") as r:
            c.alloc(0, 600 * MiB)
            c.free(0, 600 * MiB)
            with headroom.peak_memory() as p:
                c.alloc(0, 20 * MiB)
        self.assertEqual(p.devices[0]["allocated"] // MiB, 20)
        self.assertEqual(self.peak(r), 600)

    def test_reset_peaks_is_public_and_harmless_without_cuda(self):
        with mock.patch.dict(sys.modules, {"torch": None}):
            headroom.reset_peaks()
        headroom.reset_peaks()
        self.assertEqual(self.cuda.calls["reset_peak_memory_stats"], 1)


if __name__ == "__main__":
    unittest.main()
