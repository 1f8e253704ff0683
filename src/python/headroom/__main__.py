"""`python -m headroom monitor [options] -- command ...`: memory of a command over time
(seed 003's monitor for an executable), with logs and a plot. For the full recorder with
checkpoints and reports, use the `headroom` CLI shipped with the extension.

`python -m headroom env [--shell sh|powershell|cmd]`: the exports that connect programs
started in this shell to the VS Code window whose workspace holds the current directory,
for `eval "$(python -m headroom env)"`; exit code 1 when no window holds it."""
import argparse
import subprocess
import sys

from . import _shellenv
from ._format import format_bytes
from ._version import __version__
from .sampler import MiB, MemoryMonitor, MemoryType


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m headroom")
    p.add_argument("--version", action="version", version="headroom " + __version__)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("monitor", help="run a command and log its memory")
    m.add_argument("--log-dir", default="memory_logs")
    m.add_argument("--interval", type=float, default=0.1)
    m.add_argument("--type", choices=[t.value for t in MemoryType], default="rss")
    m.add_argument("--from-zero", action="store_true", help="subtract the starting memory")
    m.add_argument("command", nargs=argparse.REMAINDER)
    e = sub.add_parser("env", help="print the exports for the VS Code window holding this folder")
    e.add_argument("--shell", choices=_shellenv.SHELLS, default="sh")
    a = p.parse_args(argv)
    if a.cmd == "env":
        return _shellenv.main(a.shell)
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        p.error("give a command after --")
    child = subprocess.Popen(cmd)
    mon = MemoryMonitor(a.interval, MemoryType(a.type), pid=child.pid).start()
    try:
        code = child.wait()
    except KeyboardInterrupt:
        child.terminate()
        code = child.wait()
    mon.stop()
    times, values = mon.get_data(a.from_zero)
    stem = mon.save_memory_logs(times, values, a.log_dir, "_from-zero" if a.from_zero else "")
    # The logs keep seed 003's MiB; the line speaks the editor's units.
    peak = format_bytes(max(values) * MiB, signed=a.from_zero) if values else "?"
    print("headroom: peak %s (%s%s); logs in %s.txt/.svg" % (peak, a.type, ", from zero" if a.from_zero else "", stem), file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
