"""What torch's and MLX's live-tensor snapshots share (_tensors, _tensors_mlx): one time-boxed
walk of the gc heap for every framework's classes, and the grouping of what it found by role,
device, dtype and shape."""
import gc
import time

from . import _diagnostics

MAX_NAMES = 3


def heap(kinds, budget_s):
    """({kind: [objects]}, truncated): the gc heap's objects of each kind, `kinds` being
    [(kind, class)], until the time budget runs out. One walk serves every framework."""
    found = {k: [] for k, _ in kinds}
    by_type = {}  # type -> kind or None: one dict lookup per object, not an issubclass per kind
    deadline = time.perf_counter() + budget_s
    for i, o in enumerate(gc.get_objects()):
        if i & 4095 == 0 and time.perf_counter() > deadline:
            return found, True
        # type(), not isinstance(): isinstance reads `__class__`, which some objects compute
        # (torch 1.x's deprecated distributed names warn when it is read).
        cls = type(o)
        try:
            kind = by_type[cls]
        except KeyError:
            kind = by_type[cls] = next((k for k, c in kinds if issubclass(cls, c)), None)
        if kind is not None:
            found[kind].append(o)
    return found, False


def group(items, roles, names, describe, framework=None):
    """Groups `items` by (role, *describe(item)[0]), summing describe(item)[1] bytes; each
    object once. `roles`: {id: (role, obj)}, the rest are `other`; `names`: {id: name}."""
    seen = set()
    groups = {}
    for t in items:
        if id(t) in seen:
            continue
        seen.add(id(t))
        role = roles.get(id(t), ("other",))[0]
        try:
            (device, dtype, shape), size = describe(t)
        except Exception as e:  # a tensor subclass that will not say; counted, skipped
            _diagnostics.note("tensors-size", e)
            continue
        key = (role, device, dtype, shape)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"role": role, "device": device, "dtype": dtype, "shape": list(shape), "count": 0, "size": 0}
            if framework:
                g["framework"] = framework
        g["count"] += 1
        g["size"] += size
        n = names.get(id(t))
        if n is not None and len(g.setdefault("names", [])) < MAX_NAMES:
            g["names"].append(n[:200])
    return sorted(groups.values(), key=lambda g: -g["size"])
