"""Live MLX arrays for the `tensors` source (docs/python-client.md, "MLX"): grouped like torch
tensors, by role, device, dtype and shape, with their bytes (`nbytes`) and `framework: mlx`.

`mx.array` objects are gc-tracked, so the one heap walk (_tensor_group.heap) finds them with the MLX
modules and optimizers. Roles: `parameter` (of an `mlx.nn.Module`, named by its parameter
tree: `MLP.layers.0.weight`), `optimizer` (an `Optimizer.state`, `layers.0.weight.m`),
`gradient` (a tree held by a local of the paused frame or a global of the main script whose
leaves mirror a module's parameters, as `nn.value_and_grad` returns them: MLX arrays have no
`.grad`, so a gradient nobody names is `other`), `other`. Arrays that exist only inside MLX
(a lazy graph's intermediates, a compiled function's buffers) are no Python objects and are
not found: `get_active_memory()` in the device records counts them.

Never imports mlx: it reads `mlx.core`, `mlx.nn` and `mlx.optimizers` from sys.modules.
"""
import sys

from . import _diagnostics
from ._tensor_group import group

MAX_DEPTH = 32  # a parameter tree deeper than this is a cycle or not a tree
MAX_NODES = 100000


def kinds(mx):
    """The heap walk's classes for MLX: arrays, and modules and optimizers where loaded."""
    out = [("mlx.array", mx.array)]
    nn, optim = sys.modules.get("mlx.nn"), sys.modules.get("mlx.optimizers")
    if nn is not None and isinstance(getattr(nn, "Module", None), type):
        out.append(("mlx.module", nn.Module))
    if optim is not None and isinstance(getattr(optim, "Optimizer", None), type):
        out.append(("mlx.optimizer", optim.Optimizer))
    return out


def flatten(tree, array, limit=MAX_NODES):
    """[(dotted path, array)] of a nested dict/list/tuple, as mlx.utils.tree_flatten names
    them (`layers.0.weight`); [] for a tree over `limit` nodes or MAX_DEPTH levels (a big list
    a script holds is no parameter tree, and walking it would cost)."""
    out = []
    stack = [("", tree, 0)]
    seen = 0
    while stack:
        prefix, node, depth = stack.pop()
        seen += 1
        if seen > limit or depth > MAX_DEPTH:
            return []
        # type(), not isinstance(): isinstance reads `__class__`, which some objects compute.
        cls = type(node)
        if issubclass(cls, array):
            out.append((prefix[:-1], node))
        elif issubclass(cls, (dict, list, tuple)) and len(node) > limit - seen:
            return []
        elif issubclass(cls, dict):
            stack.extend(("%s%s." % (prefix, k), v, depth + 1) for k, v in reversed(list(node.items())))
        elif issubclass(cls, (list, tuple)):
            stack.extend(("%s%d." % (prefix, i), v, depth + 1) for i, v in reversed(list(enumerate(node))))
    return out


def _top_modules(modules):
    """Modules that are no other module's descendant, named by their class."""
    inner = {id(c) for m in modules for c in m.modules() if c is not m}
    return [(type(m).__name__ + ".", m) for m in modules if id(m) not in inner]


def _held(frame_locals):
    """(name, value) of what the paused frame's locals and the main script's globals hold:
    locals first, so their names win."""
    main = sys.modules.get("__main__")
    for scope in (frame_locals or {}, getattr(main, "__dict__", {})):
        for k, v in list(scope.items()):
            if isinstance(k, str):
                yield k, v


def _roles(mx, modules, optimizers, frame_locals, names):
    """{id: (role, array)} of parameters, optimizer state and held gradient trees; `names`
    gets each one's path."""
    roles = {}
    shapes = {}  # parameter path without the module prefix -> shape: what a gradient mirrors
    for prefix, m in modules:
        try:
            for path, a in flatten(m.parameters(), mx.array):
                roles[id(a)] = ("parameter", a)
                names.setdefault(id(a), prefix + path)
                shapes[path] = tuple(a.shape)
        except Exception as e:
            _diagnostics.note("tensors-mlx-module", e)
    for o in optimizers:
        try:
            for path, a in flatten(o.state, mx.array):
                roles.setdefault(id(a), ("optimizer", a))
                names.setdefault(id(a), path)
        except Exception as e:
            _diagnostics.note("tensors-mlx-optimizer", e)
    nn = sys.modules.get("mlx.nn")
    module = nn.Module if nn is not None and isinstance(getattr(nn, "Module", None), type) else ()
    # A gradient tree has at most a leaf per parameter and a few levels of dicts and lists
    # above them: a held container far bigger is something else, and is not walked.
    limit = 8 * len(shapes) + 64
    for name, v in _held(frame_locals):
        cls = type(v)
        if issubclass(cls, mx.array):
            names.setdefault(id(v), name)
        elif shapes and issubclass(cls, (dict, list, tuple)) and not issubclass(cls, module):
            try:
                leaves = flatten(v, mx.array, limit)
            except Exception as e:
                _diagnostics.note("tensors-mlx-held", e)
                continue
            # A gradient tree: every leaf at a parameter's path, with its shape, and none a parameter.
            if leaves and all(shapes.get(p) == tuple(a.shape) and id(a) not in roles for p, a in leaves):
                for p, a in leaves:
                    roles[id(a)] = ("gradient", a)
                    names.setdefault(id(a), "%s.%s" % (name, p))
    return roles


def _device(mx):
    """MLX arrays sit in unified memory and carry no device: the one their operations run on
    by default (`cpu`, `gpu`) is the one that counts."""
    try:
        return str(mx.default_device().type.name)
    except Exception as e:
        _diagnostics.note("tensors-mlx-device", e)
        return "unknown"


def groups(mx, found, modules=None, optimizers=None, frame_locals=None):
    """The live MLX arrays of the heap walk's `found`, grouped (largest first). `modules` and
    `optimizers`: those of MLX among the ones passed, else those found."""
    mods = [m for m in modules or () if isinstance(m, dict) and hasattr(m, "parameters")]
    opts = [o for o in optimizers or () if isinstance(getattr(o, "state", None), dict) and not hasattr(o, "param_groups")]
    named = [("", m) for m in mods] if mods else _top_modules(found.get("mlx.module", ()))
    names = {}
    roles = _roles(mx, named, opts or found.get("mlx.optimizer", ()), frame_locals, names)
    device = _device(mx)

    def describe(a):
        return (device, str(a.dtype).replace("mlx.core.", ""), tuple(int(d) for d in a.shape)), int(a.nbytes)

    items = [a for _, a in roles.values()] + found["mlx.array"]
    return group(items, roles, names, describe, framework="mlx")
