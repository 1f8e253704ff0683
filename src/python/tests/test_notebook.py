"""The notebook extension without a kernel: how a cell is named, the one-line summary, bad
input, and an IPython shell in a plain process (the kernel tests drive a real ipykernel)."""
import subprocess
import sys
import unittest

import headroom
from headroom import _cells, _notebook, protocol

from .helpers import PY_ROOT, run_logged
from .kernel_helpers import kernel_env

try:
    import IPython  # noqa: F401
    WHY_NO_IPYTHON = None
except ImportError:
    WHY_NO_IPYTHON = "IPython is not installed: run scripts/ensure-system-deps.sh as root"

GB, MB = 10 ** 9, 10 ** 6


class Info:
    """An ExecutionInfo as IPython passes it to pre_run_cell."""

    def __init__(self, raw_cell="", cell_id=None, store_history=True):
        self.raw_cell, self.cell_id, self.store_history = raw_cell, cell_id, store_history


def run(count=7, delta=0, peak=0, duration=0.0, before=(), after=(), error=None):
    r = _notebook.CellRun()
    r.count, r.delta, r.peak, r.duration, r.error = count, delta, peak, duration, error
    r.devices_before, r.devices_after = list(before), list(after)
    return r


class SummaryLine(unittest.TestCase):
    def test_the_line_under_a_cell(self):
        cuda0 = [{"kind": "cuda", "index": 0, "allocated": 0, "reserved": 200 * MB}]
        cuda1 = [{"kind": "cuda", "index": 0, "allocated": 0, "reserved": 1000 * MB}]
        self.assertEqual(_notebook.cell_line(run(7, 1.2 * GB, 3.4 * GB, 2.1, cuda0, cuda1)), "cell 7: +1.20 GB RSS, peak 3.40 GB, CUDA +800 MB, 2.10 s")
        self.assertEqual(_notebook.cell_line(run(3, -500 * MB, 2 * GB, 0.012)), "cell 3: -500 MB RSS, peak 2.00 GB, 12 ms")
        self.assertEqual(_notebook.cell_line(run(None, 0, 80 * MB, 0.5, error="KeyError: 'x'")), "cell: 0 B RSS, peak 80.0 MB, 500 ms, raised KeyError")

    def test_each_framework_in_use_is_summed_over_its_devices_and_new_ones_count_from_zero(self):
        after = [{"kind": "cuda", "index": 0, "reserved": 100 * MB}, {"kind": "cuda", "index": 1, "reserved": 50 * MB},
                 {"kind": "mps", "current": 30 * MB}, {"kind": "mlx", "active": 20 * MB, "cache": 5}]
        before = [{"kind": "cuda", "index": 0, "reserved": 100 * MB}, {"kind": "mlx", "active": 25 * MB}]
        line = _notebook.cell_line(run(1, 0, 1 * GB, 1.0, before, after))
        self.assertEqual(line, "cell 1: 0 B RSS, peak 1.00 GB, CUDA +50.0 MB, MPS +30.0 MB, MLX -5.00 MB, 1.00 s")
        self.assertIsNone(_notebook.device_change(after, [], "cuda", "reserved"), "no devices after: nothing to say")


class CellIdentity(unittest.TestCase):
    def test_the_hash_is_16_hex_digits_of_sha256_of_the_utf8_source(self):
        # the same literals are asserted by the TypeScript side (test/unit/notebookCells.test.ts)
        self.assertEqual(_cells.source_hash("x = 1\n"), "9e26bf369911c45c")
        self.assertEqual(_cells.source_hash(""), "e3b0c44298fc1c14")
        self.assertEqual(_cells.source_hash("print('h\u00e9')\n"), "4d09bce49abdb543")
        self.assertNotEqual(_cells.source_hash("a\n"), _cells.source_hash("a\r\n"), "the kernel hashes what it received")

    def test_the_preview_is_the_first_line_with_text_plain_and_short(self):
        self.assertEqual(_cells.preview("\n\n   model = Net()  \nx"), "model = Net()")
        self.assertEqual(_cells.preview("  \n\t\n"), "")
        self.assertEqual(_cells.preview("y = '\x1b[31m' + '\u200b'"), "y = ' [31m' + ' '")
        self.assertEqual(_cells.preview("a = 1\u2028b = 2"), "a = 1", "any line break ends the first line")
        long = _cells.preview("z = " + "1 + " * 40)
        self.assertEqual([len(long), long[-1]], [60, "\u2026"])

    def test_the_front_end_id_comes_from_the_execution_info_or_the_kernels_request(self):
        class Shell:
            def __init__(self, parent):
                self.parent = parent

            def get_parent(self):
                return self.parent

        class OldInfo:  # IPython before 7.25: no cell_id on ExecutionInfo
            raw_cell = ""

        self.assertEqual(_cells.frontend_cell_id(Info(cell_id="vscode-notebook-cell:/a.ipynb#X"), Shell({})), "vscode-notebook-cell:/a.ipynb#X")
        self.assertEqual(_cells.frontend_cell_id(OldInfo(), Shell({"metadata": {"cellId": "6f1c"}})), "6f1c")
        self.assertIsNone(_cells.frontend_cell_id(Info(), Shell({"metadata": {"cellId": "6f1c"}})), "a run started from code has no cell of its own")
        self.assertIsNone(_cells.frontend_cell_id(OldInfo(), Shell({"metadata": {"cellId": {"not": "text"}}})))
        self.assertIsNone(_cells.frontend_cell_id(OldInfo(), object()))
        self.assertIsNone(_cells.frontend_cell_id(Info(cell_id=""), object()))
        self.assertEqual(len(_cells.frontend_cell_id(Info(cell_id="c" * 5000), object())), 1000)

    def test_the_compiled_name_is_the_newest_with_this_runs_number(self):
        class Compiler:
            _filename_map = {"/tmp/ipykernel_1/11.py": 1, "/tmp/ipykernel_1/22.py": 5, "/tmp/ipykernel_1/33.py": 3}

        self.assertEqual(_cells.compiled_name(Compiler(), 5), "/tmp/ipykernel_1/22.py", "a re-run keeps its old place")
        self.assertEqual(_cells.compiled_name(Compiler(), 3), "/tmp/ipykernel_1/33.py")
        self.assertIsNone(_cells.compiled_name(Compiler(), 4), "never compiled: its transformation failed")
        self.assertIsNone(_cells.compiled_name(None, 1))

    def test_an_error_is_named_even_when_its_text_cannot_be_had(self):
        class Weird(Exception):
            def __str__(self):
                raise RuntimeError("no text")

        class Result:
            error_before_exec = None

        r = Result()
        r.error_in_exec = Weird()
        self.assertEqual(_cells.describe_error(r), "Weird")
        r.error_in_exec = ValueError("x" * 2000)
        self.assertEqual(len(_cells.describe_error(r)), 500)
        r.error_in_exec = None
        self.assertIsNone(_cells.describe_error(r))
        self.assertIsNone(_cells.describe_error(None))


