"""Runs a command on a real pseudo-terminal and prints, as JSON, every byte it wrote to the
terminal, in order, with the resizes and job-control stops the test asked for between them.

    python3 ptyRun.py '{"argv": [...], "rows": 12, "cols": 80, "env": {...},
                        "resizes": [[seconds, rows, cols], ...], "stop_at": seconds,
                        "signals": [[seconds, "SIGINT"], ...], "quiet_resizes": true}'

Output: {"events": [{"data": base64} | {"resize": [rows, cols]} | {"stopped": true} |
{"continued": true} | {"signal": name}], "code": exit code}. The command is a session
leader with the terminal as its controlling terminal, like a program started from a shell: a
resize sends SIGWINCH to it, "stop_at" sends SIGTSTP to its process group as Ctrl-Z does
(then SIGCONT, as fg does), "signals" send others to the group as Ctrl-C and Ctrl-\ do.
With "quiet_resizes", the command's children (the monitored program) are stopped around each
resize until the command has redrawn for the new height (its scroll region for it), so the
program writes nothing in between: what a resize does to lines written before the redraw is
the terminal's and the timing's, not the redraw's, and is tested apart (bottomLine.test.ts).
"""
import base64
import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

cfg = json.loads(sys.argv[1])


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


pid, master = pty.fork()
if pid == 0:
    set_size(0, cfg["rows"], cfg["cols"])  # before exec: the program sees its size at once
    os.execvpe(cfg["argv"][0], cfg["argv"], dict(os.environ, **cfg.get("env", {})))

events = []


def read_some(timeout):
    """Reads what the terminal has; False once nothing will come any more (EOF or EIO)."""
    r, _, _ = select.select([master], [], [], timeout)
    if not r:
        return True
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: every process holding the terminal has closed it
        return False
    if not data:
        return False
    events.append({"data": base64.b64encode(data).decode("ascii")})
    return True


def children(ppid):
    """Pids whose parent is `ppid` (Linux /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == ppid:
            out.append(int(d))
    return out


def wait_for_output(needle, timeout):
    """Reads until `needle` (bytes) appears in what the terminal gets from now on, or the time is up."""
    seen = b""
    end = time.time() + timeout
    while time.time() < end:
        before = len(events)
        if not read_some(0.02):
            return
        for e in events[before:]:
            if "data" in e:
                seen += base64.b64decode(e["data"])
        if needle in seen:
            return


def drain():
    """Everything written so far, so that what follows an event really came after it."""
    while True:
        r, _, _ = select.select([master], [], [], 0.02)
        if not r or not read_some(0):
            return


t0 = time.time()
resizes = sorted(cfg.get("resizes", []))
stop_at = cfg.get("stop_at")
signals = sorted(cfg.get("signals", []))
deadline = t0 + cfg.get("timeout", 60)
status = None
while True:
    if not read_some(0.02):
        break
    now = time.time() - t0
    while resizes and resizes[0][0] <= now:
        _, rows, cols = resizes.pop(0)
        held = children(pid) if cfg.get("quiet_resizes") else []
        for c in held:
            os.kill(c, signal.SIGSTOP)
        drain()
        set_size(master, rows, cols)  # the kernel sends SIGWINCH to the foreground group
        events.append({"resize": [rows, cols]})
        if held:
            wait_for_output(("\x1b[1;%dr" % (rows - 1)).encode(), 10)
            for c in held:
                os.kill(c, signal.SIGCONT)
    while signals and signals[0][0] <= now:
        _, name = signals.pop(0)
        os.killpg(pid, getattr(signal, name))  # SIGINT is Ctrl-C, SIGQUIT Ctrl-\
        events.append({"signal": name})
    if stop_at is not None and stop_at <= now:
        stop_at = None
        os.killpg(pid, signal.SIGTSTP)  # Ctrl-Z
        _, st = os.waitpid(pid, os.WUNTRACED)  # as a shell waits for its job to stop
        if not os.WIFSTOPPED(st):
            events.append({"ended before stopping": st})
            break
        drain()
        events.append({"stopped": True})
        time.sleep(0.3)
        os.killpg(pid, signal.SIGCONT)  # fg
        events.append({"continued": True})
    if time.time() > deadline:
        os.killpg(pid, signal.SIGKILL)
        events.append({"timeout": True})
        break
try:
    _, st = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(st)
except ChildProcessError:  # already reaped above
    code = None
print(json.dumps({"events": events, "code": code}))
