"""The Python client as a package: pyproject.toml, the wheel scripts/build-wheel.sh builds,
`pip install` from that wheel and from src/python into a clean venv, and the wheel's files
running on every Python from 3.8 to 3.13 this machine has (the others are named in the skip)."""
import concurrent.futures
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

from .helpers import PY_ROOT, REPO

SUPPORTED = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
VENV_PYTHON = os.path.join(REPO, ".venv", "bin", "python")
WHEELHOUSE = os.path.join(REPO, ".venv", "wheelhouse")

# Runs in the installed client: a bit of everything, reported to HEADROOM_LOG.
SMOKE = r"""
import json, os, sys, tempfile
import headroom
from headroom.compat import cobra, nncf, training, vlm
headroom.checkpoint("x")
with headroom.track("block"):
    b = b"x" * (1 << 20)
vlm.memory_monitor.print_memory_status("smoke")
with vlm.memory_monitor.memory_safe_operation("op", threshold_gb=1e6):
    pass
assert cobra.MemoryManager("cpu").check_memory_usage() == 0.0
m = training.EpochMemoryMonitor(verbose_batches=1)
m.on_epoch_start(); m.on_batch_end(0, 0.5); m.on_epoch_end()
d = tempfile.mkdtemp()
with nncf.memory_monitor_context(interval=0.02, save_dir=d) as mmc:
    pass
assert len(os.listdir(d)) == 8, os.listdir(d)
print(json.dumps({"file": headroom.__file__, "version": headroom.__version__}))
"""


def package_version():
    with open(os.path.join(REPO, "package.json"), encoding="utf-8") as f:
        return json.load(f)["version"]


def local_backend():
    """True when the wheel can be built without the network (scripts/ensure-venv.sh)."""
    return bool(glob.glob(os.path.join(WHEELHOUSE, "hatchling-*.whl")))


def run_smoke(python, env_extra=None, cwd=None):
    """Runs SMOKE with `python`: (the finished process, its records)."""
    fd, log = tempfile.mkstemp(suffix=".ndjson")
    os.close(fd)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADROOM") and k != "PYTHONPATH"}
    env.update(HEADROOM_LOG=log, **(env_extra or {}))
    try:
        p = subprocess.run([python, "-c", SMOKE], env=env, cwd=cwd or tempfile.gettempdir(), capture_output=True, text=True, timeout=120)
        with open(log) as f:
            records = [json.loads(line) for line in f if line.strip()]
    finally:
        os.unlink(log)
    return p, records


def check_smoke(testcase, run, python):
    """The smoke run worked and reported; returns what it printed (headroom's file and version)."""
    p, records = run
    testcase.assertEqual(p.returncode, 0, "%s: %s" % (python, p.stderr))
    types = [r["type"] for r in records]
    for t in ("hello", "checkpoint", "region_start", "region_end", "epoch_start", "batch_end", "epoch_end", "bye"):
        testcase.assertIn(t, types, python)
    testcase.assertEqual([r.get("label") for r in records if r["type"] == "checkpoint"][:2], ["x", "smoke"])
    testcase.assertNotIn("errors", records[-1])
    out = json.loads(p.stdout.strip().splitlines()[-1])
    testcase.assertEqual(out["version"], package_version())
    return out


def install_and_smoke(wheel, python, target):
    """Runs SMOKE with that interpreter from the wheel's files (a pure-Python wheel installs by
    unpacking; pip's own install is what the clean-venv test checks)."""
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)
    return run_smoke(python, {"PYTHONPATH": target})


class Project(unittest.TestCase):
    @unittest.skipIf(sys.version_info < (3, 11), "tomllib is Python 3.11+")
    def test_pyproject(self):
        import tomllib

        with open(os.path.join(PY_ROOT, "pyproject.toml"), "rb") as f:
            pp = tomllib.load(f)
        self.assertEqual(pp["build-system"]["build-backend"], "hatchling.build")
        project = pp["project"]
        self.assertEqual(project["requires-python"], ">=3.8")
        self.assertEqual(project["dependencies"], [], "standard library only")
        self.assertEqual(project["dynamic"], ["version"])
        self.assertEqual(pp["tool"]["hatch"]["version"]["path"], "headroom/_version.py", "one version source, which test_structure ties to package.json")
        listed = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3.")]
        self.assertEqual(listed, SUPPORTED)


