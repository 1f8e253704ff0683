"""Live tensors, grouped by role, device, dtype and shape, with their bytes (numel *
element_size) and, where cheap, the names that hold them: the `tensors` source of an
`allocations` record (docs/protocol.md).

Roles: `parameter` and `buffer` (of a module), `gradient` (a parameter's .grad),
`optimizer` (an optimizer's state), `other` (activations, inputs, anything else alive).
Modules and optimizers are those the program passes, else those found on the heap. The heap
walk (gc) stops at a time budget and says so (`truncated`): a big heap never stalls the
program for long. Frameworks are used only if the program already imported them. MLX arrays
come from the same walk (_tensors_mlx), as groups with `framework: mlx`.
"""
import sys
import time

from . import _diagnostics, _tensors_mlx
from ._tensor_group import group, heap
from ._connection import client

MAX_GROUPS = 200


def _shape(t):
    return [int(d) for d in t.shape]


def _device(t):
    d = getattr(t, "device", None)
    return str(d) if d is not None else "cpu"


def _roles(torch, modules, optimizers, names):
    """{id(tensor): (role, tensor)} for what modules and optimizers hold; `names` gets
    {id: name} for module attributes (`fc1.weight`)."""
    roles = {}
    for prefix, m in modules:
        try:
            for n, p in m.named_parameters():
                roles[id(p)] = ("parameter", p)
                names.setdefault(id(p), prefix + n)
                if p.grad is not None:
                    roles[id(p.grad)] = ("gradient", p.grad)
                    names.setdefault(id(p.grad), prefix + n + ".grad")
            for n, b in m.named_buffers():
                roles[id(b)] = ("buffer", b)
                names.setdefault(id(b), prefix + n)
        except Exception as e:
            _diagnostics.note("tensors-module", e)
    for o in optimizers:
        try:
            for state in o.state.values():
                for k, v in state.items():
                    if isinstance(v, torch.Tensor):
                        roles.setdefault(id(v), ("optimizer", v))
                        names.setdefault(id(v), k)
        except Exception as e:
            _diagnostics.note("tensors-optimizer", e)
    return roles


def torch_kinds(torch):
    return [("tensor", torch.Tensor), ("module", torch.nn.Module), ("optimizer", torch.optim.Optimizer)]


def _global_names(torch, names):
    """The main script's globals that are tensors: `x` for `x = torch.zeros(...)` at the top of
    a script or in a notebook. One dict, so cheap; a module attribute's name wins."""
    main = sys.modules.get("__main__")
    for k, v in list(getattr(main, "__dict__", {}).items()):
        if type(v) is torch.Tensor or (isinstance(v, torch.Tensor) and not isinstance(v, torch.nn.Parameter)):
            names.setdefault(id(v), k)


def _local_names(torch, names, frame_locals):
    """Tensors held by the locals of a frame (the debugger's paused frame): `x` for `x = ...`
    inside the function the program stopped in. After module attributes, before globals."""
    for k, v in list((frame_locals or {}).items()):
        if isinstance(k, str) and isinstance(v, torch.Tensor):
            names.setdefault(id(v), k)


def _top_modules(modules):
    """Modules that are no other module's child, named by their class: the roots of the names."""
    children = {id(c) for m in modules for c in m.children()}
    return [(type(m).__name__ + ".", m) for m in modules if id(m) not in children]


def torch_groups(modules=None, optimizers=None, budget_s=1.0, frame_locals=None, found=None):
    """(groups, truncated): live torch tensors grouped by role, device, dtype and shape.
    `found`: the heap walk's result when the caller has walked already."""
    torch = sys.modules.get("torch")
    if torch is None or not hasattr(torch, "Tensor"):
        return [], False
    if found is None:
        found, truncated = heap(torch_kinds(torch), budget_s)
    else:
        found, truncated = found
    named = [("", m) for m in modules] if modules else _top_modules(found["module"])
    names = {}
    roles = _roles(torch, named, list(optimizers) if optimizers else found["optimizer"], names)
    _local_names(torch, names, frame_locals)
    _global_names(torch, names)

    def describe(t):
        return (_device(t), str(t.dtype).replace("torch.", ""), tuple(_shape(t))), t.numel() * t.element_size()

    return group(list(v for _, v in roles.values()) + found["tensor"], roles, names, describe), truncated


def all_groups(modules=None, optimizers=None, budget_s=1.0, frame_locals=None):
    """(groups, truncated): torch's and MLX's live tensors, from one heap walk, largest first.
    `modules` and `optimizers` are sorted to their framework by the class they are."""
    torch, mx = sys.modules.get("torch"), sys.modules.get("mlx.core")
    torch = torch if torch is not None and hasattr(torch, "Tensor") else None
    kinds = torch_kinds(torch) if torch is not None else []
    mlx_kinds = _tensors_mlx.kinds(mx) if mx is not None else []
    if not kinds and not mlx_kinds:
        return [], False
    found, truncated = heap(kinds + mlx_kinds, budget_s)
    groups = []
    if torch is not None:
        mine = [m for m in modules or () if isinstance(m, torch.nn.Module)]
        opts = [o for o in optimizers or () if isinstance(o, torch.optim.Optimizer)]
        groups += torch_groups(mine, opts, budget_s, frame_locals, (found, truncated))[0]
    if mlx_kinds:
        groups += _tensors_mlx.groups(mx, found, modules, optimizers, frame_locals)
    return sorted(groups, key=lambda g: -g["size"]), truncated


def take(modules=None, optimizers=None, budget_s=1.0, request=None, frame_locals=None):
    """An `allocations` record's fields for the live tensors (source `tensors`)."""
    t0 = time.perf_counter()
    groups, truncated = all_groups(modules, optimizers, budget_s, frame_locals)
    r = {"source": "tensors", "tensors": groups[:MAX_GROUPS], "total": {"size": sum(g["size"] for g in groups), "count": sum(g["count"] for g in groups)}}
    if len(groups) > MAX_GROUPS:
        r["more"] = {"groups": len(groups) - MAX_GROUPS, "size": sum(g["size"] for g in groups[MAX_GROUPS:])}
    if truncated:
        r["truncated"] = True
    if request is not None:
        r["id"] = request
    r["duration"] = round(time.perf_counter() - t0, 6)
    return r


def tensors(modules=None, optimizers=None, budget_s=1.0, frame_locals=None):
    """Live tensors now, grouped (role, device, dtype, shape, count, size, names); sent to
    Headroom when it is listening, and returned. `modules` and `optimizers` name what to tell
    apart (default: those found on the heap); the heap walk stops after `budget_s` seconds.
    `frame_locals` (a frame's `locals()`, as the editor passes from a paused frame) names the
    tensors that frame holds."""
    try:
        r = take(modules, optimizers, budget_s, frame_locals=frame_locals)
    except Exception as e:  # the client never raises into user code
        _diagnostics.note("tensors", e)
        return None
    c = client()
    if c is not None:
        rec = c.base("allocations")
        rec.update(r)
        c.emit(rec)
    return r
