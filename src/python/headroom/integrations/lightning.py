"""Lightning `Trainer` -> Headroom: `Trainer(..., callbacks=[HeadroomCallback()])`.

Reports, on the line that called `trainer.fit()`: a `fit` region around the whole run, each
training epoch (epoch_start / epoch_end with its mean step loss and peak), each training
batch as a batch record (global `step`, loss, peak inside the batch, batch size), validation
(`validate`, and `sanity check` before training), `test` and `predict` loops, and each
checkpoint save as a `save` region. `trainer.validate()` / `test()` / `predict()` called on
their own are regions on their own lines.

Works with `lightning` and with `pytorch_lightning`: the callback is a `Callback` of whichever
of the two the program has imported (of both, when it imported both; when neither yet,
`lightning` if installed). With Headroom not listening when `fit()` starts, every method
returns at once.
"""
import sys

from . import _location
from ._run import Regions, as_float, guarded, start_run
from .._connection import client


def _callback_bases():
    """The Callback classes the program's trainer will accept, without importing a second framework."""
    imported = [sys.modules[m].Callback for m in ("lightning.pytorch", "pytorch_lightning") if hasattr(sys.modules.get(m), "Callback")]
    if imported:
        return tuple(imported)
    try:
        import lightning.pytorch as pl
    except ImportError:
        try:
            import pytorch_lightning as pl
        except ImportError as e:  # the one place a missing framework is the user's to fix
            raise ImportError("headroom.integrations.lightning needs lightning or pytorch_lightning (pip install lightning): %s" % e) from e
    return (pl.Callback,)


def _batch_len(batch):
    """Samples in a batch: a tensor's first dimension, or that of the first tensor inside."""
    if isinstance(batch, dict):
        batch = next(iter(batch.values()), None)
    elif isinstance(batch, (list, tuple)) and batch:
        batch = batch[0]
    shape = getattr(batch, "shape", None)
    return int(shape[0]) if shape else None


# The loops besides training, by the hook names that begin and end them.
_LOOPS = (("validation", "validate"), ("test", "test"), ("predict", "predict"))


class _Hooks:
    """The hooks; HeadroomCallback adds the framework's Callback base (chosen at import)."""

    def __init__(self):
        self._run = None
        self._alone = None  # regions of a validate() / test() / predict() outside fit()
        self._loop_label = {}  # hook stem -> the label of the region it opened
        self._patched = None  # the trainer whose save_checkpoint reports a region

    # -- the run
    @guarded
    def on_fit_start(self, trainer, pl_module):
        self._finish("fit() ended without on_fit_end", 0)
        self._run = start_run("fit", _location.user_location())
        if self._run is not None:
            self._patch_save(trainer)

    @guarded
    def on_fit_end(self, trainer, pl_module):
        self._finish(None, trainer.global_step)

    @guarded
    def on_exception(self, trainer, pl_module, exception):
        self._finish("%s: %s" % (type(exception).__name__, exception), getattr(trainer, "global_step", 0))

    def _finish(self, error, step):
        self._unpatch_save()
        run, self._run = self._run, None
        if run is not None:
            run.finish(step, error)
        if self._alone is not None:
            self._alone.end_all(error)

    # -- epochs and batches
    @guarded
    def on_train_epoch_start(self, trainer, pl_module):
        if self._run is not None:
            self._run.epoch_start(trainer.current_epoch, trainer.global_step)

    @guarded
    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        if self._run is not None:
            self._run.step_start()

    @guarded
    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if self._run is None:
            return
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        self._run.step_end(batch_idx, trainer.global_step, as_float(loss), _batch_len(batch))

    @guarded
    def on_train_epoch_end(self, trainer, pl_module):
        if self._run is not None:
            self._run.epoch_end(trainer.global_step)

    # -- the other loops
    def _loop_start(self, stem, label, trainer):
        regions, where = self._regions()
        if regions is None:
            return
        if stem == "validation" and getattr(trainer, "sanity_checking", False):
            label = "sanity check"
        self._loop_label[stem] = label
        regions.begin(label, where if where is not None else _location.user_location())

    def _loop_end(self, stem):
        regions, _ = self._regions()
        label = self._loop_label.pop(stem, None)
        if regions is not None and label is not None:
            regions.end(label)

    @guarded
    def on_validation_start(self, trainer, pl_module):
        self._loop_start("validation", "validate", trainer)

    @guarded
    def on_validation_end(self, trainer, pl_module):
        self._loop_end("validation")

    @guarded
    def on_test_start(self, trainer, pl_module):
        self._loop_start("test", "test", trainer)

    @guarded
    def on_test_end(self, trainer, pl_module):
        self._loop_end("test")

    @guarded
    def on_predict_start(self, trainer, pl_module):
        self._loop_start("predict", "predict", trainer)

    @guarded
    def on_predict_end(self, trainer, pl_module):
        self._loop_end("predict")

    def _regions(self):
        if self._run is not None:
            return self._run.regions, self._run.where
        if self._alone is None:
            c = client()
            if c is None:
                return None, None
            self._alone = Regions(c)
        return self._alone, None

    # -- saving
    def _patch_save(self, trainer):
        # Lightning calls on_save_checkpoint while it builds the checkpoint, before writing it,
        # and no hook after: the save region wraps the trainer's own save_checkpoint instead,
        # on this trainer only and only during fit().
        original = trainer.save_checkpoint
        run = self._run

        def save_checkpoint(*args, **kwargs):
            regions = run.regions if self._run is run else None
            began = _begin(regions, run.where)
            try:
                return original(*args, **kwargs)
            except BaseException as e:
                _end(regions if began else None, "%s: %s" % (type(e).__name__, e))
                began = False
                raise
            finally:
                _end(regions if began else None, None)

        trainer.save_checkpoint = save_checkpoint
        self._patched = trainer

    def _unpatch_save(self):
        trainer, self._patched = self._patched, None
        if trainer is not None and "save_checkpoint" in vars(trainer):
            del trainer.save_checkpoint


@guarded
def _begin(regions, where):
    if regions is None:
        return False
    regions.begin("save", where)
    return True


@guarded
def _end(regions, error):
    if regions is not None:
        regions.end("save", error)


class HeadroomCallback(_Hooks, *_callback_bases()):
    """Reports a Lightning Trainer's epochs, batches, loops and saves to Headroom."""
