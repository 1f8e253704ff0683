"""Memory over time from a background thread (seed 003): RSS of a process tree, or
system memory, sampled at an interval, with logs and a plot (SVG, no dependencies)."""
import atexit
import contextlib
import enum
import os
import threading
import time
from xml.sax.saxutils import escape

from . import _procmem

MiB = 1024 ** 2


class MemoryType(enum.Enum):
    RSS = "rss"  # resident set of the process and its children
    SYSTEM = "system"  # total - available: also sees memory that mmap'd files do not show


class MemoryMonitor:
    def __init__(self, interval=0.1, memory_type=MemoryType.RSS, pid=None, include_children=True):
        self.interval = interval
        self.memory_type = MemoryType(memory_type)
        self.pid = pid or os.getpid()
        self.include_children = include_children
        self._times = []
        self._values = []
        self._stop = threading.Event()
        self._thread = None
        self._at_exit = None

    def _read(self):
        if self.memory_type is MemoryType.SYSTEM:
            s = _procmem.system_memory()
            return s["used"] if s and s.get("used") is not None else 0
        if self.include_children:
            return _procmem.tree_rss(self.pid)
        return _procmem.rss_vms()[0]

    def start(self, at_exit_fn=None):
        """Starts sampling; `at_exit_fn` runs at interpreter exit (after a last sample)."""
        if self._thread is not None:
            return self
        self._stop.clear()
        self._t0 = time.time()
        # The first sample before returning, not whenever the thread first runs: a caller
        # that allocates at once would otherwise see its allocation in the baseline.
        self._sample()
        self._thread = threading.Thread(target=self._run, name="headroom-monitor", daemon=True)
        self._thread.start()
        if at_exit_fn is not None:
            self._at_exit = at_exit_fn
            atexit.register(self._exit)
        return self

    def _exit(self):
        self.stop()
        if self._at_exit:
            self._at_exit()

    def _sample(self):
        self._times.append(time.time() - self._t0)
        self._values.append(self._read())

    def _run(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def stop(self):
        if self._thread is None:
            return self
        self._stop.set()
        self._thread.join()
        self._thread = None
        self._sample()
        return self

    def get_data(self, memory_from_zero=False):
        """(times in s, values in MiB); `memory_from_zero` subtracts the first value."""
        base = self._values[0] if (memory_from_zero and self._values) else 0
        return list(self._times), [(v - base) / MiB for v in self._values]

    def max_value(self, memory_from_zero=False):
        _, v = self.get_data(memory_from_zero)
        return max(v) if v else 0.0

    def save_memory_logs(self, times, values, save_dir, filename_suffix="", plot=True):
        """Writes memory_<type><suffix>.txt (time, MiB) and, with plot, an .svg chart."""
        os.makedirs(save_dir, exist_ok=True)
        stem = os.path.join(str(save_dir), "memory_%s%s" % (self.memory_type.value, filename_suffix))
        with open(stem + ".txt", "w") as f:
            f.write("# time_s memory_mib (%s)\n" % self.memory_type.name)
            for t, v in zip(times, values):
                f.write("%.3f %.3f\n" % (t, v))
        if plot:
            with open(stem + ".svg", "w") as f:
                f.write(svg_plot(times, values, "%s memory%s" % (self.memory_type.name, filename_suffix.replace("_", " "))))
        return stem


def svg_plot(times, values, title, width=800, height=400):
    """A line chart of MiB over seconds as a standalone SVG document."""
    pad_l, pad_r, pad_t, pad_b = 70, 20, 40, 50
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    t_max = max(times) if times else 1.0
    v_min = min(0.0, min(values)) if values else 0.0
    v_max = max(values) if values else 1.0
    if v_max <= v_min:
        v_max = v_min + 1
    x = lambda t: pad_l + (t / t_max if t_max else 0) * w
    y = lambda v: pad_t + h - (v - v_min) / (v_max - v_min) * h
    pts = " ".join("%.1f,%.1f" % (x(t), y(v)) for t, v in zip(times, values))
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="15">%s</text>' % (pad_l, escape(title))]
    for i in range(6):
        v = v_min + (v_max - v_min) * i / 5
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (pad_l, pad_l + w, y(v), y(v)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.0f MiB</text>' % (pad_l - 6, y(v) + 4, v))
    for i in range(6):
        t = t_max * i / 5
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%.1f s</text>' % (x(t), pad_t + h + 20, t))
    out.append('<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="%s"/>' % pts)
    out.append('<text x="%d" y="%d">max %.1f MiB</text>' % (pad_l + w - 120, pad_t - 8, max(values) if values else 0))
    out.append("</svg>\n")
    return "\n".join(out)


class _Context:
    def __init__(self):
        self.monitors = {}
        self.memory_data = {}


@contextlib.contextmanager
def memory_monitor_context(interval=0.1, memory_types=(MemoryType.RSS, MemoryType.SYSTEM), return_max_value=False, save_dir=None, memory_from_zero=False):
    """Samples each memory type while the block runs. Afterwards `ctx.memory_data[type]` is
    the maximum (MiB) with `return_max_value`, else (times, values); logs go to `save_dir`."""
    ctx = _Context()
    for mt in memory_types:
        ctx.monitors[mt] = MemoryMonitor(interval, mt).start()
    try:
        yield ctx
    finally:
        for mt, m in ctx.monitors.items():
            m.stop()
            times, values = m.get_data(memory_from_zero)
            ctx.memory_data[mt] = max(values) if return_max_value else (times, values)
            if save_dir is not None:
                m.save_memory_logs(times, values, save_dir, "_from-zero" if memory_from_zero else "")