class BadInput(unittest.TestCase):
    def test_notebook_outside_ipython_says_what_it_needs(self):
        code = "import headroom\ntry:\n    headroom.notebook()\nexcept RuntimeError as e:\n    print(e)\n"
        p = subprocess.run([sys.executable, "-c", code], env=kernel_env(), capture_output=True, text=True, timeout=60)
        self.assertIn("needs an IPython kernel", p.stdout)

    def test_verbose_must_be_a_yes_or_no(self):
        with self.assertRaisesRegex(TypeError, "True or False"):
            headroom.notebook(verbose="loud")

    def test_the_extension_refuses_what_is_not_a_shell(self):
        with self.assertRaisesRegex(TypeError, "needs an IPython shell"):
            headroom.load_ipython_extension(object())

    def test_importing_headroom_never_imports_ipython(self):
        code = "import sys, headroom\nprint(sorted(m for m in sys.modules if m.split('.')[0] in ('IPython', 'ipykernel', 'jupyter_client')))"
        p = subprocess.run([sys.executable, "-c", code], env=dict(kernel_env(), PYTHONPATH=PY_ROOT), capture_output=True, text=True, timeout=60)
        self.assertEqual(p.stdout.strip(), "[]", p.stderr)


@unittest.skipIf(WHY_NO_IPYTHON, WHY_NO_IPYTHON)
class PlainShell(unittest.TestCase):
    """IPython's own shell in a script: the hooks, what is and is not a reported run."""

    def test_runs_are_reported_from_the_next_cell_and_silent_ones_never(self):
        records, out, _ = run_logged("""
            from IPython.core.interactiveshell import InteractiveShell
            sh = InteractiveShell.instance()
            run = lambda code, **kw: sh.run_cell(code, store_history=kw.pop("store_history", True), **kw)
            run("%load_ext headroom")                                 # began before it was loaded
            run("a = 1", cell_id="c-1")
            run("b = 2", silent=True)                                 # a front end's own request
            run("c = 3", store_history=False, cell_id="c-2")          # no In[n] of its own
            run("import headroom; m = headroom.notebook(verbose=True)", cell_id="c-3")
            run("raise KeyError('k')", cell_id="c-4")
            print("last:", sh.user_ns["m"].last.count, sh.user_ns["m"].last.error)
            run("x = 1\\nget_ipython().run_cell('inner = 5')\\ny = 2", cell_id="c-n")
            run("%unload_ext headroom", cell_id="c-5")
            run("d = 4", cell_id="c-6")
        """)
        ends = [r for r in records if r["type"] == "region_end"]
        starts = [r for r in records if r["type"] == "region_start"]
        self.assertEqual([e["cell"].get("id") for e in ends], ["c-1", "c-2", "c-3", "c-4", None, "c-n", "c-5"])
        self.assertEqual(sorted(s["id"] for s in starts), sorted(e["id"] for e in ends), "every start has its end")
        self.assertEqual([e["cell"].get("count") for e in ends], [2, None, 3, 4, None, 5, 6])
        self.assertEqual([e["label"] for e in ends], ["cell [2]", "cell", "cell [3]", "cell [4]", "cell", "cell [5]", "cell [6]"])
        self.assertEqual(ends[3]["error"], "KeyError: 'k'")
        # a run inside a run: each its own, the outer named by its own compiled file
        inner, outer = ends[4], ends[5]
        self.assertEqual([inner["cell"]["preview"], outer["cell"]["preview"]], ["inner = 5", "x = 1"])
        self.assertNotEqual(inner["file"], outer["file"])
        # plain IPython names cells <ipython-input-N-hash>, N being the run's number
        self.assertRegex(ends[0]["file"], r"^<ipython-input-2-[0-9a-f]+>$")
        self.assertIn("last: 4 KeyError: 'k'", out)
        self.assertRegex(out, r"cell 4: .*, raised KeyError\n")
        for r in records:
            protocol.validate(r)


if __name__ == "__main__":
    unittest.main()
