"""NNCF's memory monitor (seed 003), name for name, built on Headroom's sampler.

    from headroom.compat.nncf import MemoryMonitor, MemoryType, memory_monitor_context  # was: from memory_monitor import ...

    memory_monitor = MemoryMonitor(memory_type=MemoryType.SYSTEM).start(at_exit_fn=save_logs)
    with memory_monitor_context(return_max_value=True, save_dir="memory_logs") as mmc:
        ...
    mmc.memory_data[MemoryType.SYSTEM]          # the peak above the start, in MiB

    python -m headroom.compat.nncf --log-dir ./allocation_logs python allocate.py
    python -m headroom.compat.nncf "optimum-cli export openvino ..."

Logs are NNCF's .txt files; plots are PNGs when matplotlib is installed, SVGs otherwise.
psutil is not needed (RSS of the process and its children, or total - available system
memory, read as Headroom reads them). In a Headroom window a running monitor and the context
are regions (delta and peak inside) on the line that started them. save_dir may be a str.
"""
import atexit
import enum
import functools
import logging
from pathlib import Path

from ...sampler import MemoryMonitor as _Sampler
from ...sampler import MemoryType
from .. import _report
from . import _logs

logger = logging.getLogger("memory_monitor")  # NNCF's logger name, for users who configure it

__all__ = ["MemoryMonitor", "MemoryType", "MemoryUnit", "memory_monitor_context"]


class MemoryUnit(enum.Enum):
    B = "B"  # byte
    KiB = "KiB"  # Kibibyte
    MiB = "MiB"  # Mibibyte
    GiB = "GiB"  # Gibibyte
    KB = "KB"  # Kilobyte
    MB = "MB"  # Megabyte
    GB = "GB"  # Gigabyte


_DIVISORS = {
    MemoryUnit.B: 1, MemoryUnit.KiB: 2 ** 10, MemoryUnit.MiB: 2 ** 20, MemoryUnit.GiB: 2 ** 30,
    MemoryUnit.KB: 10 ** 3, MemoryUnit.MB: 10 ** 6, MemoryUnit.GB: 10 ** 9,
}
_MiB = 2 ** 20


@functools.lru_cache(maxsize=None)
def _system_memory_warning():
    logger.warning("Please note that MemoryType.SYSTEM in general is affected by other processes that change RAM availability.")


def _enum(cls, value, what):
    try:
        return cls(value)
    except ValueError:
        raise ValueError("Unknown %s: %r (one of %s)" % (what, value, ", ".join(m.name for m in cls))) from None


