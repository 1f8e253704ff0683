"""Where in the user's code a report comes from, when Headroom's own code sits in between.

A checkpoint written by a helper (an epoch callback, a compatibility wrapper, a context
manager's __enter__) belongs on the line of the program that called the helper, not on the
helper's line: that is where the editor shows it. Counting frames breaks as soon as one
helper calls another, so the location is the first frame outside the package.
"""
import sys

from ._client import abs_file


def _ours(frame):
    name = frame.f_globals.get("__name__") or ""
    return name == "headroom" or name.startswith("headroom.")


def user_frame(depth=1):
    """The innermost frame outside headroom, from `depth` frames above the caller (None if none)."""
    f = sys._getframe(depth + 1)
    while f is not None and _ours(f):
        f = f.f_back
    return f


def user_location():
    """{file, line, func} of the innermost caller outside headroom (empty if there is none)."""
    f = user_frame(1)
    if f is None:
        return {}
    code = f.f_code
    return {"file": abs_file(code.co_filename), "line": f.f_lineno, "func": code.co_name}
