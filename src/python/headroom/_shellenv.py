"""`python -m headroom env`: the shell lines that connect programs started in this shell to the
window whose workspace holds the current directory (docs/connection.md)."""
import os
import sys

from . import _discovery

SHELLS = ("sh", "powershell", "cmd")


def quote_sh(s):
    """A POSIX shell word that is exactly `s`: single quotes, each embedded ' as '\\''."""
    return "'" + s.replace("'", "'\\''") + "'"


def quote_powershell(s):
    """A PowerShell verbatim string: single quotes, each embedded ' doubled."""
    return "'" + s.replace("'", "''") + "'"


def exports(window, shell="sh"):
    """The lines setting HEADROOM_ADDR, HEADROOM_TOKEN and PYTHONPATH (the window's client first,
    then what PYTHONPATH held, with no empty entry when it held nothing)."""
    pairs = [("HEADROOM_ADDR", window["addr"]), ("HEADROOM_TOKEN", window["token"])]
    py = window.get("python")
    if shell == "sh":
        lines = ["export %s=%s" % (k, quote_sh(v)) for k, v in pairs]
        if py:
            lines.append('export PYTHONPATH=%s"${PYTHONPATH:+:$PYTHONPATH}"' % quote_sh(py))
    elif shell == "powershell":
        lines = ["$env:%s = %s" % (k, quote_powershell(v)) for k, v in pairs]
        if py:
            lines.append("$env:PYTHONPATH = %s + $(if ($env:PYTHONPATH) { ';' + $env:PYTHONPATH } else { '' })" % quote_powershell(py))
    elif shell == "cmd":
        # For a batch file: `set "NAME=value"` takes any character but %, doubled there.
        lines = ['set "%s=%s"' % (k, v.replace("%", "%%")) for k, v in pairs]
        if py:
            p = py.replace("%", "%%")
            lines.append('if defined PYTHONPATH (set "PYTHONPATH=%s;%%PYTHONPATH%%") else (set "PYTHONPATH=%s")' % (p, p))
    else:
        raise ValueError("unknown shell %r (one of %s)" % (shell, ", ".join(SHELLS)))
    return lines


def main(shell="sh", out=None, err=None):
    """Prints the exports for the window holding the current directory; 0, or 1 (and why, on
    stderr) when no window holds it."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    folder = _discovery.runtime_dir()
    try:
        cwd = os.path.realpath(os.getcwd())
    except OSError as e:
        err.write("headroom: the current directory cannot be read (%s)\n" % e)
        return 1
    window, refusals = _discovery.look([cwd], folder)
    for why in refusals:
        err.write("headroom: ignored %s\n" % why)
    if window is None:
        err.write("headroom: no VS Code window with Headroom has a workspace folder holding %s (connection files in %s)\n" % (cwd, folder))
        return 1
    for line in exports(window, shell):
        out.write(line + "\n")
    return 0
