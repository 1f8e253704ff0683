"""The user's line behind a framework's callback: where `trainer.train()` or `trainer.fit()`
was called.

A callback runs many frames below the user's call, inside the trainer, accelerate, torch and
Headroom itself; the editor shows records on the user's line, so the location is the first
frame, walking out, that belongs to none of them. Library code is told by its module's top
package and, for packages this list does not know (a Trainer subclass from another library),
by its file lying in the interpreter's standard library or site-packages.
"""
import os
import sys
import sysconfig

from .. import _diagnostics
from .._client import abs_file

# Packages whose frames sit between a trainer's callback and the user's call.
LIBRARIES = frozenset((
    "headroom", "transformers", "accelerate", "torch", "lightning", "pytorch_lightning", "lightning_fabric",
    "lightning_utilities", "peft", "trl", "optuna",
))


def _stdlib_dirs():
    dirs = set()
    for key in ("stdlib", "platstdlib"):
        try:
            d = sysconfig.get_paths().get(key)
        except Exception as e:  # a broken install layout: module names and site-packages still tell
            _diagnostics.note("integrations-paths", e)
            d = None
        if d:
            dirs.add(os.path.join(abs_file(d), ""))
    return tuple(sorted(dirs))


_STDLIB = _stdlib_dirs()
_INSTALLED = tuple(os.sep + d + os.sep for d in ("site-packages", "dist-packages"))


def is_library(frame):
    """True for a frame of a known framework, of Headroom, or of installed or standard code."""
    name = frame.f_globals.get("__name__") or ""
    if name.partition(".")[0] in LIBRARIES:
        return True
    file = frame.f_code.co_filename
    if file.startswith("<frozen"):
        return True
    path = abs_file(file)
    return any(d in path for d in _INSTALLED) or (bool(_STDLIB) and path.startswith(_STDLIB))


def user_location(frame=None):
    """{file, line, func} of the innermost frame outside library code, from `frame` (default:
    the caller) outwards; {} when every frame is library code (a framework's own launcher)."""
    f = frame if frame is not None else sys._getframe(1)
    while f is not None and is_library(f):
        f = f.f_back
    if f is None:
        return {}
    code = f.f_code
    return {"file": abs_file(code.co_filename), "line": f.f_lineno, "func": code.co_name}


def on_stack(module_prefix, func_name, frame=None):
    """Whether a function of that name from a module under `module_prefix` is running (the
    Trainer's `predict` under an evaluation loop it shares with `evaluate`)."""
    f = frame if frame is not None else sys._getframe(1)
    while f is not None:
        if f.f_code.co_name == func_name and (f.f_globals.get("__name__") or "").startswith(module_prefix):
            return True
        f = f.f_back
    return False
