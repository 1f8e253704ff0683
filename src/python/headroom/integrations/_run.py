"""The records of one training run, whatever the framework: its callbacks say what happened
(an epoch began, a step ended with this loss, a save began) and this turns that into the
protocol's epoch, batch and region records, on the user's `train()` / `fit()` line.

Every method measures only while a client is connected, and never raises into the training
loop: an error is counted by the client's diagnostics under `trainer-callback`.
"""
import functools
import time

from .. import _diagnostics
from .._client import snapshot
from .._connection import client
from .._peak import PeakTracker


def guarded(method):
    """The callback's contract: a failure of Headroom's own is counted, never raised."""

    @functools.wraps(method)
    def run(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except Exception as e:  # the client never raises into user code
            _diagnostics.note("trainer-callback", e)
            return None

    return run


class Regions:
    """Open regions by label, each begun and ended with its own records and peak tracker."""

    def __init__(self, c):
        self.c = c
        self._open = {}  # label -> (id, PeakTracker, perf_counter at start, location)

    def __contains__(self, label):
        return label in self._open

    def begin(self, label, where):
        """Starts `label` at `where` ({file, line, func} or {}), unless it is already open."""
        if label in self._open:
            return
        peak = PeakTracker()
        rid = self.c.region_id()
        r = self.c.base("region_start")
        r.update(where, id=rid, label=label, mem=snapshot())
        self.c.emit(r)
        self._open[label] = (rid, peak, time.perf_counter(), where)

    def end(self, label, error=None):
        """Ends `label` if it is open: its delta, peak inside and duration; `error` says how it failed."""
        entry = self._open.pop(label, None)
        if entry is None:
            return
        rid, peak, t0, where = entry
        p = peak.finish()
        r = self.c.base("region_end")
        r.update(where, id=rid, label=label, mem=snapshot(), duration=time.perf_counter() - t0, peak=p)
        if error is not None:
            r["error"] = str(error)
        self.c.emit(r)

    def end_all(self, error=None):
        """Ends every open region, the newest first (they nest)."""
        for label in reversed(list(self._open)):
            self.end(label, error)


class TrainingRun:
    """One `train()` / `fit()`: a region named `label` around it, epochs, steps with their
    loss and peak, and the regions (evaluation, save) inside it, all at `where`."""

    def __init__(self, c, label, where):
        self.c = c
        self.label = label
        self.where = where
        self.regions = Regions(c)
        self.epoch = None
        self._epoch_peak = None
        self._step_peak = None
        self.regions.begin(label, where)

    def epoch_start(self, epoch, step):
        """Epoch `epoch` (0-based) begins at global step `step`."""
        if self.epoch is not None:
            self.epoch_end(step)
        self.epoch = int(epoch)
        self._epoch_t0 = time.perf_counter()
        self._epoch_peak = PeakTracker()
        self._batches = 0
        self._loss_sum = 0.0
        self._losses = 0
        self._epoch_first_step = step
        r = self.c.base("epoch_start")
        r.update(self.where, epoch=self.epoch, step=int(step), mem=snapshot())
        self.c.emit(r)

    def step_start(self):
        """A step begins: its peak is measured from here."""
        if self._step_peak is not None:
            self._step_peak.finish()  # a step that never ended (an exception the trainer caught)
        self._step_peak = PeakTracker()

    def step_end(self, batch, step, loss=None, batch_size=None):
        """A step ended: batch `batch` of this epoch, global step `step`, its loss if known."""
        peak, self._step_peak = self._step_peak, None
        r = self.c.base("batch_end")
        r.update(self.where, batch=int(batch), step=int(step), mem=snapshot())
        if self.epoch is not None:
            r["epoch"] = self.epoch
            self._batches += 1
        if peak is not None:
            r["peak"] = peak.finish()
        if loss is not None:
            r["loss"] = loss
            if self.epoch is not None:
                self._loss_sum += loss
                self._losses += 1
        if batch_size:
            r["batch_size"] = int(batch_size)
        self.c.emit(r)

    def batch_in_epoch(self, step):
        """The 0-based index in this epoch of global step `step` (its steps so far when unknown)."""
        if self.epoch is None:
            return max(int(step) - 1, 0)
        return max(int(step) - self._epoch_first_step - 1, 0)

    def epoch_end(self, step, loss=None):
        """The epoch ends: its steps, mean step loss (or `loss`, the trainer's own), peak, duration."""
        if self.epoch is None:
            return
        peak, self._epoch_peak = self._epoch_peak, None
        r = self.c.base("epoch_end")
        r.update(self.where, epoch=self.epoch, step=int(step), batches=self._batches, mem=snapshot(), duration=time.perf_counter() - self._epoch_t0)
        if peak is not None:
            r["peak"] = peak.finish()
        mean = self._loss_sum / self._losses if self._losses else loss
        if mean is not None:
            r["loss"] = mean
        self.c.emit(r)
        self.epoch = None

    def finish(self, step, error=None):
        """The run ends: an epoch or step still open ends here, then every region, its own last."""
        if self._step_peak is not None:
            self._step_peak.finish()
            self._step_peak = None
        self.epoch_end(step)
        self.regions.end_all(error)


def start_run(label, where):
    """A TrainingRun when Headroom is listening, else None (and nothing measured from then on)."""
    c = client()
    if c is None:
        return None
    return TrainingRun(c, label, where)


def as_float(x):
    """A loss as a finite float, or None: a tensor's value, a number, nothing else."""
    if x is None:
        return None
    try:
        v = float(x.detach().float().mean().item()) if hasattr(x, "detach") else float(x)
    except (TypeError, ValueError, RuntimeError):
        return None
    return v if v == v and v not in (float("inf"), float("-inf")) else None
