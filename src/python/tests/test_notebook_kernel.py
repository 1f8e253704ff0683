"""The IPython extension in a real kernel: ipykernel started by jupyter_client, cells sent as
execute_requests with `metadata.cellId` the way VS Code's notebook editor sends them, records
read from a real Unix socket listener."""
import hashlib
import os
import re
import tempfile
import time
import unittest

from headroom import protocol

from .discovery_helpers import Listener
from .kernel_helpers import WHY_NO_KERNEL, Kernel, kernel_env

MB = 1000 * 1000


def vscode_cell(n):
    """A cell id as VS Code sends it: the cell document's URI."""
    return "vscode-notebook-cell:/w/analysis.ipynb#W%dsZmlsZQ%%3D%%3D" % n


class KernelCase(unittest.TestCase):
    def start(self, load=True, verbose=True):
        listener = Listener()
        self.addCleanup(listener.close)
        kernel = Kernel(kernel_env(HEADROOM_ADDR=listener.addr, HEADROOM_TOKEN="kernel-token"), cwd=tempfile.gettempdir())
        self.addCleanup(kernel.close)
        if load:
            self.assertEqual(kernel.run("%load_ext headroom").status, "ok")
            if verbose:
                self.assertEqual(kernel.run("import headroom\nheadroom.notebook(verbose=True)").status, "ok")
        return listener, kernel


def wait_run(listener, count, cell_id=None, pid=None, timeout=10.0):
    """(region_start, region_end) of the cell run numbered `count` (of `pid`, with `cell_id`)."""
    deadline = time.monotonic() + timeout
    while True:
        records = listener.records()
        ends = [r for r in records if r["type"] == "region_end" and "cell" in r and r["cell"].get("count") == count
                and r["cell"].get("id") == cell_id and (pid is None or r["pid"] == pid)]
        if ends:
            end = ends[-1]
            start = [r for r in records if r["type"] == "region_start" and r["pid"] == end["pid"] and r["id"] == end["id"]]
            return (start[0] if start else None), end
        if time.monotonic() > deadline:
            raise AssertionError("no region_end for cell run %s (%s) in %s" % (count, cell_id, [r["type"] for r in records]))
        time.sleep(0.02)


def murmur2_name(source):
    """The file name ipykernel compiles `source` as, without its folder (ipykernel.compiler)."""
    from ipykernel.compiler import get_tmp_hash_seed, murmur2_x86

    return "%d.py" % murmur2_x86(source, get_tmp_hash_seed())


