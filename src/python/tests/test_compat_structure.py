"""The shape of headroom.compat and of the package for Python 3.8: compat builds on the client
and the client never on compat, no cycles, small files, each module loads alone, no silently
swallowed error; every module of the package in Python 3.8's grammar, without 3.9+ calls."""
import ast
import os
import subprocess
import sys
import unittest

from .helpers import PY_ROOT
from .test_structure import find_cycle  # one cycle finder for both layer tests

PKG = os.path.join(PY_ROOT, "headroom")
COMPAT = os.path.join(PKG, "compat")
# Calls that Python 3.8 lacks (it raises AttributeError at run time, long after parsing).
NEWER_THAN_38 = {"removeprefix", "removesuffix", "is_relative_to", "with_stem", "unparse", "lcm", "bit_count", "cache", "pairwise"}


def modules(root):
    """{dotted name: path} of every .py under root (a package's __init__ named by the package)."""
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for f in files:
            if f.endswith(".py"):
                rel = os.path.relpath(os.path.join(folder, f), PY_ROOT)[:-3].replace(os.sep, ".")
                out[rel[: -len(".__init__")] if rel.endswith(".__init__") else rel] = os.path.join(folder, f)
    return out


def parse(path, **kw):
    with open(path, encoding="utf-8") as f:
        return ast.parse(f.read(), **kw)


def imports(name, path):
    """The headroom modules that module `name` imports (absolute, or relative at any level)."""
    package = name if path.endswith("__init__.py") else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "headroom"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = base + "." + node.module if node.module else base
            else:
                base = node.module or ""
            if base.split(".")[0] != "headroom":
                continue
            for a in node.names:  # `from . import x`: x may be a submodule
                found.add(base + "." + a.name if (base + "." + a.name) in ALL else base)
    return found - {name}


ALL = modules(PKG)


class Layers(unittest.TestCase):
    def test_the_import_reader(self):
        self.assertIn("headroom.compat.nncf", ALL)
        self.assertIn("headroom.compat.nncf.__main__", ALL)
        self.assertEqual(imports("headroom.compat.nncf._logs", ALL["headroom.compat.nncf._logs"]), {"headroom.compat.nncf._svg"})
        self.assertIn("headroom.sampler", imports("headroom.compat.nncf", ALL["headroom.compat.nncf"]))
        self.assertIn("headroom._frames", imports("headroom.compat._report", ALL["headroom.compat._report"]))
        self.assertEqual(find_cycle({"a": {"b"}, "b": {"a"}}), ["a", "b", "a"])

    def test_compat_builds_on_the_client_and_never_the_reverse(self):
        graph = {name: imports(name, path) for name, path in ALL.items()}
        self.assertIsNone(find_cycle(graph))
        for name, edges in graph.items():
            if not name.startswith("headroom.compat"):
                self.assertEqual({e for e in edges if e.startswith("headroom.compat")}, set(), name)
            else:
                self.assertNotIn("headroom", edges, "%s imports the package's __init__ (it imports everything)" % name)
                self.assertTrue(edges <= set(ALL), "%s imports what is not there: %s" % (name, edges - set(ALL)))
        # compat's __init__ imports nothing: each tool's module, and python -m ...nncf, load alone.
        self.assertEqual(graph["headroom.compat"], set())

    def test_every_compat_module_loads_alone_and_the_command_line_warns_nothing(self):
        env = dict(os.environ, PYTHONPATH=PY_ROOT)
        for name in sorted(n for n in ALL if n.startswith("headroom.compat") and not n.endswith("__main__")):
            p = subprocess.run([sys.executable, "-W", "error", "-c", "import importlib, sys; importlib.import_module(sys.argv[1])", name], env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual((p.returncode, p.stderr), (0, ""), name)
        p = subprocess.run([sys.executable, "-W", "error", "-m", "headroom.compat.nncf", "--help"], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual((p.returncode, p.stderr), (0, ""))

    def test_compat_files_are_small_and_swallow_no_error(self):
        for name, path in ALL.items():
            if not name.startswith("headroom.compat"):
                continue
            with open(path, encoding="utf-8") as f:
                self.assertLess(sum(1 for _ in f), 300, name)
            for node in ast.walk(parse(path)):
                if isinstance(node, ast.ExceptHandler):
                    broad = node.type is None or (isinstance(node.type, ast.Name) and node.type.id in ("Exception", "BaseException"))
                    self.assertFalse(broad and all(isinstance(s, ast.Pass) for s in node.body), "%s:%d swallows every error" % (name, node.lineno))


class Python38(unittest.TestCase):
    def test_every_module_parses_with_the_38_grammar(self):
        with self.assertRaises(SyntaxError):  # the check can fail: 3.10's match is refused
            ast.parse("match x:\n    case 1:\n        pass\n", feature_version=(3, 8))
        for name, path in ALL.items():
            with self.subTest(name):
                parse(path, feature_version=(3, 8))

    def test_no_call_that_38_lacks(self):
        bad = ast.parse("def f(x: int | None) -> list[int]:\n    return s.removeprefix('a')\n")
        self.assertEqual([p.split(" ", 1)[1] for p in problems_38(bad)], [
            "subscripts the builtin list (3.9+ at run time)", "writes X | Y in an annotation (3.10+)", "uses .removeprefix, which Python 3.8 lacks"])
        for name, path in ALL.items():
            self.assertEqual(problems_38(parse(path)), [], name)


def problems_38(tree):
    """What in a module's tree Python 3.8 cannot run, as 'line message' strings."""
    annotations = {id(x) for n in ast.walk(tree) for a in (getattr(n, "returns", None), getattr(n, "annotation", None)) if a is not None for x in ast.walk(a)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in NEWER_THAN_38:
            out.append("%d uses .%s, which Python 3.8 lacks" % (node.lineno, node.attr))
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in ("list", "dict", "tuple", "set", "type"):
            out.append("%d subscripts the builtin %s (3.9+ at run time)" % (node.lineno, node.value.id))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and id(node) in annotations:
            out.append("%d writes X | Y in an annotation (3.10+)" % node.lineno)
    return out


if __name__ == "__main__":
    unittest.main()
