"""The package's shape: no import cycles, modules by job and of modest size, one version,
no silently swallowed errors, memory readers chosen once per platform, the public surface."""
import ast
import importlib
import inspect
import json
import os
import sys
import unittest

import headroom
from headroom import _procmem

from .helpers import PY_ROOT, REPO

PKG_DIR = os.path.join(PY_ROOT, "headroom")
MODULES = sorted(f[:-3] for f in os.listdir(PKG_DIR) if f.endswith(".py"))


def module_name(stem):
    return "headroom" if stem == "__init__" else "headroom." + stem


def parse(stem):
    with open(os.path.join(PKG_DIR, stem + ".py"), encoding="utf-8") as f:
        return ast.parse(f.read())


def import_graph():
    """{module: set of headroom modules it imports}, from every import statement, those
    inside functions included (a lazy import closes a cycle as surely as a top-level one)."""
    names = {module_name(m) for m in MODULES}
    graph = {}
    for stem in MODULES:
        edges = set()
        for node in ast.walk(parse(stem)):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == "headroom" or a.name.startswith("headroom."):
                        edges.add(a.name)
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    if not (node.module == "headroom" or (node.module or "").startswith("headroom.")):
                        continue
                    base = node.module
                else:
                    assert node.level == 1, "the package is flat: %s imports from level %d" % (stem, node.level)
                    base = "headroom" + ("." + node.module if node.module else "")
                if base == "headroom":
                    # `from . import x`: x is a submodule, or a name from __init__
                    for a in node.names:
                        edges.add("headroom." + a.name if "headroom." + a.name in names else "headroom")
                else:
                    edges.add(base)
        graph[module_name(stem)] = edges - {module_name(stem)}
    return graph


def find_cycle(graph):
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def reachable(graph, start):
    seen, todo = set(), [start]
    while todo:
        for m in graph.get(todo.pop(), ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


class ImportGraph(unittest.TestCase):
    def test_the_module_import_graph_is_acyclic(self):
        graph = import_graph()
        self.assertIn("headroom._cleanup", graph["headroom"])
        self.assertEqual(find_cycle(graph), None)

    def test_the_cycle_finder_finds_cycles(self):
        self.assertEqual(find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}), ["a", "b", "c", "a"])
        self.assertIsNone(find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}))

    def test_layers(self):
        graph = import_graph()
        # The transport knows no handler: cleanup registers its own with the client.
        self.assertNotIn("headroom._cleanup", reachable(graph, "headroom._transport"))
        self.assertNotIn("headroom._cleanup", reachable(graph, "headroom._client"))
        self.assertNotIn("headroom._cleanup", reachable(graph, "headroom._connection"))
        # A Client knows nothing of how it was chosen; the look only reads files.
        self.assertNotIn("headroom._connection", reachable(graph, "headroom._client"))
        self.assertEqual(graph["headroom._discovery"], {"headroom._diagnostics"})
        self.assertNotIn("headroom._transport", reachable(graph, "headroom._shellenv"))
        # Leaves: everything may use them, they use nothing of the package.
        for leaf in ("headroom._diagnostics", "headroom._version", "headroom._cgroup", "headroom.protocol"):
            self.assertEqual(graph[leaf], set(), leaf)
        # No submodule imports the package's __init__ (it imports them all).
        for name, edges in graph.items():
            self.assertNotIn("headroom", edges, name)
        # Platform readers do not reach back to the module that picks them.
        for stem in ("_procmem_linux", "_procmem_darwin", "_procmem_windows", "_procmem_other"):
            self.assertNotIn("headroom._procmem", reachable(graph, "headroom." + stem), stem)

    def test_every_module_imports_alone_in_a_fresh_interpreter(self):
        import subprocess

        code = "import importlib,sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
        names = [module_name(m) for m in MODULES if m != "__main__"]
        env = dict(os.environ, PYTHONPATH=PY_ROOT)
        for name in names:
            p = subprocess.run([sys.executable, "-c", code, name], env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, "%s: %s" % (name, p.stderr))


class Modules(unittest.TestCase):
    def test_each_file_is_under_300_lines(self):
        for stem in MODULES:
            with open(os.path.join(PKG_DIR, stem + ".py"), encoding="utf-8") as f:
                n = sum(1 for _ in f)
            self.assertLess(n, 300, stem)

    def test_no_error_is_swallowed_without_a_trace(self):
        for stem in MODULES:
            for node in ast.walk(parse(stem)):
                if isinstance(node, ast.ExceptHandler):
                    broad = node.type is None or (isinstance(node.type, ast.Name) and node.type.id in ("Exception", "BaseException"))
                    silent = all(isinstance(s, ast.Pass) for s in node.body)
                    self.assertFalse(broad and silent, "%s.py:%d swallows every error" % (stem, node.lineno))

    def test_one_version_source(self):
        assignments = []
        for stem in MODULES:
            for node in ast.walk(parse(stem)):
                if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets):
                    assignments.append(stem)
        self.assertEqual(assignments, ["_version"])
        from headroom import _version

        self.assertIs(headroom.__version__, _version.__version__)
        with open(os.path.join(REPO, "package.json"), encoding="utf-8") as f:
            self.assertEqual(headroom.__version__, json.load(f)["version"], "the extension and its Python client ship together")
        self.assertRegex(headroom.__version__, r"^\d+\.\d+\.\d+")


