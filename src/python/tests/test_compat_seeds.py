"""Every Python example of the seed documents runs against headroom.compat with only its import
line changed, connected to a real listener, and reports: one test per example.

Each example runs as its own program (stand-ins for what it leaves undefined, calls to the
functions it only defines: tests/seed_examples.py) with HEADROOM_ADDR on a Unix socket this
test listens on; every line received must pass the protocol validator."""
import concurrent.futures
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from headroom import protocol

from . import seed_examples as ex
from .discovery_helpers import Listener
from .helpers import PY_ROOT

MiB = 1 << 20


class ValidatingListener(Listener):
    """The discovery tests' listener, decoding each line with the protocol's validator."""

    def __init__(self):
        self.refused = []
        Listener.__init__(self)

    def _read(self, conn, records):
        with conn, conn.makefile("rb") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    records.append(protocol.decode_line(line.rstrip(b"\r\n")))
                except protocol.ProtocolError as e:
                    self.refused.append("%s: %r" % (e, line[:200]))

    def by_token(self, token, timeout=20.0):
        """The records of the connection whose hello carries `token`, once its bye is in."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                conns = [list(c) for c in self.connections]
            mine = [r for c in conns if c and c[0].get("token") == token for r in c]
            if any(r["type"] == "bye" for r in mine) or time.monotonic() > deadline:
                return mine
            time.sleep(0.02)


def examples():
    """[(seed, index, code)] of every Python block, in document order."""
    out = []
    for seed, path in ex.seed_files().items():
        with open(path, encoding="utf-8") as f:
            for i, code in enumerate(ex.python_blocks(f.read())):
                out.append((seed, i, code))
    return out


EXAMPLES = examples()
HEAVY = {"003"}  # hundreds of MB each: one at a time, after the others


class SeedExamples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.listener = ValidatingListener()
        cls.root = tempfile.mkdtemp(prefix="headroom-seeds-")
        cls.results = {}
        light = [e for e in EXAMPLES if e[0] not in HEAVY]
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            for key, result in zip(light, pool.map(cls._run, light)):
                cls.results[key[:2]] = result
        for e in EXAMPLES:
            if e[0] in HEAVY:
                cls.results[e[:2]] = cls._run(e)

    @classmethod
    def tearDownClass(cls):
        cls.listener.close()
        shutil.rmtree(cls.root, ignore_errors=True)

    @classmethod
    def _run(cls, example):
        seed, index, code = example
        cwd = os.path.join(cls.root, "%s-%02d" % (seed, index))
        os.mkdir(cwd)
        script = os.path.join(cwd, "example.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(ex.program(seed, code))
        path = [PY_ROOT, ex.STANDINS]
        for module in ("tqdm", "mlx"):  # stand-ins only where the real package is missing
            if importlib.util.find_spec(module) is None:
                path.append(os.path.join(ex.STANDINS, "no_" + module))
        token = "seed-%s-%02d" % (seed, index)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(path), HEADROOM_ADDR=cls.listener.addr, HEADROOM_TOKEN=token)
        for k in ("HEADROOM_LOG", "HEADROOM", "HEADROOM_DISABLE", "HEADROOM_DEBUG"):
            env.pop(k, None)
        t0 = time.monotonic()
        p = subprocess.run([sys.executable, script], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
        return {"code": code, "script": script, "cwd": cwd, "proc": p, "records": cls.listener.by_token(token), "seconds": time.monotonic() - t0}

    def check(self, seed, index):
        r = self.results[(seed, index)]
        p, records = r["proc"], r["records"]
        self.assertEqual(p.returncode, 0, "example %s #%d failed:\n%s\n%s" % (seed, index, p.stdout[-3000:], p.stderr[-3000:]))
        self.assertEqual(self.listener.refused, [], "lines the protocol refuses")
        types = {x["type"] for x in records}
        expected = ex.expected_records(r["code"], (seed, index))
        self.assertLessEqual(expected, types, "example %s #%d: %s" % (seed, index, sorted(types)))
        if expected:
            self.assertEqual(records[0]["type"], "hello")
            self.assertEqual(records[-1]["type"], "bye")
            self.assertNotIn("errors", records[-1], "the client counted internal errors")
            self.assertEqual(records[-1]["dropped"], 0)
        # Records carry the example's own lines, never a line inside Headroom.
        for x in records:
            if "file" in x:
                self.assertEqual(os.path.realpath(x["file"]), os.path.realpath(r["script"]), x)
        for documented, printer in DOCUMENTED[seed]:
            if not re.search(printer, r["code"]):
                continue
            # The lines of the same kind: the same text up to the first number.
            kind = re.split(r"\d", documented, 1)[0]
            for line in p.stdout.splitlines():
                if line.startswith(kind):
                    self.assertRegex(line, ex.shape(documented), "printed as the document shows")
        return r


# The documents' printed lines that the tools print themselves, and the calls that print them.
PRINTERS = {"📊": r"\.(print_memory_status|memory_safe_operation)\(", "Batch": r"\.on_batch_end\(", "Epoch end": r"\.on_epoch_end\("}


def documented_lines():
    """{seed: the printed lines its document shows that come from the tool itself}."""
    out = {}
    for seed, path in ex.seed_files().items():
        with open(path, encoding="utf-8") as f:
            lines = ex.documented_output(f.read())
        out[seed] = [(d, printer) for d in lines for start, printer in PRINTERS.items() if d.startswith(start)]
    return out


DOCUMENTED = documented_lines()


def _make_test(seed, index):
    def test(self):
        r = self.check(seed, index)
        extra = EXTRA_CHECKS.get((seed, index))
        if extra:
            extra(self, r)

    test.__doc__ = "seed %s, example %d runs against headroom.compat and reports" % (seed, index)
    return test


def _safe_batches(self, r):
    labels = [x.get("label") for x in r["records"] if x["type"] == "checkpoint"]
    self.assertEqual(labels, ["Batch size %d" % n for n in (1, 2, 4, 8, 16)])
    self.assertEqual([x["label"] for x in r["records"] if x["type"] == "region_end"], ["batch_optimization"])


def _status_line(self, r):
    self.assertRegex(r["proc"].stdout, r"(?m)^📊 \[Before Model Load\] Memory: \d+\.\d\dGB RSS, \d+\.\d% used, \d+\.\d\dGB available$")


def _epoch(self, r):
    batches = [x for x in r["records"] if x["type"] == "batch_end"]
    self.assertTrue(batches and all(b["loss"] == 0.0125 for b in batches))
    self.assertRegex(r["proc"].stdout, r"(?m)^Batch 0: GPU 0\.0 MB, CPU \d+\.\d MB, loss=0\.012500$")


def _at_exit_logs(self, r):
    logs = os.path.join(r["cwd"], "memory_logs")
    self.assertEqual(sorted(os.listdir(logs)), sorted("%s.%s" % (n, e) for n in ("rss_memory_usage", "system_memory_usage", "system_memory_usage_from-zero") for e in ("txt", "svg")))
    with open(os.path.join(logs, "rss_memory_usage.txt")) as f:
        peak = float(re.search(r"Max memory: ([0-9.]+) \(MiB\)", f.read()).group(1))
    self.assertGreater(peak, 0.9 * 10 * 256 / ex.SEED_003_SHRINK, "ten arrays held at once")
    # Never stopped: each monitor's region ends at exit, before the client's bye.
    starts = {x["id"]: x for x in r["records"] if x["type"] == "region_start"}
    ends = [x for x in r["records"] if x["type"] == "region_end"]
    self.assertEqual(sorted(x["label"] for x in ends), ["memory monitor (rss)", "memory monitor (system)", "memory monitor (system)"])
    self.assertEqual(sorted(starts), sorted(x["id"] for x in ends))
    self.assertTrue(all(x["line"] == starts[x["id"]]["line"] for x in ends))
    self.assertGreater(max(x["peak"]["rss"] - starts[x["id"]]["mem"]["rss"] for x in ends), 0.9 * 10 * 256 * MiB / ex.SEED_003_SHRINK)


def _context_logs(self, r):
    logs = os.path.join(r["cwd"], "memory_logs")
    self.assertEqual(len([n for n in os.listdir(logs) if n.endswith(".txt")]), 4)
    self.assertEqual(len([n for n in os.listdir(logs) if n.endswith(".svg")]), 4)
    self.assertRegex(r["proc"].stdout, r"max_memory_usage -?\d+\.\d+")
    (region,) = [x for x in r["records"] if x["type"] == "region_end"]
    self.assertEqual(region["label"], "memory_monitor_context")
    self.assertGreater(region["peak"]["rss"], 0.9 * 10 * 256 * MiB / ex.SEED_003_SHRINK, "the peak inside saw the ten arrays")


EXTRA_CHECKS = {("000", 2): _status_line, ("000", 15): _safe_batches, ("002", 2): _epoch, ("003", 0): _at_exit_logs, ("003", 1): _context_logs}

for _seed, _index, _code in EXAMPLES:
    setattr(SeedExamples, "test_seed_%s_example_%02d" % (_seed, _index), _make_test(_seed, _index))


class Extraction(unittest.TestCase):
    def test_every_block_is_found(self):
        found = {}
        for seed, _i, _c in EXAMPLES:
            found[seed] = found.get(seed, 0) + 1
        self.assertEqual({s: found.get(s, 0) for s in ex.BLOCKS}, ex.BLOCKS)
        self.assertEqual(sorted(ex.seed_files()), sorted(ex.BLOCKS))

    def test_only_the_import_line_changes(self):
        changed = 0
        for seed, _i, code in EXAMPLES:
            module, original = ex.SEEDS[seed]
            new = ex.rewrite_import(code, original, module)
            for a, b in zip(code.splitlines(), new.splitlines()):
                if a != b:
                    changed += 1
                    self.assertRegex(a, r"^\s*from %s import " % re.escape(original))
                    self.assertEqual(b, a.replace("from %s import" % original, "from %s import" % module))
            self.assertEqual(len(code.splitlines()), len(new.splitlines()))
        self.assertEqual(changed, 10, "the documents' ten import lines")

    def test_every_defined_function_is_called(self):
        for seed, i, code in EXAMPLES:
            for name in ex.uncalled_functions(code):
                self.assertIn(name, ex.CALLS, "seed %s #%d defines %s" % (seed, i, name))

    def test_documented_lines_are_found(self):
        self.assertEqual(len(DOCUMENTED["000"]), 1)
        self.assertEqual(len(DOCUMENTED["002"]), 6)
        self.assertTrue(ex.shape("Batch 0: GPU 23.1 MB, CPU 1634.7 MB, loss=0.005310").match("Batch 12: GPU 0.0 MB, CPU 20.9 MB, loss=1.250000"))
        self.assertFalse(ex.shape("Batch 0: GPU 23.1 MB").match("Batch 0: GPU 23 MB"))


if __name__ == "__main__":
    unittest.main()
