"""bench/gpu_check.sh where no GPU exists: it refuses clearly, its whole pipeline runs with the
stand-ins (the tests' torch, the replaying nvidia-smi, the real CLI and engine), and its checks
fail when the figures are wrong."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from .helpers import REPO

CHECK = os.path.join(REPO, "bench", "gpu_check.py")
MiB = 1 << 20


def run_check(*args, env=None):
    return subprocess.run([sys.executable, CHECK] + list(args), capture_output=True, text=True, timeout=240, env=env or dict(os.environ))


def rows(stdout):
    """{check name: status} from the printed table."""
    out = {}
    for line in stdout.splitlines():
        status, _, rest = line.partition("  ")
        if status in ("PASS", "FAIL", "SKIP"):
            out[rest.strip().split("  ")[0]] = status
    return out


class WithoutAGpu(unittest.TestCase):
    def test_it_says_no_nvidia_gpu_and_exits_2(self):
        empty = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, empty, True)
        p = run_check(os.path.join(empty, "out"), env=dict(os.environ, PATH=empty))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no NVIDIA GPU", p.stderr)

    def test_a_dry_run_of_an_empty_folder_fails_and_says_what_is_missing(self):
        empty = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, empty, True)
        p = run_check("--dry-run", empty)
        self.assertEqual(p.returncode, 1)
        self.assertIn("gpu.csv missing", p.stdout)
        self.assertIn("0 passed, 2 failed", p.stdout)


class StandInPipeline(unittest.TestCase):
    """One `--stand-in` run (about 10 s), then dry runs of doctored copies of what it left."""

    @classmethod
    def setUpClass(cls):
        has_cli = os.path.exists(os.path.join(REPO, "node_modules", ".bin", "esbuild")) or os.path.exists(os.path.join(REPO, "dist", "cli.js"))
        if shutil.which("node") is None or not has_cli:
            raise unittest.SkipTest("needs node and esbuild (npm install) or dist/cli.js (npm run build)")
        cls.dir = tempfile.mkdtemp(prefix="gpu-check-")
        cls.out = os.path.join(cls.dir, "out")
        cls.p = run_check("--stand-in", cls.out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)

    def test_every_check_passes_or_says_why_it_cannot_apply(self):
        self.assertEqual(self.p.returncode, 0, self.p.stdout + self.p.stderr)
        r = rows(self.p.stdout)
        self.assertIn("STAND-INS, no GPU", self.p.stdout, "the table never passes for the GPU truth")
        for name in ("nvidia-smi output saved as fixtures", "CUDA figures in the recording", "per-step peaks (reset_peaks): each step its own",
                     "the epoch's peak kept across step resets", "a block's peak with reset_peaks is its own", "allocator breakdown fields",
                     "memory outside the allocator > 0 (device_used - reserved)", "engine: program's figures when nvidia-smi cannot see its pids",
                     "the session's GPU series in the run summary"):
            self.assertEqual(r.get(name), "PASS", name)
        # The stand-in nvidia-smi replays recorded pids: the container case, so these cannot apply.
        self.assertEqual(r["per-process attribution matches nvidia-smi within 5%"], "SKIP")
        self.assertIn("9 passed, 0 failed, 2 skipped", self.p.stdout)

    def test_it_saves_the_engines_queries_as_fixtures(self):
        d = os.path.join(self.out, "nvidia-smi")
        self.assertEqual(sorted(os.listdir(d)), ["apps-busy.csv", "apps-idle.csv", "gpu-loop.csv", "gpu.csv"])
        with open(os.path.join(d, "gpu.csv"), encoding="utf-8") as f:
            self.assertEqual(len(f.read().splitlines()), 2, "one loop: a line per GPU")
        with open(os.path.join(self.out, "torch", "memory_stats.json"), encoding="utf-8") as f:
            self.assertIn("inactive_split_bytes.all.current", json.load(f))

    def doctored(self, edit_record=None, edit_workload=None):
        """A copy of the run's folder with its records (and workload.json) edited, dry-run checked."""
        copy = tempfile.mkdtemp(dir=self.dir)
        shutil.copytree(self.out, copy, dirs_exist_ok=True)
        path = os.path.join(copy, "run", "recording.ndjson")
        with open(os.path.join(copy, "workload.json"), encoding="utf-8") as f:
            w = json.load(f)
        if edit_workload:
            edit_workload(w)
            with open(os.path.join(copy, "workload.json"), "w", encoding="utf-8") as f:
                json.dump(w, f)
        with open(path, encoding="utf-8") as f:
            recs = [json.loads(line) for line in f]
        with open(path, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(edit_record(r, w) if edit_record else r) + "\n")
        p = run_check("--dry-run", copy)
        return p, rows(p.stdout)

    def test_steps_that_all_report_the_runs_peak_fail(self):
        def same_peak(r, _w):
            if r.get("type") == "batch_end":
                r["mem"]["devices"][0]["max_allocated"] = 640 * MiB
            return r

        p, r = self.doctored(same_peak)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(r["per-step peaks (reset_peaks): each step its own"], "FAIL")

    def attribution(self, factor):
        """nvidia-smi saw the pid (as outside a container) and the recording says `factor` times it."""
        seen = 1900 * MiB

        def saw(w):
            w["smi_own_used"] = seen

        def attributed(r, w):
            if r.get("type") == "gpu":
                r["procs"] = [[w["pid"], 0, int(seen * factor)]]
                r["tree"] = {"used": int(seen * factor), "src": "nvidia-smi", "outside": 620 * MiB}
            return r

        return self.doctored(attributed, saw)

    def test_attribution_within_5_percent_of_nvidia_smi_passes(self):
        p, r = self.attribution(1.02)
        self.assertEqual(r["per-process attribution matches nvidia-smi within 5%"], "PASS", p.stdout)
        self.assertEqual(r["engine: outside-allocator memory per process > 0"], "PASS")
        self.assertEqual(r["engine: program's figures when nvidia-smi cannot see its pids"], "SKIP")

    def test_attribution_10_percent_off_fails(self):
        p, r = self.attribution(1.10)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(r["per-process attribution matches nvidia-smi within 5%"], "FAIL")


if __name__ == "__main__":
    unittest.main()