class PlatformReaders(unittest.TestCase):
    NAMES = ("_procmem_linux", "_procmem_darwin", "_procmem_windows", "_procmem_other")

    def test_platform_names(self):
        cases = {"linux": "linux", "linux2": "linux", "darwin": "darwin", "win32": "windows", "cygwin": "other", "freebsd14": "other", "aix": "other"}
        for platform, expected in cases.items():
            self.assertEqual(_procmem.platform_name(platform), expected, platform)

    def test_the_reader_is_chosen_once_at_import(self):
        impl = importlib.import_module("headroom._procmem_" + _procmem.platform_name(sys.platform))
        self.assertIs(_procmem.impl, impl)
        for name in _procmem.INTERFACE:
            # The platform module's own function, bound at import: no test per call.
            self.assertIs(getattr(_procmem, name), getattr(impl, name), name)

    @unittest.skipUnless(sys.platform.startswith("linux"), "Linux only")
    def test_linux_reads_this_process(self):
        self.assertEqual(_procmem.PLATFORM, "linux")
        rss, vms = _procmem.rss_vms()
        self.assertGreater(rss, 1 << 20)
        self.assertGreaterEqual(vms, rss)
        self.assertGreaterEqual(_procmem.hwm(), rss // 2)

    def test_every_reader_has_the_whole_interface(self):
        for stem in self.NAMES:
            mod = importlib.import_module("headroom." + stem)
            for name in _procmem.INTERFACE:
                self.assertTrue(callable(getattr(mod, name, None)), "%s.%s" % (stem, name))
            params = list(inspect.signature(mod.tree_rss).parameters)
            self.assertEqual(params, ["pid"], stem)

    @unittest.skipIf(sys.platform == "win32", "needs the resource module")
    def test_the_fallback_reader_works_anywhere_posix(self):
        from headroom import _procmem_other as other

        rss, vms = other.rss_vms()
        self.assertGreater(rss, 1 << 20)
        self.assertEqual(vms, 0)
        self.assertIsNone(other.hwm())
        self.assertFalse(other.reset_peak_rss())
        self.assertIsNone(other.cgroup_limit())
        self.assertGreater(other.system_memory()["total"], 1 << 20)
        self.assertEqual(other.tree_rss(os.getpid()), other.rss_vms()[0])
        self.assertEqual(other.tree_rss(1), 0)


class PublicSurface(unittest.TestCase):
    def test_everything_in_all_is_importable(self):
        for name in headroom.__all__:
            self.assertTrue(hasattr(headroom, name), name)

    def test_cleanup_takes_a_reason_only(self):
        for fn in (headroom.cleanup, headroom.force_cleanup):
            params = inspect.signature(fn).parameters
            self.assertEqual(list(params), ["reason"])
            self.assertIsNone(params["reason"].default)
        with self.assertRaises(TypeError):
            headroom.cleanup("r", "request id")  # pylint: disable=too-many-function-args
        self.assertIsInstance(headroom.cleanup(reason="test"), headroom.CleanupResult)

    def test_diagnostics_says_what_state_the_client_is_in(self):
        d = headroom.diagnostics()
        self.assertEqual(set(d), {"version", "enabled", "connected", "dropped", "source", "window", "errors", "messages"})
        self.assertIn(d["source"], ("pending", "none"))
        self.assertIsNone(d["window"])
        self.assertEqual(d["version"], headroom.__version__)
        self.assertFalse(d["enabled"])
        self.assertFalse(d["connected"])
        self.assertEqual(d["dropped"], 0)

    def test_signatures_unchanged(self):
        sig = lambda f: str(inspect.signature(f))
        self.assertEqual(sig(headroom.checkpoint), "(label=None, reset_peaks=False, allocations=False)")
        self.assertEqual(sig(headroom.connect), "(address=None, token=None)")
        self.assertEqual(sig(headroom.track), "(label=None, verbose=False, reset_peaks=False)")
        self.assertEqual(sig(headroom.pressure), "(threshold_gb=None, fraction=None)")
        self.assertEqual(sig(headroom.status), "(label=None)")
        self.assertEqual(sig(headroom.safe_operation), "(name, threshold_gb=12.0, cleanup_gb=2.0, verbose=True)")
        self.assertEqual(sig(headroom.suggest_batch_size), "(per_item_bytes, fixed_bytes=0, budget_fraction=0.85, device='cpu')")
        self.assertIs(headroom.monitor_memory, headroom.track)
        self.assertIs(headroom.check_memory_pressure, headroom.pressure)
        self.assertIs(headroom.memory_safe_operation, headroom.safe_operation)


if __name__ == "__main__":
    unittest.main()
