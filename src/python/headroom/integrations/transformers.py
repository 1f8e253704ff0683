"""Hugging Face `Trainer` -> Headroom: `Trainer(..., callbacks=[HeadroomCallback()])`.

Reports, on the line that called `trainer.train()`: a `train` region around the whole run,
each epoch (epoch_start / epoch_end with its mean step loss and peak), each optimizer step as
a batch record (global `step`, loss, peak inside the step, samples per step), and each
evaluation and checkpoint save as an `evaluate` / `save` region. `trainer.evaluate()` and
`trainer.predict()` called on their own are regions on their own lines.

The Trainer hands callbacks no per-step loss (it sums losses on the device and reads them
only at logging steps), so the callback reads the loss the model's forward returns, through
a forward hook, while training. With Headroom not listening when `train()` starts, every
method returns at once and no hook is installed.
"""
import math

from . import _location
from ._run import Regions, as_float, guarded, start_run
from .._connection import client

try:
    from transformers import TrainerCallback
except ImportError as e:  # the one place a missing framework is the user's to fix
    raise ImportError("headroom.integrations.transformers needs the transformers package (pip install transformers): %s" % e) from e


class HeadroomCallback(TrainerCallback):
    """Reports a Trainer's epochs, steps, evaluations and saves to Headroom.

    `step_loss=False` leaves the model alone: steps are then reported without a loss, and
    epochs with the last loss the Trainer logged (reading each step's loss waits for the
    device once per step).
    """

    def __init__(self, step_loss=True):
        if not isinstance(step_loss, bool):
            raise TypeError("HeadroomCallback(step_loss=...) takes True or False, not %r" % (step_loss,))
        self.step_loss = step_loss
        self._run = None
        self._alone = None  # regions of an evaluate() / predict() called outside train()
        self._hook = None
        self._losses = []
        self._logged_loss = None

    # -- the run
    @guarded
    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self._close_run("train() ended without on_train_end (it raised)")
        self._run = start_run("train", _location.user_location())
        if self._run is None:
            return
        self._logged_loss = None
        self._per_step = int(args.per_device_train_batch_size or 0) * int(args.gradient_accumulation_steps or 1)
        if self.step_loss and model is not None and hasattr(model, "register_forward_hook"):
            self._hook = model.register_forward_hook(self._on_forward)

    @guarded
    def on_train_end(self, args, state, control, **kwargs):
        self._close_run(None, state.global_step)

    def _close_run(self, error, step=0):
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
        self._losses = []
        run, self._run = self._run, None
        if run is not None:
            run.finish(step, error)

    # -- epochs and steps
    @guarded
    def on_epoch_begin(self, args, state, control, **kwargs):
        if self._run is not None:
            self._run.epoch_start(math.floor((state.epoch or 0) + 1e-6), state.global_step)

    @guarded
    def on_step_begin(self, args, state, control, **kwargs):
        if self._run is not None:
            self._run.regions.end("save", "no checkpoint was saved")  # a guessed save that did not come
            self._losses = []
            self._run.step_start()

    @guarded
    def on_step_end(self, args, state, control, **kwargs):
        run = self._run
        if run is None:
            return
        losses, self._losses = self._losses, []
        loss = as_float(sum(losses) / len(losses)) if losses else None
        run.step_end(run.batch_in_epoch(state.global_step), state.global_step, loss, self._per_step)
        self._after(control)

    @guarded
    def on_epoch_end(self, args, state, control, **kwargs):
        if self._run is not None:
            self._run.epoch_end(state.global_step, self._logged_loss)
            self._after(control)

    def _on_forward(self, module, inputs, output):
        # Training forwards only: evaluation inside train() runs the model too.
        if not module.training:
            return
        loss = output.get("loss") if isinstance(output, dict) else getattr(output, "loss", None)
        if loss is not None and hasattr(loss, "detach"):
            self._losses.append(loss.detach())

    @guarded
    def on_log(self, args, state, control, logs=None, **kwargs):
        if self._run is not None and isinstance(logs, dict) and "loss" in logs:
            self._logged_loss = as_float(logs["loss"])

    # -- evaluation and saving
    def _after(self, control):
        """After a step or an epoch the Trainer evaluates, then saves, as the flags say."""
        if control.should_evaluate:
            self._run.regions.begin("evaluate", self._run.where)
        elif control.should_save:
            self._run.regions.begin("save", self._run.where)

    @guarded
    def on_prediction_step(self, args, state, control, **kwargs):
        regions, where = self._regions()
        if regions is None or "evaluate" in regions or "predict" in regions:
            return
        label = "predict" if _location.on_stack("transformers.", "predict") else "evaluate"
        regions.begin(label, where if where is not None else _location.user_location())

    @guarded
    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        regions, _ = self._regions()
        if regions is None:
            return
        regions.end("evaluate")
        if self._run is not None and (control.should_save or _saves_best(args, state, metrics)):
            regions.begin("save", self._run.where)

    @guarded
    def on_predict(self, args, state, control, metrics=None, **kwargs):
        regions, _ = self._regions()
        if regions is not None:
            regions.end("predict")

    @guarded
    def on_save(self, args, state, control, **kwargs):
        if self._run is not None:
            self._run.regions.end("save")

    def _regions(self):
        """The regions to report into, and their location: the run's, or (outside train()) the
        callback's own, placed on the caller's line (None when Headroom is not listening)."""
        if self._run is not None:
            return self._run.regions, self._run.where
        if self._alone is None:
            c = client()
            if c is None:
                return None, None
            self._alone = Regions(c)
        return self._alone, None


def _saves_best(args, state, metrics):
    """With save_strategy="best" the Trainer decides to save only after on_evaluate: the same
    comparison, made here, so that the save region starts before the save does."""
    strategy = getattr(args, "save_strategy", None)
    if str(getattr(strategy, "value", strategy)) != "best" or not metrics:
        return False
    name = getattr(args, "metric_for_best_model", None)
    if name is None:
        return False
    value = metrics.get(name if name.startswith("eval_") else "eval_" + name)
    if value is None:
        return False
    greater = bool(getattr(args, "greater_is_better", False))
    best = state.best_metric
    if best is None:
        return True
    return value > best if greater else value < best
