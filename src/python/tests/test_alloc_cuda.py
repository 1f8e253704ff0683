"""CUDA allocation sites from the allocator's snapshot. These machines have no GPU: the reduction
runs on tests/fixtures/cuda_snapshot_standin.json, a STAND-IN for a GPU-recorded snapshot, written
by hand in the layout torch.cuda.memory._snapshot() returns (see its _comment);
bench/cuda_snapshot_check.py checks the live path and the reduction on a real GPU."""
import json
import os
import unittest

from headroom import _alloc_cuda, protocol

MB = 1 << 20
HERE = os.path.dirname(os.path.abspath(__file__))
U = "/home/u/proj/train.py"

with open(os.path.join(HERE, "fixtures", "cuda_snapshot_standin.json"), encoding="utf-8") as f:
    STANDIN = json.load(f)


class CudaSnapshotStandIn(unittest.TestCase):
    def setUp(self):
        self.r = _alloc_cuda.reduce_snapshot(STANDIN)
        self.by = {(s["device"], s["file"], s["line"]): s for s in self.r["sites"]}

    def test_live_blocks_land_on_the_program_lines_that_asked(self):
        weights = self.by[(0, U, 21)]
        self.assertEqual((weights["size"], weights["count"], weights["via"]), (24 * MB, 2, "torch"))
        self.assertEqual(weights["traceback"], [{"file": U, "line": 80}])
        self.assertEqual((self.by[(0, U, 44)]["size"], self.by[(0, U, 44)]["count"]), (16 * MB, 2))
        self.assertEqual(self.by[(0, U, 12)]["size"], 12 * MB)  # the pending-free block is not live
        self.assertEqual(self.by[(0, U, 12)]["traceback"][0]["line"], 1501)

    def test_older_layout_and_blocks_without_python_frames(self):
        self.assertEqual(self.by[(1, U, 12)]["size"], 512 * 1024)  # torch 2.0: the stack in the block's history
        self.assertEqual(self.by[(0, "<no Python frame>", 1)]["size"], 2 * MB)

    def test_totals_order_and_record(self):
        self.assertEqual(self.r["total"], {"size": 54 * MB + 512 * 1024, "count": 7})
        self.assertEqual(self.r["reserved"], 62 * MB)
        sizes = [s["size"] for s in self.r["sites"]]
        self.assertEqual(sizes, sorted(sizes, reverse=True))
        protocol.validate(dict(v=1, type="allocations", t=1.0, pid=1, seq=0, **self.r))

    def test_top_n_keeps_the_rest_in_more(self):
        r = _alloc_cuda.reduce_snapshot(STANDIN, top=2)
        self.assertEqual([s["line"] for s in r["sites"]], [21, 44])
        self.assertEqual(r["more"], {"sites": 3, "size": 14 * MB + 512 * 1024, "count": 3})

    def test_no_cuda_no_snapshot(self):
        # torch may be imported, but CUDA is not initialised on these machines: nothing is started.
        self.assertIsNone(_alloc_cuda.take())
        self.assertFalse(_alloc_cuda.record_history())


if __name__ == "__main__":
    unittest.main()
