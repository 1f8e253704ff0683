"""`python -m headroom.compat.nncf [--log-dir DIR] command ...`: NNCF's memory monitor for an
executable. Both of its forms work:

    python -m headroom.compat.nncf --log-dir ./allocation_logs python allocate.py
    python -m headroom.compat.nncf "optimum-cli export openvino ..."

Several words run as that command (no shell: arguments with spaces stay whole); one word runs
through the shell, as the quoted form means. RSS (this process and its children) and SYSTEM
memory are logged, absolute and from zero, into the log directory, and a summary table is
printed. The exit code is the command's. In a Headroom window the run is a region, and the
command's own process tree is sampled under this one.
"""
import argparse
import shlex
import subprocess
import sys
from pathlib import Path

from .. import _report
from . import MemoryMonitor, MemoryType

PROG = "python -m headroom.compat.nncf"


def table(headers, rows):
    """Lines of a plain table, as `tabulate(rows, headers)` prints it (columns two spaces apart)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h) + 2] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()
    return [line(headers), "  ".join("-" * w for w in widths)] + [line(r) for r in cells]


def run(command):
    """Runs the command to its end; its exit code (128 + signal when killed, 127 when it cannot start)."""
    shell = len(command) == 1
    try:
        child = subprocess.Popen(command[0] if shell else command, shell=shell)
    except OSError as e:
        print("%s: cannot run %s: %s" % (PROG, command[0], e.strerror or e), file=sys.stderr)
        return 127
    try:
        code = child.wait()
    except KeyboardInterrupt:  # the terminal sent it to the command too: let it finish
        code = child.wait()
    return 128 - code if code < 0 else code


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Memory Monitor Tool. Monitors memory for an executable and saves logs at specified location.",
        epilog="Examples:\n   %s --log-dir ./allocation_logs python allocate.py\n   %s \"optimum-cli export openvino ...\"" % (PROG, PROG),
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--log-dir", type=str, default="memory_logs", help="A directory to save logs at. './memory_logs' by default.")
    parser.add_argument("executable", nargs=argparse.REMAINDER, help="Target executable to monitor memory for (one quoted string runs through the shell).")
    args = parser.parse_args(argv)
    command = args.executable[1:] if args.executable[:1] == ["--"] else args.executable
    if not command:
        parser.error("give the command to monitor, e.g. %s python allocate.py" % PROG)

    monitors = [MemoryMonitor(memory_type=t, include_child_processes=True) for t in (MemoryType.RSS, MemoryType.SYSTEM)]
    for monitor in monitors:
        monitor._reports = False  # one region for the whole run, below
        monitor.start()
    region = _report.Region("$ " + (command[0] if len(command) == 1 else shlex.join(command)))
    code = run(command)
    for monitor in monitors:
        monitor.stop()
    region.finish()

    summary = []
    log_dir = Path(args.log_dir)
    for monitor in monitors:
        for from_zero in (True, False):
            time_values, memory_values = monitor.get_data(memory_from_zero=from_zero)
            # The last measurement is taken once the command has ended.
            time_values, memory_values = time_values[:-1], memory_values[:-1]
            monitor.save_memory_logs(time_values, memory_values, save_dir=log_dir, filename_suffix="_from-zero" if from_zero else "")
            peak = "%d %s" % (int(max(memory_values)), monitor.memory_unit.value) if memory_values else "-"
            summary.append([monitor.memory_type.value, from_zero, peak])
    print("\nMemory summary:")
    print("\n".join(table(["Memory type", "From zero", "Peak value"], summary)))
    return code


if __name__ == "__main__":
    sys.exit(main())