@unittest.skipIf(WHY_NO_KERNEL, WHY_NO_KERNEL)
class CellRuns(KernelCase):
    @classmethod
    def setUpClass(cls):
        case = cls("run")
        cls.listener, cls.kernel = case.start()
        cls._case = case

    @classmethod
    def tearDownClass(cls):
        cls._case.doCleanups()

    def run_cell(self, code, cell_id):
        reply = self.kernel.run(code, cell_id=cell_id)
        start, end = wait_run(self.listener, reply.count, cell_id)
        return reply, start, end

    def test_a_cell_that_allocates_500_mb_reports_its_delta_and_peak(self):
        reply, start, end = self.run_cell("big = b'\\x01' * 500_000_000", vscode_cell(1))
        self.assertEqual(reply.status, "ok")
        delta = end["mem"]["rss"] - start["mem"]["rss"]
        self.assertLess(abs(delta - 500 * MB), 50 * MB, delta)
        self.assertGreaterEqual(end["peak"]["rss"] - start["mem"]["rss"], 450 * MB)
        self.assertRegex(reply.stdout, r"^cell %d: \+(4[5-9]\d|5[0-4]\d) MB RSS, peak \d+ MB, \d+ ms\n$" % reply.count)
        self.assertEqual([end["label"], end["cell"]["count"], end["cell"]["preview"]], ["cell [%d]" % reply.count, reply.count, "big = b'\\x01' * 500_000_000"])
        self.assertGreater(end["duration"], 0)
        self.assertEqual(end["id"], start["id"])
        self.kernel.run("del big", cell_id=vscode_cell(2))

    def test_the_peak_inside_a_cell_is_reported_when_the_memory_is_gone_by_its_end(self):
        reply, start, end = self.run_cell("tmp = b'\\x01' * 300_000_000\ndel tmp", vscode_cell(3))
        self.assertLess(abs(end["mem"]["rss"] - start["mem"]["rss"]), 30 * MB)
        self.assertGreaterEqual(end["peak"]["rss"] - start["mem"]["rss"], 270 * MB)
        peak_mb = int(re.search(r"peak (\d+) MB", reply.stdout).group(1))
        self.assertAlmostEqual(peak_mb, end["peak"]["rss"] / MB, delta=1)

    def test_a_cell_that_raises_still_reports_with_its_error(self):
        reply, start, end = self.run_cell("keep = b'\\x01' * 20_000_000\nraise ValueError('bad batch size')", vscode_cell(4))
        self.assertEqual([reply.status, reply.error], ["error", "ValueError"])
        self.assertEqual(end["error"], "ValueError: bad batch size")
        self.assertGreater(end["mem"]["rss"] - start["mem"]["rss"], 15 * MB)
        self.assertRegex(reply.stdout, r"^cell %d: .*, raised ValueError\n$" % reply.count)
        # a syntax error never runs, and still reports, with the file it was compiled as
        reply, _, end = self.run_cell("def broken(:\n    pass", vscode_cell(5))
        self.assertEqual(reply.status, "error")
        self.assertTrue(end["error"].startswith("SyntaxError: "), end["error"])
        self.assertEqual(os.path.basename(end["file"]), murmur2_name("def broken(:\n    pass"))
        # and the next cell is measured as usual
        reply, _, end = self.run_cell("ok = 1", vscode_cell(6))
        self.assertNotIn("error", end)

    def test_a_checkpoint_inside_a_cell_carries_the_cells_file_and_its_line_in_the_cell(self):
        src = "import headroom\nx = 1\n\nheadroom.checkpoint('inside')\n"
        reply, start, end = self.run_cell(src, vscode_cell(7))
        cps = [r for r in self.listener.records() if r["type"] == "checkpoint" and r.get("label") == "inside"]
        self.assertEqual(len(cps), 1)
        self.assertEqual([cps[0]["file"], cps[0]["line"], cps[0]["func"]], [end["file"], 4, "<module>"])
        self.assertTrue(start["t"] <= cps[0]["t"] <= end["t"])
        # a function defined in one cell and called from another: the defining cell's file and line
        define = "import headroom\n\ndef step():\n    headroom.checkpoint('in step')\n"
        _, _, defined = self.run_cell(define, vscode_cell(8))
        self.run_cell("step()", vscode_cell(9))
        cp = [r for r in self.listener.records() if r["type"] == "checkpoint" and r.get("label") == "in step"][-1]
        self.assertEqual([cp["file"], cp["line"]], [defined["file"], 4])

    def test_ids_and_hashes_are_stable_across_reruns_and_change_after_an_edit(self):
        src = "total = sum(range(10))\n"
        r1, _, first = self.run_cell(src, vscode_cell(10))
        r2, _, again = self.run_cell(src, vscode_cell(10))
        self.assertEqual(r2.count, r1.count + 1)
        for field in ("id", "hash", "preview"):
            self.assertEqual(again["cell"][field], first["cell"][field], field)
        self.assertEqual(again["file"], first["file"])
        self.assertEqual([first["cell"]["count"], again["cell"]["count"]], [r1.count, r2.count])
        # the documented rule: SHA-256 of the source, 16 hex digits; ipykernel's murmur2 file name
        self.assertEqual(first["cell"]["hash"], hashlib.sha256(src.encode()).hexdigest()[:16])
        self.assertEqual(os.path.basename(first["file"]), murmur2_name(src))
        self.assertEqual(os.path.basename(os.path.dirname(first["file"])), "ipykernel_%d" % first["pid"])
        # edited: the same cell id, another hash and file
        _, _, edited = self.run_cell(src + "total += 1\n", vscode_cell(10))
        self.assertEqual(edited["cell"]["id"], first["cell"]["id"])
        self.assertNotEqual(edited["cell"]["hash"], first["cell"]["hash"])
        self.assertNotEqual(edited["file"], first["file"])
        # another cell with the same text: the same hash and file, its own id
        _, _, twin = self.run_cell(src, vscode_cell(11))
        self.assertEqual([twin["cell"]["hash"], twin["file"]], [first["cell"]["hash"], first["file"]])
        self.assertNotEqual(twin["cell"]["id"], first["cell"]["id"])

    def test_a_front_end_that_sends_no_cell_id_gets_runs_without_one(self):
        reply = self.kernel.run("no_id = 2")
        _, end = wait_run(self.listener, reply.count, None)
        self.assertNotIn("id", end["cell"])
        self.assertEqual(end["cell"]["hash"], hashlib.sha256(b"no_id = 2").hexdigest()[:16])

    def test_a_cell_id_from_untrusted_metadata_is_kept_as_text_and_capped(self):
        long_id = "<script>" + "x" * 5000
        reply = self.kernel.run("y = 3", cell_id=long_id)
        _, end = wait_run(self.listener, reply.count, long_id[:1000])
        self.assertEqual(len(end["cell"]["id"]), 1000)

    def test_every_record_the_kernel_sends_is_valid_protocol(self):
        self.run_cell("v = 1", vscode_cell(12))
        records = self.listener.records()
        self.assertEqual(records[0]["type"], "hello")
        for r in records:
            protocol.validate(r)


