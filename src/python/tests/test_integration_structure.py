"""The shape of headroom.integrations: it builds on the client and the client never on it (so
`import headroom` can never pull a framework in), its package file imports nothing, each
module has one job in under 300 lines and swallows no error silently. Needs no framework."""
import ast
import os
import unittest

from .helpers import PY_ROOT

PKG = os.path.join(PY_ROOT, "headroom")
INTEGRATIONS = os.path.join(PKG, "integrations")


def modules(root):
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for f in files:
            if f.endswith(".py"):
                yield os.path.join(folder, f)


def imported(path):
    """Absolute names of the modules a file imports (relative imports resolved)."""
    rel = os.path.relpath(path, PY_ROOT)[:-3].replace(os.sep, ".")
    package = rel.rpartition(".")[0] if not rel.endswith("__init__") else rel[: -len(".__init__")]
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            mod = node.module if node.level == 0 else (base + ("." + node.module if node.module else ""))
            names.add(mod)
            names.update(mod + "." + a.name for a in node.names)
    return names, tree


class IntegrationsShape(unittest.TestCase):
    def test_the_client_never_imports_the_integrations(self):
        for path in modules(PKG):
            if path.startswith(INTEGRATIONS + os.sep):
                continue
            names, _ = imported(path)
            self.assertFalse([n for n in names if n.startswith("headroom.integrations")], path)

    def test_the_package_file_imports_nothing(self):
        names, _ = imported(os.path.join(INTEGRATIONS, "__init__.py"))
        self.assertEqual(names, set())

    def test_only_each_framework_module_imports_its_framework(self):
        frameworks = ("transformers", "accelerate", "lightning", "pytorch_lightning", "torch")
        for path in modules(INTEGRATIONS):
            names, _ = imported(path)
            used = {n.partition(".")[0] for n in names if n.partition(".")[0] in frameworks}
            own = {"transformers.py": {"transformers"}, "lightning.py": {"lightning", "pytorch_lightning"}}.get(os.path.basename(path), set())
            self.assertLessEqual(used, own, path)

    def test_small_files_that_swallow_no_error(self):
        for path in modules(INTEGRATIONS):
            with open(path, encoding="utf-8") as f:
                self.assertLess(sum(1 for _ in f), 300, path)
            _, tree = imported(path)
            for node in ast.walk(tree):
                if isinstance(node, ast.ExceptHandler):
                    broad = node.type is None or (isinstance(node.type, ast.Name) and node.type.id in ("Exception", "BaseException"))
                    self.assertFalse(broad and all(isinstance(s, ast.Pass) for s in node.body), "%s:%d" % (path, node.lineno))


if __name__ == "__main__":
    unittest.main()
