"""`python -m headroom monitor [options] -- command ...`: memory of a command over time
(seed 003's monitor for an executable), with logs and a plot. For the full recorder with
checkpoints and reports, use the `headroom` CLI shipped with the extension."""
import argparse
import subprocess
import sys

from .sampler import MemoryMonitor, MemoryType


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m headroom")
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("monitor", help="run a command and log its memory")
    m.add_argument("--log-dir", default="memory_logs")
    m.add_argument("--interval", type=float, default=0.1)
    m.add_argument("--type", choices=[t.value for t in MemoryType], default="rss")
    m.add_argument("--from-zero", action="store_true", help="subtract the starting memory")
    m.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
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
    print("headroom: peak %.1f MiB (%s); logs in %s.txt/.svg" % (max(values) if values else 0, a.type, stem), file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