@unittest.skipIf(WHY_NO_KERNEL, WHY_NO_KERNEL)
class CudaFiguresFromAStandIn(KernelCase):
    """torch.cuda here is tests/cuda_standin.py's stand-in (no GPU where the tests run): what the
    cell records and the line under the cell say of the allocator, and that peaks are per cell."""

    def test_a_cell_reports_its_cuda_change_and_its_own_peak(self):
        from .cuda_standin import SEGMENT

        listener, kernel = self.start()
        tests_dir = os.path.dirname(os.path.abspath(__file__))
        self.assertEqual(kernel.run("import sys; sys.path.insert(0, %r)\nimport cuda_standin; cuda_standin.install()" % tests_dir).status, "ok")
        reply = kernel.run("import torch\nt = torch.empty(800_000_000, dtype=torch.uint8)", cell_id=vscode_cell(1))
        start, end = wait_run(listener, reply.count, vscode_cell(1))
        reserved = lambda r: r["mem"]["devices"][0]["reserved"]
        self.assertEqual(reserved(end) - reserved(start), -(-800_000_000 // SEGMENT) * SEGMENT)
        self.assertRegex(reply.stdout, r"^cell %d: .* RSS, peak .*, CUDA \+818 MB, .*\n$" % reply.count)
        reply = kernel.run("tmp = torch.empty(1_000_000_000, dtype=torch.uint8)\ndel tmp", cell_id=vscode_cell(2))
        _, end = wait_run(listener, reply.count, vscode_cell(2))
        self.assertEqual(end["peak"]["devices"][0]["allocated"], 1_800_000_000)
        self.assertEqual(end["mem"]["devices"][0]["allocated"], 800_000_000)
        reply = kernel.run("x = 1", cell_id=vscode_cell(3))
        _, end = wait_run(listener, reply.count, vscode_cell(3))
        self.assertEqual(end["peak"]["devices"][0]["allocated"], 800_000_000, "the previous cell's peak is not this one's")
        self.assertEqual(end["mem"]["devices"][0]["max_allocated"], 800_000_000)
        self.assertIn("CUDA 0 B", reply.stdout)


@unittest.skipIf(WHY_NO_KERNEL, WHY_NO_KERNEL)
class KernelLifecycle(KernelCase):
    def test_a_kernel_restart_starts_a_new_session(self):
        listener, kernel = self.start(verbose=False)
        reply = kernel.run("a = 1", cell_id=vscode_cell(1))
        _, before = wait_run(listener, reply.count, vscode_cell(1))
        old_pid = kernel.pid
        kernel.restart()
        self.assertNotEqual(kernel.pid, old_pid)
        self.assertEqual(kernel.run("%load_ext headroom").status, "ok")
        reply = kernel.run("a = 1", cell_id=vscode_cell(1))
        self.assertEqual(reply.count, 2, "the count starts again after a restart")
        _, after = wait_run(listener, 2, vscode_cell(1), pid=kernel.pid)
        hellos = [r for r in listener.records() if r["type"] == "hello"]
        self.assertEqual([h["pid"] for h in hellos], [old_pid, kernel.pid])
        self.assertEqual([before["pid"], after["pid"]], [old_pid, kernel.pid])
        self.assertEqual(after["cell"]["hash"], before["cell"]["hash"], "the same text hashes alike in any kernel")
        self.assertNotEqual(after["file"], before["file"], "the compiled file names the kernel's pid")
        # the old kernel said goodbye on its own connection before the new one said hello
        first = listener.connections[0]
        self.assertEqual([first[0]["type"], first[-1]["type"]], ["hello", "bye"])

    def test_nothing_is_reported_or_imported_until_loaded_nor_after_unloading(self):
        listener, kernel = self.start(load=False)
        reply = kernel.run("import sys\nprint('headroom' in sys.modules, 'IPython' in sys.modules)")
        self.assertEqual(reply.stdout, "False True\n")
        time.sleep(0.3)
        self.assertEqual(listener.records(), [], "no connection before the extension is loaded")
        kernel.run("%load_ext headroom")
        reply = kernel.run("b = 2", cell_id=vscode_cell(2))
        wait_run(listener, reply.count, vscode_cell(2))
        reply = kernel.run("%unload_ext headroom", cell_id=vscode_cell(3))
        wait_run(listener, reply.count, vscode_cell(3))  # unloading inside a cell ends that cell's run
        n = len([r for r in listener.records() if r["type"].startswith("region")])
        kernel.run("c = 3", cell_id=vscode_cell(4))
        kernel.run("import headroom; headroom.flush()")
        time.sleep(0.3)
        self.assertEqual(len([r for r in listener.records() if r["type"].startswith("region")]), n)


if __name__ == "__main__":
    unittest.main()