class MemoryMonitor:
    """Samples memory every `interval` seconds on a thread between start() and stop()."""

    def __init__(self, interval=0.1, memory_type=MemoryType.RSS, memory_unit=MemoryUnit.MiB, include_child_processes=None):
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not interval > 0:
            raise ValueError("interval must be a positive number of seconds, got %r" % (interval,))
        self.interval = interval
        self.memory_type = _enum(MemoryType, memory_type, "memory type to log")
        self.memory_unit = _enum(MemoryUnit, memory_unit, "memory unit")
        if self.memory_type is MemoryType.SYSTEM:
            _system_memory_warning()
        elif include_child_processes is None:
            include_child_processes = True
        self.include_child_processes = include_child_processes
        self._sampler = None
        self._monitoring_in_progress = False
        self._stop_logging_atexit_fn = None
        self._region = None
        self._reports = True  # False where the caller reports one region for several monitors

    def start(self, at_exit_fn=None):
        """Starts sampling; `at_exit_fn` runs at interpreter exit unless stop() comes first."""
        if self._monitoring_in_progress:
            raise RuntimeError("Monitoring already in progress")
        self._sampler = _Sampler(self.interval, self.memory_type, include_children=bool(self.include_child_processes)).start()
        self._monitoring_in_progress = True
        if self._reports:
            self._region = _report.Region("memory monitor (%s)" % self.memory_type.value)
            # Registered after the client's own exit hook, so the region ends before its bye.
            atexit.register(self._end_region)
        if at_exit_fn:
            self._stop_logging_atexit_fn = at_exit_fn
            atexit.register(at_exit_fn)
        return self

    def stop(self):
        """Stops sampling (a last measurement is taken) and cancels the at-exit function."""
        if not self._monitoring_in_progress:
            return
        self._monitoring_in_progress = False
        self._sampler.stop()
        self._end_region()
        if self._stop_logging_atexit_fn is not None:
            atexit.unregister(self._stop_logging_atexit_fn)
            self._stop_logging_atexit_fn = None

    def _end_region(self):
        region, self._region = self._region, None
        if region is not None:
            atexit.unregister(self._end_region)
            region.finish()

    def get_data(self, memory_from_zero=False):
        """(times from the first measurement in s, memory in memory_unit); memory_from_zero
        subtracts the first measurement (values may then be negative)."""
        if self._sampler is None:
            return [], []
        times, mib = self._sampler.get_data(False)
        n = min(len(times), len(mib))  # the sampling thread may be between its two appends
        if n == 0:
            return [], []
        values = [v * _MiB for v in mib[:n]]
        base = values[0] if memory_from_zero else 0
        divisor = _DIVISORS[self.memory_unit]
        return [t - times[0] for t in times[:n]], [(v - base) / divisor for v in values]

    def save_memory_logs(self, time_values, memory_values, save_dir, plot_title="", filename_suffix=""):
        """Writes <type>_memory_usage<suffix>.txt into save_dir (made if missing) and its plot."""
        save_dir = Path(save_dir)
        save_dir.mkdir(parents=True, exist_ok=True)
        log_filepath = save_dir / ("%s_memory_usage%s.txt" % (self.memory_type.value, filename_suffix))
        if _logs.write_log(log_filepath, time_values, memory_values, self.memory_unit.value):
            self.save_memory_plot(log_filepath, plot_title)

    def save_memory_plot(self, log_filepath, plot_title="", filename_suffix=""):
        """Plots a saved .txt log again (another title or suffix) beside it."""
        _, values = _logs.read_log(log_filepath)
        t, u = self.memory_type.value, self.memory_unit.value
        title = "%s Max_%s: %.2f %s" % (plot_title, t, max(values), u)
        _logs.plot(log_filepath, filename_suffix, title, "Time (seconds)", "Memory Usage (%s, %s)" % (t, u))

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.stop()


class memory_monitor_context:
    """Monitors RSS and SYSTEM memory over a block. Afterwards `memory_data[type]` is the peak
    above the start (return_max_value) or (times, values) from zero; with save_dir, the logs
    and plots of both, absolute and from zero."""

    def __init__(self, interval=0.1, memory_unit=MemoryUnit.MiB, return_max_value=True, save_dir=None):
        self.memory_monitors = {}
        for memory_type in (MemoryType.RSS, MemoryType.SYSTEM):
            monitor = MemoryMonitor(interval=interval, memory_type=memory_type, memory_unit=memory_unit)
            monitor._reports = False
            self.memory_monitors[memory_type] = monitor
        self.return_max_value = return_max_value
        self.save_dir = save_dir
        self.memory_data = {}
        self._region = None

    def __enter__(self):
        for monitor in self.memory_monitors.values():
            monitor.start()
        self._region = _report.Region("memory_monitor_context")
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        for monitor in self.memory_monitors.values():
            monitor.stop()
        self._region.finish(exc_val)
        for memory_type, monitor in self.memory_monitors.items():
            for from_zero in (False, True):
                time_values, memory_values = monitor.get_data(memory_from_zero=from_zero)
                if from_zero:
                    self.memory_data[memory_type] = max(memory_values) if self.return_max_value else (time_values, memory_values)
                if self.save_dir:
                    monitor.save_memory_logs(time_values, memory_values, save_dir=self.save_dir, filename_suffix="_from-zero" if from_zero else "")