@unittest.skipUnless(local_backend(), "no local build backend (.venv/wheelhouse): run scripts/ensure-venv.sh")
class Wheel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="headroom-wheel-")
        p = subprocess.run(["bash", os.path.join(REPO, "scripts", "build-wheel.sh"), os.path.join(cls.tmp, "out")], capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise AssertionError("build-wheel.sh failed:\n%s\n%s" % (p.stdout, p.stderr))
        cls.wheel = p.stdout.strip().splitlines()[-1]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_wheel_holds_the_package_and_nothing_else(self):
        self.assertEqual(os.path.basename(self.wheel), "headroom_client-%s-py3-none-any.whl" % package_version())
        with zipfile.ZipFile(self.wheel) as z:
            names = z.namelist()
            meta = z.read("headroom_client-%s.dist-info/METADATA" % package_version()).decode()
        sources = set()
        for root, dirs, files in os.walk(os.path.join(PY_ROOT, "headroom")):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            sources |= {os.path.relpath(os.path.join(root, f), PY_ROOT).replace(os.sep, "/") for f in files if f.endswith(".py")}
        self.assertEqual({n for n in names if not n.startswith("headroom_client-")}, sources)
        self.assertIn("headroom/compat/nncf/__main__.py", sources)
        self.assertIn("Version: %s\n" % package_version(), meta)
        self.assertIn("Requires-Python: >=3.8\n", meta)
        self.assertEqual([line for line in meta.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line], [])

    def test_a_clean_venv_installs_from_the_wheel_and_from_the_repository(self):
        venv = os.path.join(self.tmp, "venv")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
        py, pip = os.path.join(venv, "bin", "python"), [os.path.join(venv, "bin", "python"), "-m", "pip", "-q", "--disable-pip-version-check"]
        site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True).stdout.strip()
        # Before: nothing named headroom in the clean venv.
        self.assertNotEqual(subprocess.run([py, "-c", "import headroom"], capture_output=True, cwd=self.tmp).returncode, 0)
        for source, args in (("wheel", ["--no-deps", self.wheel]), ("repository", ["--find-links", WHEELHOUSE, os.path.join(PY_ROOT)])):
            with self.subTest(source):
                subprocess.run(pip + ["install", "--no-index"] + args, check=True, timeout=300, cwd=self.tmp)
                out = check_smoke(self, run_smoke(py, cwd=self.tmp), py)
                self.assertEqual(os.path.dirname(os.path.dirname(out["file"])), site, "imported from the venv, not the repository")
                for argv in (["-m", "headroom", "--help"], ["-m", "headroom.compat.nncf", "--help"]):
                    p = subprocess.run([py] + argv, capture_output=True, text=True, cwd=self.tmp, timeout=60)
                    self.assertEqual((p.returncode, p.stderr), (0, ""), argv)
                    self.assertIn("usage: python -m headroom", p.stdout)
                p = subprocess.run([py, "-m", "headroom", "--version"], capture_output=True, text=True, cwd=self.tmp, timeout=60)
                self.assertEqual((p.returncode, p.stdout.strip()), (0, "headroom " + out["version"]), "python -m headroom --version")
                subprocess.run(pip + ["uninstall", "-y", "headroom-client"], check=True, timeout=120)
        litter = [n for n in os.listdir(PY_ROOT) if n in ("build", "dist") or n.endswith(".egg-info")]
        self.assertEqual(litter, [], "the builds leave nothing in src/python")

    def test_every_python_from_3_8_to_3_13_on_this_machine(self):
        pythons = sorted(find_pythons().items(), key=lambda kv: [int(x) for x in kv[0].split(".")])
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            runs = list(pool.map(lambda vp: install_and_smoke(self.wheel, vp[1], os.path.join(self.tmp, "py" + vp[0])), pythons))
        for (version, python), run in zip(pythons, runs):
            with self.subTest(version):
                check_smoke(self, run, python)
        ran = [v for v, _ in pythons]
        missing = [v for v in SUPPORTED if v not in ran]
        sys.stderr.write("\n[package] the wheel ran on Python %s%s\n" % (", ".join(ran), "; not found here: " + ", ".join(missing) if missing else ""))
        if missing:
            self.skipTest("Python %s not found on this machine (ran on %s)" % (", ".join(missing), ", ".join(ran)))


def find_pythons():
    """{"3.X": interpreter} for 3.8..3.13: HEADROOM_TEST_PYTHONS (paths, os.pathsep), else
    pyenv's versions, /usr/bin and /usr/local/bin; the first of each minor version."""
    if os.environ.get("HEADROOM_TEST_PYTHONS"):
        candidates = os.environ["HEADROOM_TEST_PYTHONS"].split(os.pathsep)
    else:
        pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
        candidates = [sys.executable]
        candidates += sorted(glob.glob(os.path.join(pyenv, "versions", "3.*", "bin", "python3")))
        candidates += sorted(glob.glob("/usr/bin/python3.[0-9]*") + glob.glob("/usr/local/bin/python3.[0-9]*"))
    found = {}
    for c in candidates:
        if not os.access(c, os.X_OK) or c.endswith("-config"):
            continue
        p = subprocess.run([c, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, timeout=30)
        version = p.stdout.strip()
        if p.returncode == 0 and version in SUPPORTED and version not in found:
            found[version] = c
    return found


if __name__ == "__main__":
    unittest.main()
